"""The matrix for messages beyond URL patterns: inboxes, the reports list, live frames and emails.

The world holds one conversation between the author and `regular`: a reported message (managers may
read it in the reports list) and an unreported one (nobody but the two participants, ever)."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.core import mail

from communities.streams import user_group
from messaging.services import message_send

from . import matrix, policy
from .world import build_world, canary

pytestmark = pytest.mark.django_db

PAGES = ["/messages/", "/messages/reports/", "/messages/settings/", "/messages/new/", "/search/?q=CANARY"]


@pytest.fixture(autouse=True)
def eager_celery():
    from petcommunity.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


@pytest.mark.timeout(900)
def test_message_pages_show_messages_to_participants_and_reported_ones_to_managers_only():
    world = build_world()
    tally = matrix.Tally()
    for role, client in matrix.clients(world).items():
        for url in PAGES:
            response = client.get(url)
            tally.cells += 1
            matrix.scan_canaries(world, role, response.content.decode(), f"GET {url} as {role}", tally)
        reports = client.get("/messages/reports/").content.decode()
        shown = canary("message", "reported") in reports
        if shown != policy.manager(role):
            tally.fail(f"reports list as {role}: reported message shown={shown}")
    inbox = matrix.clients(world)["regular"].get(f"/messages/{world.conversation.pk}/").content.decode()
    assert canary("message", "reported") in inbox and canary("message", "unreported") in inbox
    assert tally.failures == [], "\n".join(tally.failures)


def test_a_new_message_reaches_the_participants_stream_and_email_only(django_capture_on_commit_callbacks, settings):
    # One process's layer in memory: the pub/sub Redis layer keeps a channel in the event loop that made it,
    # and each async_to_sync call below runs its own loop (tests/realtime cover the Redis layer).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    world = build_world()
    layer = get_channel_layer()
    channels = {}
    for role, user in world.users.items():
        if user is not None:
            channels[role] = async_to_sync(layer.new_channel)()
            async_to_sync(layer.group_add)(user_group(user.pk), channels[role])
    text = canary("message", "unreported")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(actor=world.author, conversation=world.conversation, body=text)
    heard = {}
    for role, channel in channels.items():
        heard[role] = _drain(layer, channel)
    assert [role for role, frames in heard.items() if frames] == ["regular"]
    assert text in heard["regular"][0]["html"]
    assert [m.to for m in mail.outbox] == [[world.users["regular"].email]]
    assert text not in mail.outbox[0].body  # the email says who wrote, never what


def _drain(layer, channel) -> list[dict]:
    """Frames queued for a channel (the in-memory and Redis layers both answer at once when one waits)."""
    import asyncio

    async def take():
        frames = []
        while True:
            try:
                event = await asyncio.wait_for(layer.receive(channel), timeout=0.2)
            except TimeoutError:
                return frames
            frames.append(event["frame"])
    return async_to_sync(take)()
