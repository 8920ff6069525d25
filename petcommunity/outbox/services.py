"""Park a task the broker refused after commit; queue parked tasks again once the broker is back.

A write that committed must not lose its side effects because Redis was down for a moment, nor turn
into an error page after the fact. So the app's task class (petcommunity.celery.DurableDjangoTask)
parks such a task here, in the same database as the write, and beat runs `outbox_flush` every minute.
Tasks are idempotent (STYLE.md), so a task queued twice (a flush that died after sending) is harmless.
"""

import logging

from django.db import transaction

from petcommunity.celery import app

from .models import ParkedTask

logger = logging.getLogger(__name__)


def task_park(*, name: str, args, kwargs, options: dict, error: BaseException) -> ParkedTask:
    logger.warning("broker unavailable, parking %s until it is back: %s", name, error)
    return ParkedTask.objects.create(name=name, args=list(args or ()), kwargs=dict(kwargs or {}),
                                     options=dict(options or {}), error=str(error)[:300])


def outbox_flush(*, batch: int = 200) -> int:
    """Queue every parked task, oldest first; a row is deleted only with its batch sent."""
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(ParkedTask.objects.select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not rows:
                return sent
            for row in rows:
                app.send_task(row.name, args=row.args, kwargs=row.kwargs, **row.options)
            ParkedTask.objects.filter(pk__in=[row.pk for row in rows]).delete()
        sent += len(rows)
        logger.info("outbox: queued %d parked tasks", len(rows))
