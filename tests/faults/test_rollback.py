"""A transaction that rolls back queues no task and sends no broadcast: real broker, real channel layer.

One service call that both broadcasts (the new post's card) and queues tasks (a mention email, a
webhook delivery) runs inside an outer transaction that then fails. The control run, committed, shows
the same call does queue two tasks and send the frame, so the test can fail.
"""

import asyncio
import copy
import os
import threading
import time
import uuid

import pytest
import redis
from django.db import transaction

from communities.models import Webhook
from communities.services.posts import post_create
from communities.streams import COMMONS_GROUP
from petcommunity.celery import app
from petcommunity.outbox.models import ParkedTask
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker(_eager_celery, settings):
    """Tasks go through Redis (not in-process), into a queue of this test's own."""
    queue = f"rollback-{uuid.uuid4().hex[:8]}"
    app.conf.update(task_always_eager=False, task_default_queue=queue)
    yield redis.Redis.from_url(settings.REDIS_URL), queue
    app.conf.update(task_default_queue="celery")
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)


class Listener:
    """A separate layer instance (as another web process would hold) listening on the Commons group, in a
    thread with its own event loop: the pub/sub layer keeps a channel and its groups in the loop that made
    them, and hears only what is published while it listens. `frames()` is called once."""

    def __init__(self):
        from channels.layers import channel_layers, get_channel_layer

        channel_layers.backends.clear()
        self.layer = get_channel_layer()
        self.got: list[dict] = []
        self.ready, self.stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10), "the listener did not subscribe"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._listen())
        finally:
            loop.close()

    async def _listen(self) -> None:
        channel = await self.layer.new_channel()
        await self.layer.group_add(COMMONS_GROUP, channel)
        self.ready.set()
        pending = None
        while True:
            # One receive at a time, never cancelled while listening: cancelling one unsubscribes the channel.
            pending = pending or asyncio.ensure_future(self.layer.receive(channel))
            done, _ = await asyncio.wait({pending}, timeout=0.2)
            if done:
                self.got.append(pending.result()["frame"])
                pending = None
            elif self.stop.is_set():
                pending.cancel()
                return

    def frames(self) -> list[dict]:
        time.sleep(1.0)  # what was sent has arrived by now
        self.stop.set()
        self.thread.join(10)
        return self.got


@pytest.fixture
def listener(settings):
    from channels.layers import channel_layers

    config = copy.deepcopy(settings.CHANNEL_LAYERS)
    config["default"]["CONFIG"]["prefix"] = f"test-rb-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    settings.CHANNEL_LAYERS = config
    yield Listener
    channel_layers.backends.clear()


def publish_with_side_effects(author, mentioned) -> None:
    post_create(actor=author, body=f"Hello @{mentioned.username}", audience="everyone")


def test_a_rolled_back_write_queues_no_task_and_broadcasts_nothing(services_required, real_broker, listener):
    broker, queue = real_broker
    author, mentioned = UserFactory(), UserFactory(email_notification_kinds=["mention"])
    Webhook.objects.create(name="Hook", url="http://127.0.0.1:9/hook", secret="s" * 32,
                           events=[Webhook.Event.POST_CREATED])

    rolled_back = listener()
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_with_side_effects(author, mentioned)
        raise RuntimeError("the request failed after the service ran")
    assert broker.llen(queue) == 0
    assert rolled_back.frames() == []
    assert ParkedTask.objects.count() == 0

    committed = listener()
    publish_with_side_effects(author, mentioned)  # the control: committed
    assert broker.llen(queue) == 2  # the mention email and the webhook delivery
    assert [frame["type"] for frame in committed.frames()] == ["post.new"]
