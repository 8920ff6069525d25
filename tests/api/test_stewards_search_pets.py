"""The stewards' settings update, bans and webhooks, search, and the caller's own pets: the same services
and selectors as the pages, the same refusals."""

import socket
from unittest import mock

import pytest
from django.contrib.auth.models import Group

from communities.models import Pet, Tag, Webhook, WebhookDelivery
from communities.tasks import webhook_deliver
from microgroups.models import Membership
from search import selectors as search_selectors
from search.documents import documents_rebuild
from tests.factories import CommentFactory, PetFactory, PodFactory, PostFactory, UserFactory, join

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db

STEWARD_SCOPES = ["read", "moderate"]


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """The DNS boundary: address literals only; names do not resolve (accepted, checked at delivery)."""
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host.replace(".", "").isdigit() or ":" in host:
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def pod():
    return PodFactory(slug="reactive-dogs", name="Reactive Dogs", privacy="request", member_cap=20)


@pytest.fixture
def steward(pod):
    user = UserFactory(username="stew")
    join(user, pod, role="steward", rung="trusted")
    return user


@pytest.fixture
def as_steward(steward):
    return ApiClient(token_for(steward, scopes=STEWARD_SCOPES))


def test_settings_update_changes_only_the_fields_sent_with_the_pages_checks(as_steward, pod):
    changed = as_steward.send("PATCH", "/pods/reactive-dogs/settings",
                              {"welcome_message": "Hello!", "member_cap": 30, "prompt_weekday": 2})
    assert changed.status_code == 200
    body = changed.json()
    assert (body["welcome_message"], body["member_cap"], body["prompt_weekday"], body["name"]) == (
        "Hello!", 30, 2, "Reactive Dogs")
    pod.refresh_from_db()
    assert (pod.welcome_message, pod.member_cap, pod.prompt_weekday, pod.privacy) == ("Hello!", 30, 2, "request")
    assert as_steward.send("PATCH", "/pods/reactive-dogs/settings",
                           {"prompt_weekday": None}).json()["prompt_weekday"] is None
    refused = as_steward.send("PATCH", "/pods/reactive-dogs/settings", {"unlisted": True})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "is_unlisted", "message": "Only invite-only pods can be unlisted."}]
    for _ in range(3):
        join(UserFactory(), pod)
    too_small = as_steward.send("PATCH", "/pods/reactive-dogs/settings", {"member_cap": 3})
    assert too_small.status_code == 400 and too_small.json()["errors"][0]["field"] == "member_cap"


def test_settings_and_bans_are_403_for_members_who_know_the_pod(pod, steward):
    member = UserFactory()
    join(member, pod)
    banned = UserFactory(username="bandit")
    Membership.objects.create(pod=pod, member=banned, status="banned")
    as_member = ApiClient(token_for(member, scopes=STEWARD_SCOPES))
    assert as_member.send("PATCH", "/pods/reactive-dogs/settings", {"name": "Mine"}).status_code == 403
    assert as_member.get("/pods/reactive-dogs/bans").status_code == 403
    bans = ApiClient(token_for(steward, scopes=STEWARD_SCOPES)).get("/pods/reactive-dogs/bans").json()
    assert [(b["member"]["username"], b["banned_until"]) for b in bans] == [("bandit", None)]


def test_webhooks_create_shows_the_secret_once_list_pause_rotate_delete(as_steward, pod):
    created = as_steward.post("/pods/reactive-dogs/webhooks", {
        "name": "Zapier", "url": "https://93.184.215.14/hooks/pc", "events": ["post.created", "pod.full"]})
    assert created.status_code == 201
    body = created.json()
    hook = Webhook.objects.get()
    assert (body["name"], body["events"], body["active"], body["secret"]) == (
        "Zapier", ["pod.full", "post.created"], True, hook.secret)
    assert hook.pod == pod
    listed = as_steward.get("/pods/reactive-dogs/webhooks").json()
    assert [h["id"] for h in listed] == [hook.pk] and "secret" not in listed[0]
    assert "secret" not in as_steward.get(f"/pods/reactive-dogs/webhooks/{hook.pk}").json()
    paused = as_steward.send("PATCH", f"/pods/reactive-dogs/webhooks/{hook.pk}", {"active": False})
    assert paused.json()["active"] is False
    hook.refresh_from_db()
    assert hook.is_active is False
    rotated = as_steward.post(f"/pods/reactive-dogs/webhooks/{hook.pk}/secret").json()["secret"]
    hook.refresh_from_db()
    assert rotated == hook.secret != body["secret"]
    assert as_steward.send("DELETE", f"/pods/reactive-dogs/webhooks/{hook.pk}").json() == {"ok": True}
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1/h", "http://169.254.169.254/latest/meta-data/",
                                 "http://10.0.0.1/h", "http://[::1]/h", "http://2130706433/h",
                                 "https://exa mple.com/h", "ftp://93.184.215.14/h"])
