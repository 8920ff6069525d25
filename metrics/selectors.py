"""Reads for the dashboards: rollup tables only (never raw events), a fixed number of queries per page."""

from collections import defaultdict
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from communities.models import Place
from microgroups.models import EmergingNiche, Pod

from .models import (
    InfluencerRollup,
    MetricRollup,
    PeriodKind,
    PodBenchmark,
    PulseResponse,
    PulseSurvey,
    RetentionCohort,
    ScopeKind,
)
from .periods import LENGTH, period_end, period_start, previous_start
from .services.rollups import retention_w4_window

Scope = tuple[str, int]
COMMONS: Scope = (ScopeKind.COMMONS, 0)
PODS: Scope = (ScopeKind.PODS, 0)


def latest_complete_start(period: str, end: date) -> date:
    """The start of the latest period of this kind that ends on or before `end`."""
    start = period_start(period, end)
    return start if period_end(period, start) <= end else previous_start(period, start)


def _scopes_q(scopes: list[Scope]) -> Q:
    q = Q(pk__in=[])
    for kind, scope_id in scopes:
        q |= Q(scope_kind=kind, scope_id=scope_id)
    return q


def rollups_for(*, period: str, starts: list[date], scopes: list[Scope]) -> dict[tuple, MetricRollup]:
    """{(scope kind, scope id, start): row} in one query."""
    rows = MetricRollup.objects.filter(_scopes_q(scopes), period=period, start__in=starts)
    return {(r.scope_kind, r.scope_id, r.start): r for r in rows}


def rollup_series(*, period: str, first: date, last: date,
                  scopes: list[Scope]) -> dict[Scope, dict[date, MetricRollup]]:
    rows = MetricRollup.objects.filter(_scopes_q(scopes), period=period, start__gte=period_start(period, first),
                                       start__lte=last).order_by("start")
    out: dict[Scope, dict[date, MetricRollup]] = defaultdict(dict)
    for r in rows:
        out[(r.scope_kind, r.scope_id)][r.start] = r
    return out


def retention_w4_for(*, period: str, starts: list[date], scopes: list[Scope]) -> dict[tuple, float | None]:
    """Pooled week-4 retention per (scope kind, scope id, period start), in one query."""
    lo, hi = retention_w4_weeks(period, starts)
    cohorts = list(RetentionCohort.objects.filter(_scopes_q(scopes), segment=RetentionCohort.Segment.ALL,
                                                  cohort_week__gte=lo, cohort_week__lte=hi,
                                                  retained_4__isnull=False))
    return pooled_w4(cohorts, period=period, starts=starts, scopes=scopes)


def retention_w4_weeks(period: str, starts: list[date]) -> tuple[date, date]:
    """The first and last cohort week whose week 4 counts for any of these periods."""
    windows = [retention_w4_window(period, s) for s in starts]
    return min(w[0] for w in windows), max(w[1] for w in windows)


def pooled_w4(cohorts: list[RetentionCohort], *, period: str, starts: list[date],
              scopes: list[Scope]) -> dict[tuple, float | None]:
    """Pooled week-4 retention per (scope kind, scope id, period start) from already read cohorts."""
    windows = {s: retention_w4_window(period, s) for s in starts}
    cohorts = [c for c in cohorts if c.segment == RetentionCohort.Segment.ALL and c.retained_4 is not None]
    out = {}
    for scope in scopes:
        for start, (first, last) in windows.items():
            mine = [c for c in cohorts if (c.scope_kind, c.scope_id) == scope and first <= c.cohort_week <= last]
            size = sum(c.size for c in mine)
            out[(*scope, start)] = sum(c.retained_4 for c in mine) / size if size else None
    return out


def pod_rows(*, period: str, start: date, limit: int) -> list[MetricRollup]:
    """The busiest pods of a period (by active members), for the scatter, sentiment map and tables."""
    return list(MetricRollup.objects.filter(scope_kind=ScopeKind.POD, period=period, start=start,
                                            members_end__gt=0).order_by("-active_members", "-members_end",
                                                                         "scope_id")[:limit])


def pods_needing_attention(*, period: str, start: date, limit: int = 50) -> list[MetricRollup]:
    return list(MetricRollup.objects.filter(scope_kind=ScopeKind.POD, period=period, start=start)
                .exclude(attention="").order_by("-members_end", "scope_id")[:limit])


def region_rows(*, period: str, start: date, limit: int = 50) -> list[tuple[object, MetricRollup]]:
    """(place, row) for every region with data in the period, busiest first (two queries)."""

    rows = list(MetricRollup.objects.filter(scope_kind=ScopeKind.REGION, period=period, start=start)
                .order_by("-active_members", "scope_id")[:limit])
    places = {p.pk: p for p in Place.objects.filter(pk__in=[r.scope_id for r in rows]).only("pk", "name")}
    return [(places[r.scope_id], r) for r in rows if r.scope_id in places]


