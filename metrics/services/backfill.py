"""Which periods to recompute: the recent ones (every 15 minutes) or a whole history (the command)."""

import logging
from datetime import UTC, date, timedelta

from django.db.models import Q
from django.utils import timezone

from communities.models import User
from microgroups.models import MembershipEvent
from moderation.models import RuleHit

from ..models import DirtyDay, PeriodKind, RollupBookmark, ScopeKind
from ..periods import period_start, periods_between, week_monday
from .cohorts import SEGMENTS, WEEKS, cohorts_recompute
from .events import dirty_mark
from .rollups import Scopes, rollup_period

BOOKMARK = "recent"

logger = logging.getLogger(__name__)


def _cohort_weeks(first: date, last: date) -> list[date]:
    """Cohort weeks whose retention weeks (1…8 after joining) overlap [first, last], and those joining in it."""
    monday = week_monday(first) - timedelta(days=7 * WEEKS)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


ALL = None  # every scope (see `rollups.Scopes`)
PERIOD_KINDS = (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.D28)


def _add(plan: dict, key, scopes: Scopes | None) -> None:
    """Merge `scopes` into plan[key] (None: every scope, which absorbs any other)."""
    if key in plan and plan[key] is None:
        return
    if scopes is None:
        plan[key] = None
        return
    mine = plan.setdefault(key, {})
    for kind, ids in scopes.items():
        if ids is None or mine.get(kind, set()) is None:
            mine[kind] = None
        else:
            mine.setdefault(kind, set()).update(ids)


def _mark_scopes(kind: str, scope_id: int) -> tuple[Scopes, dict]:
    """(rollup scopes, cohort scopes) a mark on one scope makes stale: a pod's mark also counts for all pods
    together and, as activity anywhere, for the pod-joining segments; a Commons mark for the segments too."""
    if kind == ScopeKind.POD:
        return ({ScopeKind.POD: {scope_id}, ScopeKind.PODS: None},
                {ScopeKind.POD: {scope_id}, ScopeKind.PODS: None, SEGMENTS: None})
    if kind == ScopeKind.REGION:
        return {ScopeKind.REGION: {scope_id}}, {ScopeKind.REGION: {scope_id}}
    return {ScopeKind.COMMONS: None}, {ScopeKind.COMMONS: None, SEGMENTS: None}


def _plan(marks, full_days: set[date], cohort_weeks: list[date], today: date) -> tuple[dict, dict]:
    """({(period, start): scopes}, {cohort week: scopes}) for the marked (scope, day)s, plus every scope
    of the periods holding `full_days` and of `cohort_weeks`."""
    periods: dict = {}
    cohorts: dict = {}
    for day in full_days:
        for kind in PERIOD_KINDS:
            _add(periods, (kind, period_start(kind, day)), ALL)
    for week in cohort_weeks:
        _add(cohorts, week, ALL)
    for scope_kind, scope_id, day in marks:
        rollup_scopes, cohort_scopes = _mark_scopes(scope_kind, scope_id)
        for kind in PERIOD_KINDS:
            _add(periods, (kind, period_start(kind, day)), rollup_scopes)
        for week in _cohort_weeks(day, day):
            if week <= today:
                _add(cohorts, week, cohort_scopes)
    return periods, cohorts


def _recompute_days(work: tuple[dict, dict], today: date) -> tuple[int, int]:
    """Recompute the planned cohorts, then the planned periods: days, weeks, 28-day windows, oldest first
    (so each "needs attention" comparison finds its predecessor recomputed, and the medians their cohorts)."""
    periods, cohorts = work
    cohort_rows = sum(cohorts_recompute(weeks=[week], today=today, scopes=cohorts[week]) for week in sorted(cohorts))
    rows = 0
    for kind in PERIOD_KINDS:
        for (period, start) in sorted(key for key in periods if key[0] == kind):
            rows += rollup_period(period=period, start=start, today=today, scopes=periods[(period, start)])
    return rows, cohort_rows