def test_webhook_create_refuses_private_addresses_at_the_url_field(as_steward, url, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    refused = as_steward.post("/pods/reactive-dogs/webhooks", {"name": "x", "url": url, "events": ["pod.full"]})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["url"]
    assert Webhook.objects.count() == 0


def test_deliveries_list_and_redeliver_queue_through_the_task_class(as_steward, pod,
                                                                     django_capture_on_commit_callbacks):
    created = as_steward.post("/pods/reactive-dogs/webhooks", {
        "name": "CRM", "url": "https://93.184.215.14/h", "events": ["pod.member_joined"]}).json()
    hook = Webhook.objects.get(pk=created["id"])
    failed = WebhookDelivery.objects.create(webhook=hook, event="pod.member_joined", event_key="a", status="gave_up",
                                            attempts=8, response_code=502, last_error="HTTP 502",
                                            payload={"event": "pod.member_joined", "scope": {"pod": pod.slug}})
    WebhookDelivery.objects.create(webhook=hook, event="pod.member_joined", event_key="b", status="delivered",
                                   attempts=1, response_code=204, payload={})
    deliveries = as_steward.get(f"/pods/reactive-dogs/webhooks/{hook.pk}/deliveries").json()
    assert [(d["status"], d["response_code"], d["attempts"]) for d in deliveries] == [
        ("delivered", 204, 1), ("gave_up", 502, 8)]
    with mock.patch.object(webhook_deliver, "apply_async") as sent:
        with django_capture_on_commit_callbacks(execute=True):
            again = as_steward.post(f"/pods/reactive-dogs/webhooks/{hook.pk}/deliveries/{failed.pk}/redeliver")
        assert (again.status_code, again.json()) == (202, {"ok": True})
        sent.assert_called_once_with((failed.pk,), {})
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 0)
    delivered = deliveries[0]["id"]
    refused = as_steward.post(f"/pods/reactive-dogs/webhooks/{hook.pk}/deliveries/{delivered}/redeliver")
    assert refused.status_code == 400 and "Only failed deliveries" in refused.json()["errors"][0]["message"]


