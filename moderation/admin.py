"""Admin for moderation. Writes go through services (assignments, rules); the log is read-only."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .models import Appeal, ModerationLogEntry, ModeratorAssignment, Mute, QueueItem, Report, Rule, RuleHit
from .rules import rules_changed
from .scopes import scope_of_row
from .services.assignments import moderator_assign, moderator_revoke


@admin.register(ModeratorAssignment)
class ModeratorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["member", "scope_kind", "region", "pod", "created_at", "revoked_at"]
    list_filter = ["scope_kind", ("revoked_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["member", "pod"]
    fields = ["member", "scope_kind", "region", "pod"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row stays for the log

    def save_model(self, request, obj, form, change):
        try:
            assignment = moderator_assign(actor=request.user, member=obj.member, scope=scope_of_row(obj))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return
        obj.pk = assignment.pk

    @admin.action(description="Revoke the selected assignments (takes effect at once)")
    def revoke(self, request, queryset):
        for assignment in queryset.filter(revoked_at__isnull=True):
            moderator_revoke(actor=request.user, assignment=assignment, reason="revoked in the admin")


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Rules are made on /moderation/rules/ (validated for strictness and overlap); here they can be
    viewed and switched off in an emergency."""

    list_display = ["title", "kind", "scope_kind", "region", "pod", "enabled", "auto_active", "updated_at"]
    list_filter = ["kind", "scope_kind", "enabled"]
    readonly_fields = ["kind", "scope_kind", "region", "pod", "settings", "auto_active", "auto_changed_at",
                       "created_by", "created_at", "updated_at"]
    fields = ["title", "enabled", *readonly_fields]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rules_changed()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RuleHit)
class RuleHitAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rule", "rule_kind", "scope_kind", "outcome", "content_kind", "member", "content_pod"]
    list_filter = ["outcome", "rule_kind", "scope_kind"]
    list_select_related = ["rule", "member", "content_pod"]


@admin.register(QueueItem)
class QueueItemAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "status", "scope_kind", "region", "pod", "report_count", "score", "claimed_by",
                    "created_at"]
    list_filter = ["status", "kind", "scope_kind"]
    list_select_related = ["region", "pod", "claimed_by"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reporter", "reason", "weight", "item"]
    list_filter = ["reason"]
    list_select_related = ["reporter", "item"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "author", "status", "decided_by", "decided_at"]
    list_filter = ["status"]


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ["member", "scope_kind", "region", "pod", "until", "created_by"]


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(ReadOnlyAdmin):
    """Append-only: no add, change or delete here (the model refuses them too)."""

    list_display = ["created_at", "actor", "action", "scope_kind", "region", "pod", "subject", "rule_title"]
    list_filter = ["action", "scope_kind"]
    list_select_related = ["actor", "region", "pod", "subject"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
