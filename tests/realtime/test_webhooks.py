"""Outgoing webhooks against a real local HTTP receiver (no mocks): scope, signing, once-only, retries."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from communities import webhooks as http
from communities.models import Post, Webhook, WebhookDelivery
from communities.services import webhooks as service
from communities.services.posts import post_create, post_delete
from microgroups.models import Pod
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db


class Receiver:
    """A tiny HTTP server that records each request and answers with the next queued status."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": self.headers, "body": body})  # case-insensitive
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings):
    # The receiver listens on loopback, which deliveries refuse unless a manager allows the range
    # (test_webhook_addresses covers the refusals).
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def manager():
    return UserFactory(is_staff=True, is_superuser=True)


def hook(manager, url, *, pod=None, events=("post.created",)):
    return service.webhook_register(actor=manager, name="Automation", url=url, events=list(events), pod=pod)


def publish(capture, **kwargs) -> Post:
    with capture(execute=True):
        return post_create(**kwargs)


def test_a_commons_post_is_delivered_signed_to_commons_hooks_only(receiver, manager,
                                                                  django_capture_on_commit_callbacks):
    commons_hook = hook(manager, receiver.url)
    hook(manager, receiver.url + "/pod", pod=PodFactory())
    post = publish(django_capture_on_commit_callbacks, actor=UserFactory(), body="Walkies at noon")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["headers"]["X-PetCommunity-Event"] == "post.created"
    assert http.verify(commons_hook.secret, request["body"], request["headers"]["X-PetCommunity-Signature"])
    assert not http.verify("wrong-secret", request["body"], request["headers"]["X-PetCommunity-Signature"])
    payload = json.loads(request["body"])
    assert payload["data"]["post"]["id"] == post.pk
    assert payload["data"]["post"]["body"] == "Walkies at noon"
    assert payload["scope"] == {"pod": None}
    assert str(payload["timestamp"]) == request["headers"]["X-PetCommunity-Timestamp"]
    delivery = WebhookDelivery.objects.get(webhook=commons_hook)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)


def test_pod_content_goes_only_to_that_pods_hooks_and_trusted_posts_never_leave(
        receiver, manager, django_capture_on_commit_callbacks):
    pod, other = PodFactory(privacy=Pod.Privacy.REQUEST), PodFactory()
    author = UserFactory()
    join(author, pod, rung="trusted")
    pod_hook = hook(manager, receiver.url, pod=pod)
    hook(manager, receiver.url + "/commons")
    hook(manager, receiver.url + "/other", pod=other)
    publish(django_capture_on_commit_callbacks, actor=author, pod=pod, body="Only for trusted eyes",
            audience="trusted")
    assert receiver.requests == []
    post = publish(django_capture_on_commit_callbacks, actor=author, pod=pod, body="Pod news")
    assert [r["headers"]["Host"] for r in receiver.requests] and len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["data"]["post"]["id"] == post.pk
    assert list(WebhookDelivery.objects.values_list("webhook_id", flat=True)) == [pod_hook.pk]


def test_the_same_event_never_delivers_twice(receiver, manager, django_capture_on_commit_callbacks):
    commons_hook = hook(manager, receiver.url)
    post = publish(django_capture_on_commit_callbacks, actor=UserFactory(), body="Once")
    with django_capture_on_commit_callbacks(execute=True):
        assert service.webhooks_post_published(post) == []
    delivery = WebhookDelivery.objects.get(webhook=commons_hook)
    assert service.webhook_delivery_attempt(delivery_id=delivery.pk) == "delivered"
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 1


def test_failures_are_recorded_then_given_up_after_the_last_attempt(receiver, manager,
                                                                     django_capture_on_commit_callbacks):
    receiver.statuses = [500] * service.MAX_ATTEMPTS
    hook(manager, receiver.url)
    publish(django_capture_on_commit_callbacks, actor=UserFactory(), body="Flaky receiver")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, 500)
    for _ in range(service.MAX_ATTEMPTS - 1):
        service.webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("gave_up", service.MAX_ATTEMPTS)
    assert service.webhook_delivery_attempt(delivery_id=delivery.pk) == "gave_up"
    assert len(receiver.requests) == service.MAX_ATTEMPTS


def test_an_unreachable_receiver_is_a_failed_attempt_without_status(manager, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # a loopback hook may be saved, but nothing listens
    hook(manager, "http://127.0.0.1:9/nothing-listens-here")
    publish(django_capture_on_commit_callbacks, actor=UserFactory(), body="Into the void")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 1, None)
    assert delivery.last_error


