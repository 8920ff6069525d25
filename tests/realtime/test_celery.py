"""The Celery app and beat schedule: one app, Django task class, fault-tolerant defaults."""

import pytest
from django.conf import settings

from petcommunity.celery import app


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()  # runs the Django-app autodiscovery, as a worker does at start
    return set(app.tasks)


def test_every_beat_entry_names_a_registered_task():
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] not in registered_tasks()}
    assert missing == {}


@pytest.mark.parametrize("name", ["communities.tasks.digests_send", "communities.tasks.digests_send_chunk",
                                  "communities.tasks.webhook_deliver"])
def test_realtime_tasks_are_late_acked_and_retry_on_database_or_network_errors(name):
    assert name in registered_tasks()
    task = app.tasks[name]
    assert task.acks_late is True
    assert {"OperationalError", "ConnectionError"} <= {cls.__name__ for cls in task.autoretry_for}
    assert task.retry_backoff


def test_the_app_uses_the_django_task_class_and_safe_worker_defaults():
    task = app.tasks["communities.tasks.digests_send"]
    assert hasattr(task, "delay_on_commit")
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"


@pytest.mark.django_db
def test_delay_on_commit_sends_nothing_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    from communities.tasks import digests_send

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        digests_send.delay_on_commit("daily")
        raise RuntimeError
    assert callbacks == []
