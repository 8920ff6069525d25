"""Helpers for websocket tests: a communicator on the real ASGI stack (origin check, session auth)."""

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
    """Each test gets a fresh in-memory channel layer (no frames left over from another test)."""
    from channels.layers import channel_layers

    if not settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
