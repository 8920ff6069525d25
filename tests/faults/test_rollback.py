"""A transaction that rolls back queues no task and sends no broadcast: real broker, real channel layer.

One service call that both broadcasts (the new post's card) and queues tasks (a mention email, a
webhook delivery) runs inside an outer transaction that then fails. The control run, committed, shows
the same call does queue two tasks and send the frame, so the test can fail.
"""

import asyncio
import copy
import os
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
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
    """A separate layer instance (as another web process would hold) listening on the Commons group.
    `frames()` is called once: channels-redis binds a channel's buffer to the event loop that reads it."""

    def __init__(self):
        from channels.layers import channel_layers, get_channel_layer

        channel_layers.backends.clear()
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(COMMONS_GROUP, self.channel)

    def frames(self) -> list[dict]:
        async def drain() -> list[dict]:
            out = []
            try:
                while True:
                    out.append((await asyncio.wait_for(self.layer.receive(self.channel), timeout=1.0))["frame"])
            except TimeoutError:
                return out

        return async_to_sync(drain)()


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
