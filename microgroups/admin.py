"""Admin for managers: pods (with the no-steward flag), memberships, requests, invites, waitlists,
suggestions and emerging niches. Actions call the services, so the same rules apply."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Exists, OuterRef

from common.admin import admin_run_each

from .models import (
    Charter,
    EmergingNiche,
    Invite,
    JoinRequest,
    Membership,
    MembershipEvent,
    Pod,
    PodSuggestion,
    StewardInvitation,
    WaitlistEntry,
)
from .selectors import pods_without_steward
from .services import invites as invite_services
from .services import ladder as ladder_services
from .services import membership as membership_services
from .services import niches as niche_services
from .services import pods as pod_services
from .services import suggestions as suggestion_services


class StewardFilter(admin.SimpleListFilter):
    title = "steward"
    parameter_name = "steward"

    def lookups(self, request, model_admin):
        return [("none", "No steward (needs a manager)"), ("yes", "Has a steward")]

    def queryset(self, request, queryset):
        flagged = pods_without_steward().values("pk")
        if self.value() == "none":
            return queryset.filter(pk__in=flagged)
        if self.value() == "yes":
            return queryset.exclude(pk__in=flagged)
        return queryset


class CharterInline(admin.TabularInline):
    model = Charter
    extra = 0
    fields = ("version", "created_by", "created_at", "body")
    readonly_fields = fields
    can_delete = False


@admin.register(Pod)
class PodAdmin(admin.ModelAdmin):
    list_display = ("name", "privacy", "is_unlisted", "member_count", "member_cap", "has_steward", "is_umbrella",
                    "parent", "post_count", "last_post_at", "created_at")
    list_filter = (StewardFilter, "privacy", "is_unlisted", "is_umbrella", "region")
    search_fields = ("name", "slug", "description")
    raw_id_fields = ("created_by", "parent")
    readonly_fields = ("member_count", "post_count", "last_post_at", "charter_version", "ladder_pace",
                       "prompt_last_posted_on", "cohort_welcomed_on")
    filter_horizontal = ("tags",)
    inlines = [CharterInline]
    actions = ["recount_members", "recompute_rungs", "offer_waitlist_places"]

    def get_queryset(self, request):
        stewards = Membership.objects.filter(pod=OuterRef("pk"), status="active", role="steward")
        return super().get_queryset(request).annotate(_has_steward=Exists(stewards))

    @admin.display(boolean=True, description="Steward", ordering="_has_steward")
    def has_steward(self, obj):
        return obj._has_steward

    @admin.action(description="Recount members from memberships")
    def recount_members(self, request, queryset):
        fixed = pod_services.pod_counters_sync(pod_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{len(fixed)} pod counters corrected.")

    @admin.action(description="Recompute rungs now")
    def recompute_rungs(self, request, queryset):
        admin_run_each(self, request, queryset, lambda pod: ladder_services.rungs_recompute_pod(pod=pod),
                       done="pod(s) recomputed")

    @admin.action(description="Offer free places to the waitlist")
    def offer_waitlist_places(self, request, queryset):

        def offer(pod):
            with transaction.atomic():
                membership_services.waitlist_offer_places(pod=Pod.objects.select_for_update().get(pk=pod.pk))
        admin_run_each(self, request, queryset, offer, done="pod(s) offered places")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("member", "pod", "status", "role", "rung", "rung_set_by_hand", "joined_at", "ended_at")
    list_filter = ("status", "role", "rung", "rung_set_by_hand")
    search_fields = ("member__username", "member__display_name", "pod__name")
    raw_id_fields = ("member", "pod")
    readonly_fields = ("status", "role", "rung", "rung_set_by_hand", "rung_changed_at", "joined_at", "ended_at",
                       "banned_until", "charter_version_acknowledged", "answer")
    actions = ["remove_members", "make_stewards"]

    @admin.action(description="Remove from their pod")
    def remove_members(self, request, queryset):
        admin_run_each(self, request, queryset, lambda m: membership_services.member_remove(
            actor=request.user, pod=m.pod, member=m.member, reason="removed by a manager"), done="member(s) removed")

    @admin.action(description="Make steward (for pods without one)")
    def make_stewards(self, request, queryset):
        admin_run_each(self, request, queryset, lambda m: pod_services.membership_set_role(
            actor=request.user, pod=m.pod, member=m.member, role=Membership.Role.STEWARD), done="steward(s) made")


@admin.register(MembershipEvent)
class MembershipEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "pod", "member", "kind", "from_value", "to_value", "actor", "reason")
    list_filter = ("kind",)
    search_fields = ("pod__name", "member__username")
    raw_id_fields = ("pod", "member", "actor")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("member", "pod", "status", "created_at", "decided_by", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("member", "pod", "decided_by")
    actions = ["approve", "decline"]

    @admin.action(description="Approve")
    def approve(self, request, queryset):
        admin_run_each(self, request, queryset.filter(status="pending"),
                       lambda jr: membership_services.join_request_decide(actor=request.user, join_request=jr,
                                                                          approve=True),
                       done="request(s) approved")

    @admin.action(description="Decline")
    def decline(self, request, queryset):
        admin_run_each(self, request, queryset.filter(status="pending"),
                       lambda jr: membership_services.join_request_decide(actor=request.user, join_request=jr,
                                                                          approve=False),
                       done="request(s) declined")


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("pod", "code", "uses", "max_uses", "expires_at", "email", "for_member", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("pod__name", "code", "email")
    raw_id_fields = ("pod", "created_by", "for_member")
    readonly_fields = ("uses",)
    actions = ["revoke"]

    @admin.action(description="Withdraw")
    def revoke(self, request, queryset):
        admin_run_each(self, request, queryset,
                       lambda inv: invite_services.invite_revoke(actor=request.user, invite=inv),
                       done="invite(s) revoked")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("pod", "member", "created_at", "offered_at")
    raw_id_fields = ("pod", "member")


@admin.register(PodSuggestion)
class PodSuggestionAdmin(admin.ModelAdmin):
    list_display = ("member", "pod", "score", "reason", "computed_at")
    search_fields = ("member__username", "pod__name")
    raw_id_fields = ("member", "pod")
    actions = ["refresh_for_members"]

    @admin.action(description="Recompute these members' suggestions")
    def refresh_for_members(self, request, queryset):
        ids = sorted(set(queryset.values_list("member_id", flat=True)))
        for member_id in ids:
            suggestion_services.suggestions_refresh_for(member_id)
        self.message_user(request, f"Refreshed {len(ids)} members.")


@admin.register(EmergingNiche)
class EmergingNicheAdmin(admin.ModelAdmin):
    list_display = ("label", "author_count", "previous_author_count", "covered_by", "computed_at")
    list_filter = (("covered_by", admin.EmptyFieldListFilter),)
    readonly_fields = ("key", "label", "author_count", "previous_author_count", "computed_at", "covered_by",
                       "covered_at", "tags")
    actions = ["refresh_now"]

    @admin.action(description="Recompute emerging niches now")
    def refresh_now(self, request, queryset):
        found = niche_services.niches_refresh()
        self.message_user(request, f"{len(found)} emerging niches.")


@admin.register(StewardInvitation)
class StewardInvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are sent from the metrics' micro-influencer table and answered by their member."""

    list_display = ("member", "pod", "niche", "invited_by", "status", "created_at", "expires_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("member__username", "pod__name", "niche__slug")
    list_select_related = ("member", "pod", "niche", "invited_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