def test_webhooks_are_404_for_everyone_but_the_pods_stewards_and_managers(pod, steward):
    hook = Webhook.objects.create(name="h", url="https://93.184.215.14/h", secret="s" * 64, pod=pod,
                                  events=["pod.full"])
    member = UserFactory()
    join(member, pod, rung="trusted")
    nowhere = ApiClient(token_for(member, scopes=STEWARD_SCOPES)).get("/pods/no-such-pod/webhooks")
    for user in (member, UserFactory()):
        api = ApiClient(token_for(user, scopes=STEWARD_SCOPES))
        for path in ("/pods/reactive-dogs/webhooks", f"/pods/reactive-dogs/webhooks/{hook.pk}",
                     f"/pods/reactive-dogs/webhooks/{hook.pk}/deliveries"):
            answer = api.get(path)
            assert (answer.status_code, answer.content) == (404, nowhere.content)
        assert api.send("DELETE", f"/pods/reactive-dogs/webhooks/{hook.pk}").status_code == 404
    assert Webhook.objects.count() == 1
    without_scope = ApiClient(token_for(steward, scopes=["read", "write"]))
    assert without_scope.get("/pods/reactive-dogs/webhooks").status_code == 403
    manager = UserFactory(is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    assert [h["id"] for h in ApiClient(token_for(manager, scopes=STEWARD_SCOPES)).get(
        "/pods/reactive-dogs/webhooks").json()] == [hook.pk]


def test_search_finds_what_the_caller_may_read_and_counts_nothing_else(member, api):
    private = PodFactory(slug="quiet-room", privacy="request")
    PostFactory(body="Hydrotherapy works wonders")
    hidden = PostFactory(pod=private, body="Hydrotherapy secrets of the quiet room")
    PostFactory(body="Hydrotherapy held back", status="held")
    CommentFactory(post=hidden, body="Hydrotherapy in private")
    documents_rebuild()  # factories skip the write services that keep PostgreSQL's index current
    answer = api.get("/search", q="hydrotherapy")
    assert answer.status_code == 200
    body = answer.json()
    assert body["counts"] == {"posts": 1, "comments": 0, "pods": 0, "members": 0}
    assert [(h["kind"], h["snippet_html"]) for h in body["items"]] == [
        ("post", "<mark>Hydrotherapy</mark> works wonders")]
    join(member, private)
    body = ApiClient(token_for(member)).get("/search", q="hydrotherapy", scope="comments").json()
    assert body["counts"] == {"posts": 2, "comments": 1, "pods": 0, "members": 0}
    assert [(h["kind"], h["post"], h["pod"]) for h in body["items"]] == [("comment", hidden.pk, "quiet-room")]


def test_search_names_the_scopes_past_the_count_cap(api, monkeypatch):
    monkeypatch.setattr(search_selectors, "COUNT_CAP", 2)
    for n in range(3):
        PostFactory(body=f"Hydrotherapy session {n}")
    PostFactory(body="One hydrotherapy pool")
    CommentFactory(body="Hydrotherapy pool")
    documents_rebuild()
    body = api.get("/search", q="hydrotherapy").json()
    assert body["counts"] == {"posts": 2, "comments": 1, "pods": 0, "members": 0}
    assert body["capped"] == ["posts"]
    assert api.get("/search", q="pool").json()["capped"] == []


def test_search_refuses_a_backwards_date_range_at_the_field(api):
    refused = api.get("/search", q="cats", after="2026-03-01", before="2026-02-01")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "before"
    assert api.get("/search", q="cats", scope="everything").status_code == 400


def test_search_pods_hides_unlisted_ones(api):
    PodFactory(slug="senior-cats", name="Senior Cats")
    PodFactory(slug="secret-cats", name="Secret Cats", privacy="invite", is_unlisted=True)
    body = api.get("/search", q="cats", scope="pods").json()
    assert body["counts"]["pods"] == 1
    assert [(h["pod"], h["url"]) for h in body["items"]] == [("senior-cats", "/pods/senior-cats/")]


def test_own_pets_create_change_delete_others_are_404(api, member):
    cat = Tag.objects.create(kind="species", slug="cat", name="Cat")
    Tag.objects.create(kind="breed", slug="siamese", name="Siamese", species=cat)
    Tag.objects.create(kind="need", slug="senior", name="Senior")
    created = api.post("/me/pets", {"name": "Mog", "species": "cat", "breed": "siamese", "birth_year": 2012,
                                    "needs": ["senior"]})
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["species"], body["species_slug"], body["breed_slug"], body["need_slugs"],
            body["birth_year"]) == ("Mog", "Cat", "cat", "siamese", ["senior"], 2012)
    pet = Pet.objects.get(owner=member)
    changed = api.send("PATCH", f"/me/pets/{pet.pk}", {"name": "Moggy", "breed": None})
    assert (changed.json()["name"], changed.json()["breed_slug"], changed.json()["need_slugs"]) == (
        "Moggy", None, ["senior"])
    assert [p["name"] for p in api.get("/me/pets").json()] == ["Moggy"]
    refused = api.post("/me/pets", {"name": "Rex", "species": "dragon"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "species"
    assert api.post("/me/pets", {"name": "Rex", "species": "cat", "needs": ["flying"]}).json()["errors"][0][
        "field"] == "needs"
    theirs = PetFactory(species=cat)
    assert api.send("PATCH", f"/me/pets/{theirs.pk}", {"name": "Mine now"}).status_code == 404
    assert api.send("DELETE", f"/me/pets/{theirs.pk}").status_code == 404
    assert api.send("DELETE", f"/me/pets/{pet.pk}").json() == {"ok": True}
    assert Pet.objects.filter(owner=member).count() == 0 and Pet.objects.filter(pk=theirs.pk).exists()
    read_only = ApiClient(token_for(member, scopes=["read"]))
    assert read_only.post("/me/pets", {"name": "Rex", "species": "cat"}).status_code == 403


def test_far_dates_are_a_400_in_the_api_and_no_500_on_the_page(api, client):
    assert api.get("/search", q="cats", before="9999-12-31").status_code == 400
    assert client.get("/search/", {"q": "cats", "before": "9999-12-31"}).status_code == 200
