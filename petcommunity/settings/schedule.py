"""A shortened beat schedule for demos and smoke runs (BEAT_SCHEDULE_SCALE).

Every entry keeps its task and arguments but runs as a plain interval: its nominal period times the
scale, never more often than every MIN_SECONDS. `make run` uses 0.1, so the 15-minute metrics rollup runs
every 90 s and a post shows on the dashboard within two minutes; production leaves the schedule alone.
"""

from datetime import timedelta

from celery.schedules import crontab

WEEK_SECONDS = 7 * 86400
MIN_SECONDS = 5.0


def schedule_period(schedule) -> float:
    """Nominal seconds between runs: the interval itself, or a week over a crontab's runs per week."""
    if isinstance(schedule, crontab):
        runs = len(schedule.minute) * len(schedule.hour) * len(schedule.day_of_week)
        return WEEK_SECONDS / runs
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    return float(schedule)


def schedule_scaled(entries: dict, scale: float) -> dict:
    if scale == 1:
        return entries
    return {name: {**entry, "schedule": max(MIN_SECONDS, schedule_period(entry["schedule"]) * scale)}
            for name, entry in entries.items()}
