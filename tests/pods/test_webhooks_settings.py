"""A pod's Webhooks settings: stewards create hooks (the address rules at the field), see the secret
once, rotate it, pause and resume, read the deliveries and send a failed one again through the outbox.
Everyone else gets a 404, as for a pod that does not exist."""

import re
import socket
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from kombu.exceptions import OperationalError as BrokerUnavailable

from communities import webhooks as http
from communities.models import Webhook, WebhookDelivery
from communities.tasks import webhook_deliver
from microgroups.services import webhooks as hook_services
from petcommunity.outbox.models import ParkedTask
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db

PUBLIC_IP = "93.184.215.14"  # a public address: no resolver is asked
FAKE_DNS = {"hooks.example.com": PUBLIC_IP, "localhost": "127.0.0.1", "intranet.example.com": "10.1.2.3",
            "metadata.example.com": "169.254.169.254"}


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """The DNS boundary: these names answer these addresses; any other name does not resolve."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host in FAKE_DNS:
            return real(FAKE_DNS[host], *args, **kwargs)
        if re.fullmatch(r"[\d.:a-fA-Fx\[\]]+", host or ""):
            return real(host, *args, **kwargs)  # address literals, decimal and hex forms included
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def pod():
    return PodFactory(slug="leeds-cats", name="Leeds Cats", privacy="request")


@pytest.fixture
def steward(pod):
    user = UserFactory(username="sam")
    join(user, pod, role="steward", rung="trusted")
    return user


def _hook(pod, steward, **kwargs) -> Webhook:
    values = {"name": "Discord", "url": "https://hooks.example.com/pc", "events": ["post.created"], **kwargs}
    return hook_services.pod_webhook_create(actor=steward, pod=pod, **values)


def test_a_steward_creates_a_hook_and_sees_its_secret_once(client, pod, steward):
    client.force_login(steward)
    page = client.post("/pods/leeds-cats/settings/webhooks/", {
        "name": "Discord", "url": "https://hooks.example.com/pc", "events": ["post.created", "pod.member_joined"]})
    hook = Webhook.objects.get()
    assert (hook.pod, hook.name, hook.events, hook.is_active) == (pod, "Discord",
                                                                  ["pod.member_joined", "post.created"], True)
    assert page.status_code == 200 and hook.secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "This is the only time the secret is shown" in page.content.decode()
    for later in ("/pods/leeds-cats/settings/webhooks/", f"/pods/leeds-cats/settings/webhooks/{hook.pk}/"):
        body = client.get(later).content.decode()
        assert "https://hooks.example.com/pc" in body and hook.secret not in body


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook",
    "http://[::1]/hook", "https://intranet.example.com/hook",
    "https://metadata.example.com/hook", "http://[::ffff:192.168.1.20]/hook", "http://100.64.0.1/hook",
])
def test_a_private_address_is_refused_at_the_field_and_the_input_kept(client, steward, url, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    client.force_login(steward)
    page = client.post("/pods/leeds-cats/settings/webhooks/", {"name": "Sneaky", "url": url,
                                                               "events": ["post.created"]})
    body = page.content.decode()
    assert page.status_code == 400
    assert "loopback, link-local (cloud metadata), private or reserved" in body
    assert 'value="Sneaky"' in body and url.replace("&", "&amp;") in body
    assert Webhook.objects.count() == 0


def test_the_service_refuses_private_addresses_too_and_an_allowed_range_opens_them(pod, steward, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    for encoded in ("http://2130706433/hook", "http://0x7f000001/hook", "http://localhost:8000/hook"):
        assert http.url_refusal(encoded) == http.URL_REFUSED, encoded  # decimal, hex, a name for loopback
    with pytest.raises(ValidationError) as refused:
        _hook(pod, steward, url="http://192.168.1.20/hook")
    assert list(refused.value.message_dict) == ["url"]
    settings.WEBHOOK_ALLOWED_NETWORKS = ["192.168.1.0/24"]
    assert _hook(pod, steward, url="http://192.168.1.20/hook").url == "http://192.168.1.20/hook"


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_again_at_each_delivery(pod, steward):
    assert _hook(pod, steward, url="https://not-yet.example.net/hook").pk
    assert http.url_refusal("ftp://hooks.example.com/x") == ("Webhook URLs start with https:// (or http://) "
                                                             "and name a host.")


def test_events_are_the_pods_own_and_a_pod_keeps_at_most_ten_hooks(pod, steward):
    with pytest.raises(ValidationError) as refused:
        _hook(pod, steward, events=["report.opened"])
    assert list(refused.value.message_dict) == ["events"]
    for n in range(hook_services.POD_HOOKS_MAX):
        _hook(pod, steward, name=f"Hook {n}")
    with pytest.raises(ValidationError, match="at most 10 hooks"):
        _hook(pod, steward, name="One too many")


def test_rotating_shows_the_new_secret_once_and_deliveries_sign_with_it(client, pod, steward):
    hook = _hook(pod, steward)
    old = hook.secret
    client.force_login(steward)
    page = client.post(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/rotate/")
    hook.refresh_from_db()
    assert hook.secret != old and len(hook.secret) == 64
    assert hook.secret in page.content.decode() and old not in page.content.decode()
    assert hook.secret not in client.get(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/").content.decode()


def test_pause_and_resume(client, pod, steward):
    hook = _hook(pod, steward)
    client.force_login(steward)
    assert client.post(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/pause/").status_code == 302
    hook.refresh_from_db()
    assert hook.is_active is False
    assert "Paused: nothing is recorded or sent" in client.get(
        f"/pods/leeds-cats/settings/webhooks/{hook.pk}/").content.decode()
    client.post(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/resume/")
    hook.refresh_from_db()
    assert hook.is_active is True


def test_the_deliveries_list_shows_status_code_attempts_and_time(client, pod, steward):
    hook = _hook(pod, steward)
    WebhookDelivery.objects.create(webhook=hook, event="post.created", event_key="post.created:7", payload={},
                                   status="gave_up", attempts=8, response_code=503, last_error="HTTP 503")
    WebhookDelivery.objects.create(webhook=hook, event="post.created", event_key="post.created:8", payload={},
                                   status="delivered", attempts=1, response_code=200)
    client.force_login(steward)
    body = client.get(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/").content.decode()
    rows = re.findall(r"<tr>\s*<td>#(\d+).*?</tr>", body, flags=re.S)
    assert len(rows) == 2
    assert "HTTP 503" in body and "Gave up" in body and "HTTP 200" in body and "Delivered" in body
    assert '<td class="num">8</td>' in body and '<td class="num">1</td>' in body
    assert body.count("Send again") == 1  # the delivered one is not offered again
    listed = client.get("/pods/leeds-cats/settings/webhooks/").content.decode()
    assert "1 failed" in listed and "Active" in listed


def test_the_list_costs_a_fixed_number_of_queries(client, pod, steward, django_assert_max_num_queries):
    for n in range(3):
        hook = _hook(pod, steward, name=f"Hook {n}")
        for k in range(3):
            WebhookDelivery.objects.create(webhook=hook, event="post.created", event_key=f"k{k}", payload={})
    client.force_login(steward)
    client.get("/pods/leeds-cats/settings/webhooks/")
    with django_assert_max_num_queries(12) as few:
        client.get("/pods/leeds-cats/settings/webhooks/")
    for n in range(3, 8):
        _hook(pod, steward, name=f"Hook {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/pods/leeds-cats/settings/webhooks/")


def _gave_up(hook) -> WebhookDelivery:
    return WebhookDelivery.objects.create(webhook=hook, event="post.created", event_key="post.created:41",
                                          payload={"event": "post.created", "scope": {"pod": hook.pod.slug},
                                                   "data": {}},
                                          status="gave_up", attempts=8, response_code=500)


def test_redeliver_queues_after_commit_through_the_outbox_task_class(client, pod, steward,
                                                                     django_capture_on_commit_callbacks):
    delivery = _gave_up(_hook(pod, steward))
    client.force_login(steward)
    with mock.patch.object(webhook_deliver, "apply_async") as sent:
        with django_capture_on_commit_callbacks(execute=False) as queued:
            page = client.post(f"/pods/leeds-cats/settings/webhooks/{delivery.webhook_id}/deliveries/"
                               f"{delivery.pk}/redeliver/")
        assert page.status_code == 302 and sent.call_count == 0  # nothing leaves before commit
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("failed", 0)
        assert len(queued) == 1
        queued[0]()  # the commit: the durable task class publishes (or parks, see below)
        sent.assert_called_once_with((delivery.pk,), {})


@pytest.mark.django_db(transaction=True)
def test_redeliver_with_the_broker_down_parks_the_task_in_the_outbox(pod, steward, _eager_celery):
    delivery = _gave_up(_hook(pod, steward))
    _eager_celery.conf.update(task_always_eager=False)
    with mock.patch.object(webhook_deliver, "apply_async", side_effect=BrokerUnavailable("down")), \
            transaction.atomic():
        hook_services.pod_webhook_redeliver(actor=steward, pod=pod, delivery=delivery)
    parked = ParkedTask.objects.get()
    assert (parked.name, parked.args) == ("communities.tasks.webhook_deliver", [delivery.pk])


def test_redeliver_refuses_a_delivered_one_and_a_paused_hook(client, pod, steward):
    hook = _hook(pod, steward)
    done = WebhookDelivery.objects.create(webhook=hook, event="post.created", event_key="k", payload={},
                                          status="delivered", attempts=1, response_code=200)
    with pytest.raises(ValidationError, match="Only failed deliveries"):
        hook_services.pod_webhook_redeliver(actor=steward, pod=pod, delivery=done)
    failed = _gave_up(hook)
    hook_services.pod_webhook_set_active(actor=steward, pod=pod, webhook=hook, active=False)
    failed.webhook.refresh_from_db()
    with pytest.raises(ValidationError, match="resume it first"):
        hook_services.pod_webhook_redeliver(actor=steward, pod=pod, delivery=failed)
    client.force_login(steward)
    page = client.post(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/deliveries/{failed.pk}/redeliver/",
                       follow=True)
    assert "resume it first" in page.content.decode()
    failed.refresh_from_db()
    assert failed.status == "gave_up"


def test_delete_removes_the_hook_and_its_log(client, pod, steward):
    hook = _hook(pod, steward)
    _gave_up(hook)
    client.force_login(steward)
    assert client.post(f"/pods/leeds-cats/settings/webhooks/{hook.pk}/delete/").status_code == 302
    assert Webhook.objects.count() == 0 and WebhookDelivery.objects.count() == 0


def test_members_other_stewards_and_strangers_get_404_managers_get_in(client, pod, steward):
    hook = _hook(pod, steward)
    delivery = _gave_up(hook)
    member = UserFactory()
    join(member, pod, rung="trusted")
    other_steward = UserFactory()
    join(other_steward, PodFactory(), role="steward")
    base = f"/pods/leeds-cats/settings/webhooks/{hook.pk}/"
    gets = ["/pods/leeds-cats/settings/webhooks/", base]
    posts = ["/pods/leeds-cats/settings/webhooks/", f"{base}rotate/", f"{base}pause/", f"{base}resume/",
             f"{base}delete/", f"{base}deliveries/{delivery.pk}/redeliver/"]
    for user in (member, other_steward, UserFactory()):
        client.force_login(user)
        assert [client.get(u).status_code for u in gets] == [404, 404]
        assert [client.post(u, {"name": "x", "url": "https://hooks.example.com/x"}).status_code
                for u in posts] == [404] * 6
    hook.refresh_from_db()
    assert (hook.is_active, Webhook.objects.count()) == (True, 1)
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    client.force_login(manager)
    assert [client.get(u).status_code for u in gets] == [200, 200]
    other_pod_hook = _hook(PodFactory(slug="other-pod"), manager)
    client.force_login(steward)
    assert client.get(f"/pods/leeds-cats/settings/webhooks/{other_pod_hook.pk}/").status_code == 404


def test_services_check_the_steward_and_that_the_hook_is_the_pods(pod, steward):
    hook = _hook(pod, steward)
    with pytest.raises(PermissionDenied):
        hook_services.pod_webhook_secret_rotate(actor=UserFactory(), pod=pod, webhook=hook)
    other = PodFactory()
    join(steward, other, role="steward")
    with pytest.raises(Http404):
        hook_services.pod_webhook_delete(actor=steward, pod=other, webhook=hook)
    with pytest.raises(PermissionDenied):
        hook_services.pod_webhook_create(actor=UserFactory(), pod=pod, name="x", url="https://hooks.example.com/",
                                         events=["post.created"])