def pod_names(ids) -> dict[int, object]:

    return {p.pk: p for p in Pod.objects.filter(pk__in=set(ids)).only("pk", "name", "slug")}


def cohorts_between(*, first: date, last: date, scopes: list[Scope], segments: list[str]) -> list[RetentionCohort]:
    return list(RetentionCohort.objects.filter(_scopes_q(scopes), segment__in=segments, cohort_week__gte=first,
                                               cohort_week__lte=last).order_by("cohort_week"))


def pooled_retention(cohorts: list[RetentionCohort]) -> list[float | None]:
    """Week-k retention pooled over cohorts (only cohorts whose week k is over count for k)."""
    out = []
    for k in range(1, 9):
        done = [c for c in cohorts if getattr(c, f"retained_{k}") is not None]
        size = sum(c.size for c in done)
        out.append(sum(getattr(c, f"retained_{k}") for c in done) / size if size else None)
    return out


def week_rows_for_pods(*, pod_ids: list[int], first: date, last: date) -> dict[int, dict[date, MetricRollup]]:
    rows = MetricRollup.objects.filter(scope_kind=ScopeKind.POD, scope_id__in=pod_ids, period=PeriodKind.WEEK,
                                       start__gte=period_start(PeriodKind.WEEK, first), start__lte=last)
    out: dict[int, dict[date, MetricRollup]] = defaultdict(dict)
    for r in rows:
        out[r.scope_id][r.start] = r
    return out


def influencers_for(*, period: str, start: date, limit: int = 60) -> list[InfluencerRollup]:
    return list(InfluencerRollup.objects.filter(period=period, start=start).select_related("tag", "member")
                .order_by("tag__name", "rank")[:limit])


def emerging_niches(limit: int = 10) -> list:

    return list(EmergingNiche.objects.select_related("covered_by").prefetch_related("tags")[:limit])


def pulse_surveys(*, pod, limit: int = 6) -> list[PulseSurvey]:
    return list(PulseSurvey.objects.filter(pod=pod).order_by("-month")[:limit])


def pulse_answers(*, survey: PulseSurvey, limit: int = 100) -> list[PulseResponse]:
    """Free-text answers for stewards and managers (anonymous to them: no member is attached)."""
    return list(PulseResponse.objects.filter(survey=survey).exclude(text="").only("score", "text", "created_at")
                .order_by("-created_at")[:limit])


def pulse_prompt_for(*, user, pod) -> PulseSurvey | None:
    """This month's survey when `user` may still answer it (a member since it opened), in one query."""

    if not getattr(user, "is_authenticated", False):
        return None
    month = timezone.now().date().replace(day=1)
    return (PulseSurvey.objects.filter(pod=pod, month=month, pod__memberships__member_id=user.pk,
                                       pod__memberships__status="active",
                                       pod__memberships__joined_at__lte=F("opened_at"))
            .exclude(responses__member_id=user.pk).first())


def default_range(period: str, end: date) -> date:
    return end - timedelta(days=LENGTH[period] * (30 if period == PeriodKind.DAY else 12) - 1)


def pod_benchmarks(*, period: str, first: date, last: date) -> dict[date, PodBenchmark]:
    """{period start: the all-pods medians row} for the periods in [first, last], in one query."""
    rows = PodBenchmark.objects.filter(period=period, start__gte=period_start(period, first), start__lte=last)
    return {b.start: b for b in rows}


def benchmarks_between(*, period: str, first: date, last: date) -> dict[date, dict]:
    """{period start: all-pods medians} for the periods in [first, last], in one query."""
    rows = PodBenchmark.objects.filter(period=period, start__gte=period_start(period, first), start__lte=last)
    return {b.start: b.medians for b in rows}


def pulse_by_month(*, limit: int = 6) -> list[dict]:
    """The pulse across pods, per month: pods asked, members asked, answers and the score sum (one query)."""

    return list(PulseSurvey.objects.values("month").annotate(pods=Count("id"), asked=Sum("asked_count"),
                                                              answers=Sum("response_count"), scores=Sum("score_sum"))
                .order_by("-month")[:limit])


PICKER_SECONDS = 300  # the pickers' lists may lag a new pod or region by this long (typing a name still works)


def region_choices() -> list:
    """Every region, by name, for the dashboard's region picker (cached: regions rarely change)."""
    return cache.get_or_set("metrics:regions", lambda: list(
        Place.objects.filter(kind="region").only("pk", "name", "slug").order_by("name", "pk")), PICKER_SECONDS)


def pod_choices(limit: int = 1000) -> list:
    """Pods by name for the dashboard's pod picker (a searchable list; cached)."""
    return cache.get_or_set("metrics:pods", lambda: list(
        Pod.objects.only("pk", "name", "slug").order_by("name", "pk")[:limit]), PICKER_SECONDS)
