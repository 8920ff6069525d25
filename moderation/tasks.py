"""Celery entry points for moderation (scheduled in CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services.automation import auto_slow_mode_update, queue_sweep
from .services.bans import bans_lift_expired


@shared_task(name="moderation.tasks.auto_slow_mode")
def auto_slow_mode() -> int:
    return auto_slow_mode_update()


@shared_task(name="moderation.tasks.queue_sweep")
def sweep() -> list[int]:
    return list(queue_sweep())


@shared_task(name="moderation.tasks.bans_lift")
def bans_lift() -> int:
    return bans_lift_expired()