def test_delivery_rechecks_visibility_when_it_runs(receiver, manager):
    hook(manager, receiver.url)
    author = UserFactory()
    post = post_create(actor=author, body="Gone before delivery")  # on-commit delivery not run here
    delivery = WebhookDelivery.objects.get()
    post_delete(actor=author, post=post)
    assert service.webhook_delivery_attempt(delivery_id=delivery.pk) == "gave_up"
    delivery.refresh_from_db()
    assert delivery.last_error == "post no longer visible in the hook's scope"
    assert receiver.requests == []


def test_a_disabled_hook_gets_nothing_already_queued(receiver, manager):
    commons_hook = hook(manager, receiver.url)
    post_create(actor=UserFactory(), body="Queued")
    Webhook.objects.filter(pk=commons_hook.pk).update(is_active=False)
    assert service.webhook_delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk) == "gave_up"
    assert receiver.requests == []


def test_a_rolled_back_post_emits_nothing(receiver, manager, django_capture_on_commit_callbacks):
    hook(manager, receiver.url)
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        post_create(actor=UserFactory(), body="Never")
        raise RuntimeError("rollback")
    assert callbacks == []
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_other_events_use_the_same_scope_rules(receiver, manager, django_capture_on_commit_callbacks):
    pod = PodFactory()
    hook(manager, receiver.url, pod=pod, events=["pod.member_joined"])
    hook(manager, receiver.url + "/commons", events=["pod.member_joined"])
    with django_capture_on_commit_callbacks(execute=True):
        ids = service.webhooks_emit("pod.member_joined", pod=pod, key=41,
                                    payload_builder=lambda: {"pod": pod.slug, "members": 4})
        assert service.webhooks_emit("pod.member_joined", pod=pod, key=41,
                                     payload_builder=lambda: {"pod": pod.slug, "members": 4}) == []
        assert service.webhooks_emit("pod.full", pod=pod, key=41, payload_builder=dict) == []
    assert len(ids) == 1 and len(receiver.requests) == 1
    assert receiver.requests[0]["headers"]["X-PetCommunity-Event"] == "pod.member_joined"


def test_only_managers_register_hooks_and_events_are_checked(manager):
    with pytest.raises(PermissionDenied):
        service.webhook_register(actor=UserFactory(), name="x", url="https://example.com/h", events=["post.created"])
    with pytest.raises(ValidationError):
        service.webhook_register(actor=manager, name="x", url="https://example.com/h", events=["post.stolen"])
    with pytest.raises(ValidationError):
        service.webhook_register(actor=manager, name="x", url="ftp://example.com/h", events=["post.created"])
    created = service.webhook_register(actor=manager, name="x", url="https://example.com/h",
                                       events=["post.created"])
    assert len(created.secret) == 64


def test_backoff_grows_exponentially_and_is_capped():
    assert [service.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert service.backoff_seconds(30) == 6 * 3600


def test_webhook_admin_pages_are_for_managers(client, manager):
    client.force_login(manager)
    assert client.get("/admin/communities/webhook/add/").status_code == 200
    response = client.post("/admin/communities/webhook/add/", {
        "name": "Zapier", "url": "https://hooks.example.com/x", "events": ["post.created", "pod.full"],
        "is_active": "on",
    })
    assert response.status_code == 302
    created = Webhook.objects.get(name="Zapier")
    assert created.events == ["pod.full", "post.created"] and len(created.secret) == 64
    assert client.get("/admin/communities/webhookdelivery/").status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/communities/webhook/").status_code == 403


def test_the_admin_redeliver_action_queues_after_commit_through_the_service(client, receiver, manager,
                                                                           django_capture_on_commit_callbacks):
    receiver.statuses = [500] * service.MAX_ATTEMPTS
    hook(manager, receiver.url)
    publish(django_capture_on_commit_callbacks, actor=UserFactory(), body="Flaky receiver")
    delivery = WebhookDelivery.objects.get()
    for _ in range(service.MAX_ATTEMPTS - 1):
        service.webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "gave_up" and len(receiver.requests) == service.MAX_ATTEMPTS
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post("/admin/communities/webhookdelivery/", {"action": "redeliver", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    # nothing is sent before commit: the delivery waits in the on-commit queue (the outbox's way in)
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("failed", 0, service.MAX_ATTEMPTS)
    assert len(queued) == 1
    queued[0]()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(receiver.requests)) == ("delivered", 1, service.MAX_ATTEMPTS + 1)
