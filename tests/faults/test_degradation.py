"""The pieces that keep outages clean, one by one (fast; the end-to-end outages are in test_outages.py)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.test import Client
from kombu.exceptions import OperationalError as BrokerUnavailable

from petcommunity.cache import DegradingRedisCache
from petcommunity.celery import app
from petcommunity.outbox.models import ParkedTask
from petcommunity.outbox.services import outbox_flush
from tests.factories import UserFactory

from .stack import free_port


@pytest.fixture
def dead_redis_cache():
    DegradingRedisCache._down_until = 0.0
    cache = DegradingRedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    yield cache
    DegradingRedisCache._down_until = 0.0


def test_an_unreachable_redis_reads_as_misses_and_drops_writes(dead_redis_cache):
    cache = dead_redis_cache
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is True  # "go ahead": nothing may rely on the cache as a lock
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        cache.incr("k")


def test_after_one_failure_the_cache_is_not_tried_again_for_a_few_seconds(dead_redis_cache):
    cache = dead_redis_cache
    with mock.patch("petcommunity.cache.time.monotonic", return_value=1000.0):
        assert cache.get("k") is None  # tries, fails, opens the breaker until 1005
    with mock.patch("petcommunity.cache.time.monotonic", return_value=1004.0), \
            mock.patch.object(type(cache._cache), "get", side_effect=AssertionError("tried")):
        assert cache.get("k", "skip") == "skip"
    with mock.patch("petcommunity.cache.time.monotonic", return_value=1006.0), \
            mock.patch.object(type(cache._cache), "get", return_value="back") as real:
        assert cache.get("k") == "back"
    assert real.called


@pytest.mark.django_db
def test_a_database_lost_while_loading_the_session_answers_the_clean_503_page():
    browser = Client(raise_request_exception=False)
    browser.force_login(UserFactory())
    cache.clear()  # the session is read from the cache first (cached_db): evicted, it comes from the database
    with mock.patch("django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
                    side_effect=OperationalError("connection to server at 127.0.0.1 failed")):
        response = browser.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "We'll be right back" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_in_middleware_stay_500s():
    browser = Client(raise_request_exception=False)
    browser.force_login(UserFactory())
    bug = RuntimeError("a bug, not an outage")
    cache.clear()
    with mock.patch("django.contrib.sessions.backends.db.SessionStore._get_session_from_db", side_effect=bug):
        assert browser.get("/").status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_task_the_broker_refuses_after_commit_is_parked_then_queued_by_the_flush(_eager_celery):
    app.loader.import_default_modules()
    send_notification_email = app.tasks["communities.tasks.send_notification_email"]
    _eager_celery.conf.update(task_always_eager=False)
    refused = mock.patch.object(send_notification_email, "apply_async", side_effect=BrokerUnavailable("down"))
    with refused, transaction.atomic():
        send_notification_email.delay_on_commit(42)
    # the committed write stands; no exception reached the caller
    parked = ParkedTask.objects.get()
    assert (parked.name, parked.args, parked.kwargs) == ("communities.tasks.send_notification_email", [42], {})
    with mock.patch.object(app, "send_task") as send:
        assert outbox_flush() == 1
    send.assert_called_once_with("communities.tasks.send_notification_email", args=[42], kwargs={})
    assert ParkedTask.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_flush_that_cannot_reach_the_broker_keeps_the_parked_tasks(_eager_celery):
    ParkedTask.objects.create(name="communities.tasks.send_notification_email", args=[7])
    with mock.patch.object(app, "send_task", side_effect=BrokerUnavailable("still down")), \
            pytest.raises(BrokerUnavailable):
        outbox_flush()
    assert ParkedTask.objects.count() == 1


def test_every_task_retries_a_lost_database_with_backoff():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) > 10
    for name, task in ours.items():
        assert OperationalError in task.autoretry_for or issubclass(OperationalError, task.autoretry_for), name
        assert task.retry_backoff, name
