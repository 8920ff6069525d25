"""Period arithmetic: UTC days, ISO weeks, and 28-day windows aligned to a fixed Monday."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from .models import PeriodKind

D28_EPOCH = date(2024, 1, 1)  # a Monday: every 28-day window is four whole ISO weeks
LENGTH = {PeriodKind.DAY: 1, PeriodKind.WEEK: 7, PeriodKind.D28: 28}


def period_start(kind: str, day: date) -> date:
    """The first day of the period of this kind that contains `day`."""
    if kind == PeriodKind.DAY:
        return day
    if kind == PeriodKind.WEEK:
        return day - timedelta(days=day.weekday())
    offset = (day - D28_EPOCH).days % 28
    return day - timedelta(days=offset)


def period_end(kind: str, start: date) -> date:
    return start + timedelta(days=LENGTH[kind] - 1)


def previous_start(kind: str, start: date) -> date:
    return start - timedelta(days=LENGTH[kind])


def periods_between(kind: str, first: date, last: date) -> Iterator[date]:
    """Starts of every period of this kind that overlaps [first, last]."""
    start = period_start(kind, first)
    while start <= last:
        yield start
        start += timedelta(days=LENGTH[kind])


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
