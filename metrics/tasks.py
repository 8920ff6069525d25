"""Celery entry points for metrics: each calls one service."""

from datetime import date

from celery import shared_task

from . import services
from .services.pulse import pulse_sync_counters


@shared_task(name="metrics.tasks.impressions_flush", ignore_result=True)
def impressions_flush() -> int:
    return services.impressions_flush()


@shared_task(name="metrics.tasks.rollup_recent", ignore_result=True)
def rollup_recent() -> dict:
    return services.rollup_recent()


@shared_task(name="metrics.tasks.rollup_period", ignore_result=True)
def rollup_period(period: str, start: str) -> int:
    return services.rollup_period(period=period, start=date.fromisoformat(start))


@shared_task(name="metrics.tasks.metrics_nightly", ignore_result=True)
def metrics_nightly() -> dict:
    """Open this month's pulse where missing and repair the pulse counters."""

    return {"opened": services.pulse_open_month(), "repaired": pulse_sync_counters()}