def _mark_unhooked(since, until) -> int:
    """Mark what changed in [since, until) without passing a metrics hook, found by its timestamp: pod
    joins and leaves (pod members and cohorts), sign-ups and account deletions (Commons and region members
    and cohorts), rule hits. Each is written at the moment it happens, so its timestamp is its day."""
    by_day: dict[date, tuple[set, set]] = {}

    def note(at, pod_id, member_id) -> None:
        if at is not None and since <= at < until:
            pods, members = by_day.setdefault(at.astimezone(UTC).date(), (set(), set()))
            pods.add(pod_id)
            if member_id is not None:
                members.add(member_id)

    window = {"created_at__gte": since, "created_at__lt": until}
    for pod_id, at in MembershipEvent.objects.filter(**window).values_list("pod_id", "created_at"):
        note(at, pod_id, None)
    users = User.objects.filter(Q(date_joined__gte=since, date_joined__lt=until)
                                | Q(deleted_at__gte=since, deleted_at__lt=until))
    for pk, joined, deleted in users.values_list("pk", "date_joined", "deleted_at"):
        note(joined, None, pk)
        note(deleted, None, pk)
    for pod_id, member_id, at in RuleHit.objects.filter(**window).values_list("content_pod_id", "member_id",
                                                                              "created_at"):
        note(at, pod_id, member_id)
    # Dated `until` (this run's start), so this run sees them; a later mark of the same day stays later.
    return sum(dirty_mark(pod_ids=pods, member_ids=members, day=day, at=until)
               for day, (pods, members) in by_day.items())


def rollup_recent(*, today: date | None = None) -> dict:
    """Recompute what changed since the last run: each marked (scope, day) for its day, week and 28-day
    window and the cohorts that count it; on a new day, every scope of the periods holding today (their
    last day moved) and, in a new week, the cohorts whose weeks ended. Nothing marked on the same day:
    nothing is written. Then clear the marks seen (idempotent: a second run finds none)."""
    today = today or timezone.now().date()
    started = timezone.now()
    bookmark = RollupBookmark.objects.filter(name=BOOKMARK).first()
    if bookmark is None:  # the first run: the last two days in full, as a backfill would
        full_days, weeks = {today - timedelta(days=1), today}, _cohort_weeks(today - timedelta(days=1), today)
    else:
        _mark_unhooked(bookmark.started_at, started)
        first = min(bookmark.today + timedelta(days=1), today)
        full_days = {first + timedelta(days=i) for i in range((today - first).days + 1)} - {bookmark.today}
        new_week = week_monday(today) != week_monday(bookmark.today)
        weeks = _cohort_weeks(min(bookmark.today, today), today) if new_week else []
    seen = DirtyDay.objects.filter(marked_at__lte=started, day__lte=today)
    marks = list(seen.values_list("scope_kind", "scope_id", "day"))
    rows, cohorts = _recompute_days(_plan(marks, full_days, weeks, today), today)
    cleared, _ = seen.delete() if marks else (0, None)
    if bookmark is None:
        RollupBookmark.objects.create(name=BOOKMARK, started_at=started, today=today)
    else:
        RollupBookmark.objects.filter(pk=bookmark.pk).update(started_at=started, today=today)
    return {"rollup_rows": rows, "cohort_rows": cohorts, "dirty_cleared": cleared}


def metrics_backfill(*, since: date, until: date | None = None, days_since: date | None = None) -> dict:
    """Recompute every period and cohort from `since` to `until` (default today), oldest first, so each
    period's "needs attention" comparison finds its predecessor already recomputed. `days_since`
    (optional, later than `since`) limits the daily rollups to recent days (the demo uses it)."""
    until = until or timezone.now().date()
    began = timezone.now()
    cohorts = cohorts_recompute(weeks=_cohort_weeks(since, until), today=until)
    rows = 0
    for kind in (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.D28):
        first = max(since, days_since) if kind == PeriodKind.DAY and days_since else since
        for start in periods_between(kind, first, until):
            rows += rollup_period(period=kind, start=start, today=until)
    # The backfill recomputed every week and window in range: marks made before it began are done.
    DirtyDay.objects.filter(day__gte=since, day__lte=until, marked_at__lte=began).delete()
    logger.info("metrics backfill %s…%s: %d rollup rows, %d cohort rows", since, until, rows, cohorts)
    return {"rollup_rows": rows, "cohort_rows": cohorts}
