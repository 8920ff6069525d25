"""Admin for members and their pets. Actions call the services, so the admin never bypasses a rule."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils import timezone

from common.admin import admin_run_each

from ..models import Pet, User
from ..services.accounts import account_delete, member_suspend, member_unsuspend


class OnboardedFilter(admin.SimpleListFilter):
    title = "onboarding"
    parameter_name = "onboarded"

    def lookups(self, request, model_admin):
        return [("yes", "Onboarded"), ("no", "Not yet")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(onboarded_at__isnull=self.value() == "no")
        return queryset


class SuspendedFilter(admin.SimpleListFilter):
    title = "suspension"
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", "Suspended now"), ("no", "Not suspended")]

    def queryset(self, request, queryset):
        now_suspended = Q(suspended_until__gt=timezone.now())
        if self.value() == "yes":
            return queryset.filter(now_suspended)
        if self.value() == "no":
            return queryset.exclude(now_suspended)
        return queryset


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", "Deleted accounts"), ("no", "Live accounts")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


class PetInline(admin.TabularInline):
    model = Pet
    fields = ["name", "species", "breed", "birth_year"]
    autocomplete_fields = ["species", "breed"]
    extra = 0
    show_change_link = True


def _username(member) -> str:
    return member.username


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "email", "region", "onboarded_at", "last_active_at",
                    "suspended_until", "deleted_at", "is_staff"]
    list_filter = [OnboardedFilter, SuspendedFilter, DeletedFilter, ("region", admin.RelatedOnlyFieldListFilter),
                   "is_staff", "groups"]
    search_fields = ["username", "display_name", "email"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["interests", "groups", "user_permissions"]
    readonly_fields = ["last_login", "date_joined", "last_active_at", "onboarded_at", "deleted_at"]
    inlines = [PetInline]
    actions = ["suspend_7_days", "unsuspend", "delete_accounts"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["display_name", "email", "bio", "avatar", "region", "interests", "time_zone"]}),
        ("Visibility", {"fields": ["bio_visibility", "region_visibility", "pets_visibility",
                                   "interests_visibility"]}),
        ("Status", {"fields": ["is_active", "suspended_until", "onboarded_at", "last_active_at", "deleted_at",
                               "last_login", "date_joined"]}),
        ("Permissions", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a hard delete would take the member's posts with it
        return actions

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deleted with the "Delete account" action (personal data only)

    @admin.action(description="Suspend for 7 days", permissions=["change"])
    def suspend_7_days(self, request, queryset):
        admin_run_each(self, request, queryset, lambda m: member_suspend(actor=request.user, member=m, days=7),
                       done="member(s) suspended for 7 days", label=_username)

    @admin.action(description="Lift suspension", permissions=["change"])
    def unsuspend(self, request, queryset):
        admin_run_each(self, request, queryset, lambda m: member_unsuspend(actor=request.user, member=m),
                       done="member(s) unsuspended", label=_username)

    @admin.action(description="Delete account (remove personal data, keep posts)", permissions=["change"])
    def delete_accounts(self, request, queryset):
        admin_run_each(self, request, queryset.filter(deleted_at__isnull=True),
                       lambda m: account_delete(actor=request.user, member=m), done="member(s) deleted",
                       label=_username)


@admin.register(Pet)
class PetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "species", "breed", "birth_year", "created_at"]
    list_filter = [("species", admin.RelatedOnlyFieldListFilter), "needs"]
    search_fields = ["name", "owner__username", "owner__display_name"]
    list_select_related = ["owner", "species", "breed"]
    autocomplete_fields = ["owner", "species", "breed"]
    filter_horizontal = ["needs"]
