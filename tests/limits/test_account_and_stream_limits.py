"""Sign-up, login and password reset (allauth's limits) answer 429 with our page and Retry-After;
websocket frames are limited per member and address."""

import copy
import os
import uuid
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from petcommunity.asgi import application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


def test_signups_from_one_address_answer_429_with_retry_after(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    codes = []
    for i in range(3):
        form = {"username": f"pup{i}", "email": f"pup{i}@example.com", "password1": "Sturdy-pass-4821",
                "password2": "Sturdy-pass-4821"}
        codes.append(client.post("/accounts/signup/", form))
    assert [r.status_code for r in codes] == [302, 302, 429]
    assert codes[2]["Retry-After"] == "60"
    assert "You're doing that too often" in codes[2].content.decode()


def test_logins_from_one_address_answer_429_with_retry_after(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/5m/ip"}
    UserFactory(username="ann")
    client = Client()
    codes = [client.post("/accounts/login/", {"login": "ann", "password": PASSWORD}).status_code for _ in range(3)]
    assert codes == [302, 302, 302]
    refused = client.post("/accounts/login/", {"login": "ann", "password": PASSWORD})
    assert refused.status_code == 429 and refused["Retry-After"] == "300"


def test_password_reset_requests_answer_429_and_the_window_reopens_with_time(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip,1/m/key"}
    UserFactory(username="bo", email="bo@example.com")
    client = Client()
    base = 1_900_000_000.0
    with mock.patch("time.time", return_value=base):  # allauth's clock (and the local cache's expiry)
        first = client.post("/accounts/password/reset/", {"email": "bo@example.com"})
        again = client.post("/accounts/password/reset/", {"email": "bo@example.com"})
    assert first.status_code == 302
    assert again.status_code == 429 and again["Retry-After"] == "60"
    with mock.patch("time.time", return_value=base + 61):
        assert client.post("/accounts/password/reset/", {"email": "bo@example.com"}).status_code == 302


# --- websocket frames


@pytest.fixture
def layer(settings):
    """A fresh channel layer (Redis under a private prefix in make test-services)."""
    from channels.layers import channel_layers

    if settings.REDIS_URL:
        config = copy.deepcopy(settings.CHANNEL_LAYERS)
        config["default"]["CONFIG"]["prefix"] = f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        settings.CHANNEL_LAYERS = config
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def cookie_for(user) -> str:
    web = Client()
    web.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={web.cookies[django_settings.SESSION_COOKIE_NAME].value}"


def socket_for(cookie: str, client_ip="198.51.100.4"):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie.encode())]
    communicator = WebsocketCommunicator(application, "/ws/feed/commons/", headers=headers)
    communicator.scope["client"] = (client_ip, 40000)
    return communicator


@pytest.mark.django_db(transaction=True)
def test_a_websocket_flood_gets_a_rate_limited_frame_and_the_socket_closes(settings, layer):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ws": {"member": "3/m", "newcomer": "3/m", "ip": "100/m"}}
    cookie = cookie_for(UserFactory())

    async def scenario():
        ws = socket_for(cookie)
        connected, _ = await ws.connect()
        assert connected
        answers = []
        for _ in range(3):
            await ws.send_json_to({"type": "ping"})
            answers.append(await ws.receive_json_from())
        await ws.send_json_to({"type": "ping"})
        answers.append(await ws.receive_json_from())
        closed = await ws.receive_output()
        await ws.disconnect()
        return answers, closed

    with mock.patch("petcommunity.ratelimit._now", return_value=1_800_000_010.0):
        answers, closed = async_to_sync(scenario)()
    assert answers[:3] == [{"type": "pong"}] * 3
    assert answers[3] == {"type": "rate_limited", "retry_after": 50}
    assert closed == {"type": "websocket.close", "code": 4429}


@pytest.mark.django_db(transaction=True)
def test_websocket_frames_count_per_address_across_members(settings, layer):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "ws": {"member": "50/m", "newcomer": "50/m", "ip": "2/m"}}
    first, second = cookie_for(UserFactory()), cookie_for(UserFactory())

    async def ping(cookie):
        ws = socket_for(cookie, client_ip="198.51.100.77")
        assert (await ws.connect())[0]
        await ws.send_json_to({"type": "ping"})
        answer = await ws.receive_json_from()
        await ws.disconnect()
        return answer

    with mock.patch("petcommunity.ratelimit._now", return_value=1_800_000_000.0):
        answers = [async_to_sync(ping)(u) for u in (first, second, second)]
    assert answers == [{"type": "pong"}, {"type": "pong"}, {"type": "rate_limited", "retry_after": 60}]
