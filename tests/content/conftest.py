"""Fixtures for the content tests: members, a manager, and a listener on the in-memory channel layer."""

import io

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import Group
from PIL import Image

from tests.factories import UserFactory


@pytest.fixture
def written(django_capture_on_commit_callbacks):
    """Run a write and its after-commit effects (the version bumps), as a request would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def member(db):
    return UserFactory(username="maya")


@pytest.fixture
def other(db):
    return UserFactory(username="ben")


@pytest.fixture
def manager(db):
    user = UserFactory(username="boss", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


class Listener:
    """Joins channel-layer groups and collects the frames broadcast to them."""

    def __init__(self, *groups):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        for group in groups:
            async_to_sync(self.layer.group_add)(group, self.channel)

    def frames(self) -> list[dict]:
        out = []
        while True:
            try:
                message = async_to_sync(self._receive_nowait)()
            except TimeoutError:
                return out
            out.append(message["frame"])

    async def _receive_nowait(self):
        import asyncio

        return await asyncio.wait_for(self.layer.receive(self.channel), timeout=0.05)


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks queued on commit run in-process, also when REDIS_URL names a broker (make test-services)."""
    from petcommunity.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


@pytest.fixture
def listen(settings):
    # In memory also under REDIS_URL: the pub/sub Redis layer keeps a channel in the event loop that made
    # it, and each async_to_sync call of the Listener runs a loop of its own (tests/realtime cover Redis).
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield Listener
    async_to_sync(get_channel_layer().flush)()  # groups of finished tests must not fill up


def image_upload(name="photo.jpg", size=(64, 48), fmt="JPEG", exif: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buf = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", size, (200, 120, 40)).save(buf, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")
