"""The matrix beyond URL patterns: search, profiles, notifications, CSV exports, and what Celery tasks
send (digest and notification emails, webhook payloads). Every body reaching a role is scanned for the
canaries that role may not read."""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from communities import webhooks as webhook_http
from communities.models import Webhook
from communities.services.digests import digest_period, digest_send
from communities.services.posts import post_create
from microgroups.models import Membership

from . import matrix, policy
from .world import build_world, canary

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks queued on commit run in-process, also when REDIS_URL names a broker (make test-services)."""
    from petcommunity.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


SEARCHES = [
    "/pods/?q=CANARY", "/pods/?q=matrix", "/pods/?q=unlisted", "/pods/?privacy=invite", "/pods/?region=matrix-north",
    "/?topic=matrixtopic", "/?sort=new&topic=matrixtopic", "/?sort=top&t=all", "/?species=cat",
    "/following/", "/members/?q=t_", "/members/?q=Author", "/members/?species=cat", "/members/t_author/",
    "/catchup/commons/?after=0", "/notifications/", "/search/?q=CANARY", "/search/?q=CANARY&scope=comments",
    "/search/?q=CANARY&scope=pods", "/search/?q=CANARY&scope=members",
]


def _check(world, tally, role, response, where):
    if response.status_code >= 500:
        tally.fail(f"{where}: {response.status_code}")
    matrix.scan_canaries(world, role, response.content.decode("utf-8", "replace"), where, tally)


def test_search_profiles_and_feeds_never_show_what_the_reader_may_not_see():
    world = build_world()
    tally = matrix.Tally()
    for role, client in matrix.clients(world).items():
        for url in SEARCHES:
            headers = {"HX-Request": "true"} if url.startswith("/catchup/") else {}
            response = client.get(url, headers=headers)
            tally.cells += 1
            _check(world, tally, role, response, f"GET {url} as {role}")
        # Filters match only what the viewer may see: the author shows their pets to the trusted circle only.
        listed = "t_author" in client.get("/members/?species=cat").content.decode()
        tally.cells += 1
        may_see_pets = policy.signed_in(role) and policy.may_see_canary(role, "trusted_field", None, None)
        if listed != may_see_pets:
            tally.fail(f"directory species filter as {role}: author listed={listed}")
    print(f"\nsearch/profiles/feeds: {tally.cells} cells, {tally.bodies_scanned} bodies scanned")
    assert tally.failures == [], "\n".join(tally.failures)


def _csv_tables(client, url: str) -> list[str]:
    return sorted(set(re.findall(r"format=csv&(?:amp;)?table=([\w-]+)", client.get(url).content.decode())))


def test_csv_exports_reach_their_readers_only_and_carry_no_canary():
    world = build_world()
    tally = matrix.Tally()
    clients = matrix.clients(world)
    dashboard_tables = _csv_tables(clients["manager"], "/metrics/")
    insight_tables = _csv_tables(clients["steward"], f"/pods/{world.pods['unlisted'].slug}/insights/")
    assert dashboard_tables and insight_tables
    for role, client in clients.items():
        for table in dashboard_tables:
            response = client.get(f"/metrics/?format=csv&table={table}")
            tally.cells += 1
            want = policy.managers_only(role)
            if matrix.classify(response) != want:
                tally.fail(f"/metrics/ csv {table} as {role}: {response.status_code}, expected {want}")
            _check(world, tally, role, response, f"/metrics/ csv {table} as {role}")
        for place, pod in world.pods.items():
            for table in insight_tables:
                response = client.get(f"/pods/{pod.slug}/insights/?format=csv&table={table}")
                tally.cells += 1
                want = policy.pod_steward_only(role, place)
                if matrix.classify(response) != want:
                    tally.fail(f"{pod.slug} insights csv {table} as {role}: {response.status_code}, expected {want}")
                _check(world, tally, role, response, f"{pod.slug} insights csv {table} as {role}")
    print(f"\nCSV exports: {tally.cells} cells")
    assert tally.failures == [], "\n".join(tally.failures[:100])


def _fresh_posts(world, django_capture_on_commit_callbacks):
    """The author publishes a public and a trusted-only post in every pod (and one in the Commons), each
    mentioning every role: notifications, emails, webhooks and digests all have something to carry."""
    mentions = " ".join(f"@{u.username}" for u in world.users.values() if u is not None)
    made = []
    with django_capture_on_commit_callbacks(execute=True):
        for place in policy.PLACES:
            for kind in ("public", "trusted") if place != "commons" else ("public",):
                token = canary(place, kind, "fresh")
                world.canaries[token] = ("content", place, kind)
                post_create(actor=world.author, pod=world.pods.get(place), body=f"{token} {mentions}",
                            audience="trusted" if kind == "trusted" else "everyone")
                made.append(token)
    return made


def test_notifications_emails_digests_and_webhooks_carry_only_what_each_recipient_may_read(
        django_capture_on_commit_callbacks, monkeypatch):
    world = build_world()
    sent_hooks = []
    monkeypatch.setattr(webhook_http, "post_signed", lambda **kw: sent_hooks.append(kw) or
                        webhook_http.HttpResult(status=200))
    Webhook.objects.filter(name="matrix").update(is_active=True)
    for pod in world.pods.values():
        Webhook.objects.create(name=f"hook {pod.slug}", url="http://127.0.0.1:9/h", secret="s",
                               events=[e for e, _ in Webhook.Event.choices], pod=pod)
    users = {role: u for role, u in world.users.items() if u is not None}
    for user in users.values():
        user.email_notification_kinds = ["mention", "reply", "reaction", "pod", "moderation"]
        user.digest_frequency = "daily"
        user.save(update_fields=["email_notification_kinds", "digest_frequency"])
    Membership.objects.filter(member=world.author).update(charter_version_acknowledged=1)
    fresh = _fresh_posts(world, django_capture_on_commit_callbacks)
    tally = matrix.Tally()
    by_address = {u.email: role for role, u in users.items()}
    notification_mails = list(mail.outbox)
    mail.outbox.clear()
    for user in users.values():
        digest_send(member_id=user.pk, frequency="daily", period=digest_period("daily"))
    for message in notification_mails + list(mail.outbox):
        role = by_address[message.to[0]]
        bodies = [message.subject, message.body] + [alt[0] for alt in getattr(message, "alternatives", [])]
        tally.cells += 1
        matrix.scan_canaries(world, role, "\n".join(bodies), f"email '{message.subject}' to {role}", tally)
    for role, user in users.items():  # the inbox and its badge
        client = Client()
        client.force_login(user)
        tally.cells += 1
        matrix.scan_canaries(world, role, client.get("/notifications/").content.decode(), f"inbox of {role}", tally)
    _check_webhooks(world, sent_hooks, tally)
    print(f"\nemails: {len(notification_mails)} notification + {len(mail.outbox)} digest; webhooks sent: "
          f"{len(sent_hooks)}; {tally.cells} cells")
    assert len(notification_mails) > 20 and len(mail.outbox) > 5 and sent_hooks
    assert len(fresh) == 9
    assert tally.failures == [], "\n".join(tally.failures[:100])


def _check_webhooks(world, sent, tally):
    """A Commons hook may carry what anonymous visitors read; a pod hook, its pod's public content only."""
    place_of_slug = {pod.slug: place for place, pod in world.pods.items()}
    for call in sent:
        body = call["body"].decode()
        place = place_of_slug.get(json.loads(body)["scope"]["pod"], "commons")
        tally.cells += 1
        for token in set(re.findall(r"CANARY[A-Z0-9X]+", body)):
            what, where, kind = world.canaries[token]
            if not (what == "content" and kind == "public" and where == place):
                tally.fail(f"LEAK {token} in a webhook for {place}")
