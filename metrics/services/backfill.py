"""Which periods to recompute: the recent ones (every 15 minutes) or a whole history (the command)."""

import logging
from datetime import date, timedelta

from django.utils import timezone

from ..models import DirtyDay, PeriodKind
from ..periods import period_start, periods_between, week_monday
from .cohorts import WEEKS, cohorts_recompute
from .rollups import rollup_period

logger = logging.getLogger(__name__)


def _cohort_weeks(first: date, last: date) -> list[date]:
    """Cohort weeks whose retention weeks (1…8 after joining) overlap [first, last], and those joining in it."""
    monday = week_monday(first) - timedelta(days=7 * WEEKS)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _recompute_days(days: set[date], today: date) -> tuple[int, int]:
    """Recompute these days, the weeks and 28-day windows that hold them, and the cohorts they touch."""
    weeks = sorted({w for d in days for w in _cohort_weeks(d, d) if w <= today})
    cohorts = cohorts_recompute(weeks=weeks, today=today)
    rows = 0
    for kind in (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.D28):
        for start in sorted({period_start(kind, d) for d in days}):
            rows += rollup_period(period=kind, start=start, today=today)
    return rows, cohorts


def rollup_recent(*, today: date | None = None) -> dict:
    """Recompute yesterday and today, plus every day marked dirty by a late event, and the weeks and
    28-day windows that contain them; then clear the marks seen (idempotent: a second run finds none)."""
    today = today or timezone.now().date()
    started = timezone.now()
    marks = list(DirtyDay.objects.filter(marked_at__lte=started, day__lte=today).values_list("day", flat=True))
    days = {today - timedelta(days=1), today} | set(marks)
    rows, cohorts = _recompute_days(days, today)
    cleared, _ = DirtyDay.objects.filter(marked_at__lte=started, day__lte=today).delete()
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
