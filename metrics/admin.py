"""Admin: rollups and pulses are read-only here (tasks and services write them); one recompute action."""

from django.contrib import admin, messages

from .models import MetricRollup, PulseResponse, PulseSurvey, RetentionCohort
from .services import rollup_period


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MetricRollup)
class MetricRollupAdmin(ReadOnlyAdmin):
    list_display = ["scope_kind", "scope_id", "period", "start", "impressions", "unique_reach", "active_members",
                    "posts", "comments", "reactions", "members_end", "attention", "computed_at"]
    list_filter = ["period", "scope_kind"]
    date_hierarchy = "start"
    actions = ["recompute"]

    @admin.action(description="Recompute the selected periods (all scopes)")
    def recompute(self, request, queryset):
        periods = set(queryset.values_list("period", "start"))
        for period, start in sorted(periods):
            rollup_period(period=period, start=start)
        self.message_user(request, f"Recomputed {len(periods)} period(s).", messages.SUCCESS)


@admin.register(RetentionCohort)
class RetentionCohortAdmin(ReadOnlyAdmin):
    list_display = ["scope_kind", "scope_id", "segment", "cohort_week", "size", "retained_1", "retained_4",
                    "retained_8"]
    list_filter = ["scope_kind", "segment"]


@admin.register(PulseSurvey)
class PulseSurveyAdmin(ReadOnlyAdmin):
    list_display = ["pod", "month", "asked_count", "response_count", "mean_score", "response_rate"]
    list_select_related = ["pod"]
    search_fields = ["pod__name"]


@admin.register(PulseResponse)
class PulseResponseAdmin(ReadOnlyAdmin):
    # No member column: answers are shown to stewards without names, and the admin keeps to that.
    list_display = ["survey", "score", "text", "created_at"]
    list_select_related = ["survey__pod"]
    fields = ["survey", "score", "text", "created_at"]
