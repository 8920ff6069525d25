"""A member's own kept page (communities.memberpages): the signed-in Commons feed served again from the
cache while nothing on it changed, and rendered afresh after every write that changes what this member
sees: theirs (reactions, saves, votes, blocks, pets, held and removed posts) and anyone's (a new post,
a notification, a role). Kept pages are theirs alone: another member, or another browser of theirs,
never reads one."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from communities.models import Post, Tag
from communities.services.notifications import notification_create
from communities.services.pets import pet_create
from communities.services.polls import PollSpec, poll_vote
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from communities.services.saved import saved_post_create
from messaging.services import block_create
from metrics.models import Impression
from metrics.services.events import impressions_flush
from moderation.models import QueueItem
from moderation.scopes import COMMONS
from moderation.services.actions import item_approve, item_remove
from moderation.services.rules import rule_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = "/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _kept(client) -> bytes:
    """Load until the page comes from the cache: a new browser's first load sets its CSRF cookie (the
    page's tokens are made from it, so nothing is kept before), the next keeps the page, and the one
    after is served from it."""
    for _ in range(3):
        response = client.get(HOME)
        assert response.status_code == 200
        if response.get("X-Page-Cache") == "hit":
            return response.content
    raise AssertionError("the page was not kept after three loads")


def _next(client) -> bytes:
    """The next load after a write: rendered again, not served from the cache."""
    response = client.get(HOME)
    assert response.status_code == 200 and response.get("X-Page-Cache") != "hit"
    return response.content


def test_a_members_reload_is_their_kept_page_and_nobody_elses(member, other, written):
    written(post_create, actor=member, body="Morning walk in the rain", audience="everyone")
    maya, ben = _signed_in(member), _signed_in(other)
    rendered = maya.get(HOME)
    kept = _kept(maya)
    assert b"Morning walk in the rain" in kept and _signed_in_as(kept) == "Maya"
    assert _strip_tokens(kept) == _strip_tokens(rendered.content)
    ben.get(HOME)
    bens = ben.get(HOME)
    assert bens["X-Page-Cache"] == "miss" and _signed_in_as(bens.content) == "Ben"


def _signed_in_as(html: bytes) -> str:
    """The name in the navigation bar's profile link."""
    return re.search(rb'<li class="nav-end"><a [^>]*>([^<]+)</a>', html).group(1).decode()


def _strip_tokens(html: bytes) -> bytes:
    return re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', rb"\1", html)


