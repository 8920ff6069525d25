"""The one Celery app. Tasks use the Django task class, so `delay_on_commit` queues after commit."""

import functools
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "petcommunity.settings.dev")


class DurableDjangoTask(DjangoTask):
    """Every task of the app: survives a database outage and a broker outage without losing work.

    - A task that meets a lost database (restart, failover) retries with backoff instead of failing
      (tasks may set their own `autoretry_for`; tasks are idempotent, see STYLE.md).
    - `delay_on_commit` never turns a committed write into an error: when the broker is unreachable
      after commit the task is parked in the database (outbox app) and queued again by beat.
    """

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = True
    retry_backoff_max = 300
    max_retries = 12  # about half an hour of backoff

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self._publish_after_commit, args, kwargs, {}))

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(functools.partial(self._publish_after_commit, args or (), kwargs or {}, options))

    def _publish_after_commit(self, args, kwargs, options) -> None:
        if self.app.conf.task_always_eager:  # in-process: nothing to park, errors are the task's own
            self.apply_async(args, kwargs, **options)
            return
        try:
            self.apply_async(args, kwargs, **options)
        except (BrokerUnavailable, RedisError, OSError) as exc:
            # this module loads with the project package, before any model; the outbox is a model
            from petcommunity.outbox.services import task_park

            task_park(name=self.name, args=args, kwargs=kwargs, options=options, error=exc)


app = Celery("petcommunity", task_cls=DurableDjangoTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
