"""Celery entry point: beat runs it every minute; it only runs when the broker is reachable again."""

from celery import shared_task

from .services import outbox_flush as flush


@shared_task(name="outbox.tasks.outbox_flush", ignore_result=True)
def outbox_flush() -> int:
    return flush()