def test_another_browser_of_the_same_member_gets_its_own_page_and_both_pages_forms_post(member, other, written):
    """The page's forms carry tokens made from the browser's CSRF secret: each browser keeps its own page,
    and a kept page's form still posts (with CSRF checks on, as in production)."""
    post = written(post_create, actor=other, body="A post to paw", audience="everyone")
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(member)
        kept = _kept(browser)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', kept).group(1).decode()
        response = browser.post(reverse("communities:post_react", args=[post.pk]),
                                {"kind": "paw", "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        browser.post(reverse("communities:post_react", args=[post.pk]), {"kind": "paw", "csrfmiddlewaretoken": token})


def _pressed(html: bytes, kind: str) -> bool:
    return bool(re.search(rb'data-reaction="' + kind.encode() + rb'" aria-pressed="true"', html))


def test_own_writes_are_on_the_next_load(member, other, written):
    post = written(post_create, actor=other, body="Which harness?", audience="everyone",
                   poll=PollSpec(question="Which harness?", choices=["Y-front", "Step-in"]))
    blocked = UserFactory(username="loud")
    written(post_create, actor=blocked, body="Buy my supplements", audience="everyone")
    maya = _signed_in(member)
    kept = _kept(maya)
    assert not _pressed(kept, "heart") and b"Buy my supplements" in kept and b"Biscuit" not in kept

    written(reaction_toggle, actor=member, kind="heart", post=post)
    assert _pressed(_next(maya), "heart")
    _kept(maya)
    written(saved_post_create, actor=member, post=post)
    assert b'aria-pressed="true">Saved' in _next(maya)
    _kept(maya)
    written(poll_vote, actor=member, poll=post.poll, choice_ids=[post.poll.choices.first().pk])
    assert b"1 member voted" in _next(maya)
    _kept(maya)
    written(block_create, actor=member, member=blocked)
    assert b"Buy my supplements" not in _next(maya)
    _kept(maya)
    written(pet_create, actor=member, name="Biscuit", species=Tag.objects.get_or_create(
        kind=Tag.Kind.SPECIES, slug="dog", defaults={"name": "Dog"})[0])
    assert b"Biscuit" in _next(maya)


def test_a_held_post_its_approval_and_a_removal_are_on_the_authors_next_load(member, manager, written):
    written(rule_create, actor=manager, scope=COMMONS, kind="new_member", title="First posts checked",
            settings={"first_n": 2})
    maya = _signed_in(member)
    _kept(maya)
    held = written(post_create, actor=member, body="My very first post", audience="everyone")
    assert held.status == "held"
    page = _next(maya)
    assert b"Your posts out of the feed" in page and b"My very first post" in page
    _kept(maya)
    written(item_approve, actor=manager, item_id=QueueItem.objects.get(post=held).pk)
    page = _next(maya)
    assert b"Your posts out of the feed" not in page and b"My very first post" in page
    second = written(post_create, actor=member, body="Second try at this", audience="everyone")
    written(item_approve, actor=manager, item_id=QueueItem.objects.get(post=second).pk)
    _kept(maya)
    written(item_remove, actor=manager, item_id=_reported(second).pk, reason="Off topic here")
    page = _next(maya)
    assert b"Your posts out of the feed" in page and b"Off topic here" in page


def _reported(post):
    from moderation.services.reports import report_create

    report_create(actor=UserFactory(), reason="spam", post=Post.objects.get(pk=post.pk))
    return QueueItem.objects.filter(post=post, status="open").get()


def test_writes_by_others_are_on_the_next_load(member, other, manager, written):
    maya = _signed_in(member)
    _kept(maya)
    written(post_create, actor=other, body="Fresh from ben", audience="everyone")
    assert b"Fresh from ben" in _next(maya)
    kept = _kept(maya)
    assert b"data-unread-count hidden" in kept
    written(notification_create, recipient=member, kind="mention", verb="ben mentioned you", actor=other)
    assert b"data-unread-count >1<" in _next(maya)
    kept = _kept(maya)
    assert b"New announcement" not in kept
    member.is_staff = True  # made a community manager in the admin: staff, in the managers' group
    written(member.save)
    assert _next(maya).count(b"New announcement") == 0  # staff alone is not a manager
    written(member.groups.add, Group.objects.get(name="Community managers"))
    assert b"New announcement" in _next(maya)


def test_impressions_count_each_post_once_a_day_with_or_without_the_kept_page(member, other, written):
    """A hit records nothing: the render that kept the page recorded its posts for this member and day,
    and an impression is one row per member, post and day."""
    post = written(post_create, actor=other, body="Counted once a day", audience="everyone")
    maya = _signed_in(member)
    _kept(maya)
    impressions_flush()  # with Redis they wait in a buffer; without it they are rows already
    assert list(Impression.objects.values_list("member_id", "post_id")) == [(member.pk, post.pk)]
    later = written(post_create, actor=other, body="A second post", audience="everyone")
    assert _next(maya).count(b"A second post") == 1 and _kept(maya)
    impressions_flush()
    assert sorted(Impression.objects.values_list("post_id", flat=True)) == [post.pk, later.pk]


def test_a_hit_costs_the_same_few_queries_whatever_the_page(member, other, written, django_assert_num_queries):
    for i in range(25):
        written(post_create, actor=other, body=f"Post number {i}", audience="everyone")
    maya = _signed_in(member)
    _kept(maya)
    with django_assert_num_queries(0):  # the session and the member come from the cache and the kept rows
        assert maya.get(HOME)["X-Page-Cache"] == "hit"


def test_flash_messages_and_htmx_requests_are_never_kept(member):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    maya = _signed_in(member)
    _kept(maya)
    assert "X-Page-Cache" not in maya.get(HOME, HTTP_HX_REQUEST="true")
    maya.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(constants.INFO, "Your pet is saved")])
    flashed = maya.get(HOME)
    assert b"Your pet is saved" in flashed.content and "X-Page-Cache" not in flashed
    after = maya.get(HOME)
    assert b"Your pet is saved" not in after.content and after["X-Page-Cache"] == "hit"
