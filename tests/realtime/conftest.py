"""Helpers for websocket tests: a communicator on the real ASGI stack (origin check, session auth)."""

import copy
import os
import uuid

import pytest
from channels.testing.websocket import WebsocketCommunicator  # not channels.testing: that needs daphne
from django.conf import settings
from django.test import Client

from petcommunity.asgi import application


def session_cookie_for(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(path: str, *, session: str | None = None, origin: str = "http://testserver"):
    headers = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if session:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def in_memory_layer(settings):
    """Each test gets a fresh channel layer: in-memory, or (make test-services) Redis under a prefix of
    its own, so parallel test processes sharing a Redis database never hear each other's frames."""
    from channels.layers import channel_layers

    if settings.REDIS_URL:
        layer = copy.deepcopy(settings.CHANNEL_LAYERS)
        layer["default"]["CONFIG"]["prefix"] = f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        settings.CHANNEL_LAYERS = layer
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process, also when REDIS_URL names a broker; the worker tests opt out."""
    from petcommunity.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])
