"""Which periods to recompute: the recent ones (every 15 minutes) or a whole history (the command)."""

import logging
from datetime import date, timedelta

from django.utils import timezone

from ..models import PeriodKind
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


def rollup_recent(*, today: date | None = None) -> dict:
    """Recompute the last two days and the week and 28-day windows that contain them (late events)."""
    today = today or timezone.now().date()
    days = [today - timedelta(days=1), today]
    cohorts = cohorts_recompute(weeks=_cohort_weeks(days[0], today), today=today)
    rows = 0
    for kind in (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.D28):
        for start in sorted({period_start(kind, d) for d in days}):
            rows += rollup_period(period=kind, start=start, today=today)
    return {"rollup_rows": rows, "cohort_rows": cohorts}


def metrics_backfill(*, since: date, until: date | None = None, days_since: date | None = None) -> dict:
    """Recompute every period and cohort from `since` to `until` (default today), oldest first, so each
    period's "needs attention" comparison finds its predecessor already recomputed. `days_since`
    (optional, later than `since`) limits the daily rollups to recent days (the demo uses it)."""
    until = until or timezone.now().date()
    cohorts = cohorts_recompute(weeks=_cohort_weeks(since, until), today=until)
    rows = 0
    for kind in (PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.D28):
        first = max(since, days_since) if kind == PeriodKind.DAY and days_since else since
        for start in periods_between(kind, first, until):
            rows += rollup_period(period=kind, start=start, today=until)
    logger.info("metrics backfill %s…%s: %d rollup rows, %d cohort rows", since, until, rows, cohorts)
    return {"rollup_rows": rows, "cohort_rows": cohorts}
