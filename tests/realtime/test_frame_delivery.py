"""A broadcast frame is encoded once and relayed as that text; streams that add their member's own values
still encode per socket. Run with REDIS_URL these go through the configured Redis pub/sub layer."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from communities import streams
from tests.factories import PodFactory, UserFactory, join

from .test_consumers import connected, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


def test_the_broadcast_carries_the_frame_encoded_once():
    frame = {"type": "post.new", "id": 3, "html": "<p>Café \"walk\"</p>"}
    message = streams._frame_message(frame)
    assert message == {"type": "stream.frame", "frame": frame, "text": json.dumps(frame)}


def test_a_feed_socket_relays_the_encoded_text_as_it_is():
    async def scenario():
        feed = await connected("/ws/feed/commons/")
        layer = get_channel_layer()
        # The text stands for the frame; a socket that re-encoded the frame would send id 1.
        await layer.group_send(streams.COMMONS_GROUP, {"type": "stream.frame", "via": streams.COMMONS_GROUP,
                                                      "frame": {"type": "post.new", "id": 1},
                                                      "text": '{"type": "post.new", "id": 2}'})
        assert await feed.receive_from(timeout=1) == '{"type": "post.new", "id": 2}'
        # A frame from a sender that did not encode it is encoded here.
        await layer.group_send(streams.COMMONS_GROUP, {"type": "stream.frame", "via": streams.COMMONS_GROUP,
                                                      "frame": {"type": "post.new", "id": 4}})
        assert await feed.receive_json_from(timeout=1) == {"type": "post.new", "id": 4}
        await feed.disconnect()

    run(scenario)


def test_queue_frames_still_carry_each_moderators_own_count():
    pod = PodFactory()
    steward = UserFactory()
    join(steward, pod, role="steward")

    async def scenario():
        queue = await connected("/ws/moderation/queue/", steward)
        await database_sync_to_async(streams.broadcast)(
            [streams.moderation_queue_group(steward.pk)], {"type": "queue.new", "id": 7, "html": "<li>x</li>"})
        assert await queue.receive_json_from(timeout=1) == {"type": "queue.new", "id": 7, "html": "<li>x</li>",
                                                            "queue_count": 0}
        await queue.disconnect()

    run(scenario)


def test_a_socket_hears_nothing_of_a_group_it_was_not_allowed_to_join():
    pod = PodFactory(privacy="request")
    newcomer = UserFactory()
    join(newcomer, pod)

    async def scenario():
        feed = await connected(f"/ws/feed/pod/{pod.slug}/", newcomer)
        layer = get_channel_layer()
        trusted = streams.pod_group(pod.pk, trusted=True)
        await layer.group_send(trusted, streams._frame_message({"type": "post.new", "id": 9}) | {"via": trusted})
        assert await feed.receive_nothing(timeout=0.5)
        everyone = streams.pod_group(pod.pk)
        await layer.group_send(everyone, streams._frame_message({"type": "post.new", "id": 10}) | {"via": everyone})
        assert (await feed.receive_json_from(timeout=1))["id"] == 10
        await feed.disconnect()

    async_to_sync(scenario)()


def test_relaying_a_frame_skips_the_hop_to_the_sync_thread_a_queue_frame_keeps_it(monkeypatch):
    """channels closes stale connections before every handler in the sync thread; a feed socket relaying a
    broadcast touches no database and skips that hop, while a stream that queries per frame keeps it."""
    from channels import consumer

    hops = []
    original = consumer.aclose_old_connections

    async def counted():
        hops.append(1)
        return await original()

    monkeypatch.setattr(consumer, "aclose_old_connections", counted)
    pod = PodFactory()
    steward = UserFactory()
    join(steward, pod, role="steward")

    async def scenario():
        feed = await connected("/ws/feed/commons/")
        queue = await connected("/ws/moderation/queue/", steward)
        before = len(hops)
        await database_sync_to_async(streams.broadcast)([streams.COMMONS_GROUP], {"type": "post.new", "id": 5})
        assert await feed.receive_json_from(timeout=1) == {"type": "post.new", "id": 5}
        assert len(hops) == before
        await database_sync_to_async(streams.broadcast)(
            [streams.moderation_queue_group(steward.pk)], {"type": "queue.new", "id": 8, "html": "<li>y</li>"})
        assert (await queue.receive_json_from(timeout=1))["queue_count"] == 0
        assert len(hops) == before + 1
        await feed.disconnect()
        await queue.disconnect()

    run(scenario)


def test_a_socket_that_leaves_stops_reading_its_layer_channel():
    """Leaving ends the socket's read of its own layer channel, which lets the layer forget the channel
    (the Redis layer unsubscribes it); the frames a socket hears come through that one read."""

    async def scenario():
        layer = get_channel_layer()
        feed = await connected("/ws/feed/commons/")
        await layer.group_send(streams.COMMONS_GROUP, streams._frame_message({"type": "post.new", "id": 11})
                               | {"via": streams.COMMONS_GROUP})
        assert (await feed.receive_json_from(timeout=1))["id"] == 11
        assert len(layer.channels) == 1
        await feed.disconnect()
        assert len(layer.channels) == 0

    run(scenario)


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis pub/sub layer only (make test-services)")
def test_a_broadcast_from_a_thread_without_an_event_loop_reaches_the_socket():
    """Code with no event loop (a gunicorn thread, a Celery task) publishes with a plain Redis client;
    the socket's layer reads the same channel and bytes as from the layer's own group_send."""
    from petcommunity.group_send import _clients

    async def scenario():
        feed = await connected("/ws/feed/commons/")
        sender = threading.Thread(target=streams._send, args=([streams.COMMONS_GROUP],
                                                              streams._frame_message({"type": "post.new", "id": 12})))
        sender.start()
        await asyncio.get_running_loop().run_in_executor(None, sender.join)
        assert await feed.receive_json_from(timeout=1) == {"type": "post.new", "id": 12}
        assert _clients[get_channel_layer()] is not None  # it went through the plain client
        await feed.disconnect()

    run(scenario)
