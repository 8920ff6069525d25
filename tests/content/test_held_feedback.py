"""Feedback to authors: held content says so at once (with the usual wait, measured from the queue) and
stays visible to its author alone, marked; a removal reaches the author with the reason and a way to
appeal, and the removed post stays readable to them (only them). Nobody else sees either."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from communities.models import Comment, ContentStatus, Notification, Post
from communities.policy import Policy, readers_of
from communities.selectors import feed, held_notice, posts_in_review
from moderation.models import QueueItem
from moderation.scopes import COMMONS, scope_for_pod
from moderation.services.actions import item_approve, item_remove
from moderation.services.rules import rule_create
from search.selectors import SearchFilters, post_matches
from tests.factories import PodFactory, PostFactory, UserFactory, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def pod(db):
    return PodFactory(name="Senior cats", slug="senior-cats", charter_version=0)


@pytest.fixture
def author(pod):
    user = UserFactory(username="ada", display_name="Ada")
    join(user, pod)
    return user


@pytest.fixture
def neighbour(pod):
    user = UserFactory(username="ned")
    join(user, pod)
    return user


@pytest.fixture
def first_posts_held(manager, pod):
    return rule_create(actor=manager, scope=scope_for_pod(pod), kind="new_member", title="First posts checked",
                       settings={"first_n": 1})


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _resolved_held_items(pod, hours: list[float]) -> None:
    now = timezone.now()
    for h in hours:
        post = PostFactory(pod=pod)
        QueueItem.objects.create(kind="held", status="resolved", resolution="approved", post=post,
                                 scope_kind="pod", pod=pod, created_at=now - timedelta(hours=h, minutes=5),
                                 resolved_at=now - timedelta(minutes=5))


def test_a_held_pod_post_says_so_at_once_and_stays_visible_to_its_author(author, neighbour, pod,
                                                                         first_posts_held):
    _resolved_held_items(pod, [1, 2, 2.5, 5, 8])  # median 2.5 h → "within 3 hours"
    client = _client(author)
    response = client.post(f"/pods/{pod.slug}/post/", {"body": "Hello from Biscuit"}, follow=True)
    post = Post.objects.get(body="Hello from Biscuit")
    assert post.status == ContentStatus.HELD
    html = response.content.decode()
    assert "Your post is waiting for a moderator: usually within 3 hours. Until then only you can see it." in html
    review = html[html.index('id="in-review"'):]
    assert "Hello from Biscuit" in review and "Waiting for a moderator" in review
    for viewer in (neighbour, None):
        assert "Hello from Biscuit" not in _client(viewer).get(f"/pods/{pod.slug}/").content.decode()
        assert _client(viewer).get(f"/posts/{post.pk}/").status_code == 404
    detail = client.get(f"/posts/{post.pk}/").content.decode()
    assert "Your post is waiting for a moderator: usually within 3 hours." in detail


def test_the_usual_wait_is_the_queues_median_and_absent_when_nothing_was_decided_yet(pod):
    assert held_notice(kind="post", pod_id=pod.pk) == ("Your post is waiting for a moderator. Until then only "
                                                       "you can see it.")
    _resolved_held_items(pod, [0.2, 0.3, 0.5, 0.5, 30])  # median 30 min: never "0 hours"
    cache.clear()  # the measure is cached for 10 minutes
    assert held_notice(kind="comment", pod_id=pod.pk) == ("Your comment is waiting for a moderator: usually within "
                                                          "1 hour. Until then only you can see it.")


def test_a_pod_with_few_decisions_is_measured_with_every_place(pod):
    elsewhere = PodFactory()
    _resolved_held_items(elsewhere, [4.5, 4.5, 4.5, 4.5, 4.5, 4.5])
    _resolved_held_items(pod, [1])
    assert "usually within 5 hours" in held_notice(kind="post", pod_id=pod.pk)  # 4 h 30 min, rounded up


def test_a_held_commons_post_shows_in_the_authors_commons_only(manager, author, neighbour, first_posts_held):
    rule_create(actor=manager, scope=COMMONS, kind="new_member", title="Welcome check", settings={"first_n": 1})
    response = _client(author).post("/posts/new/", {"body": "My first Commons post"})
    post = Post.objects.get(body="My first Commons post")
    assert post.status == ContentStatus.HELD and response.status_code == 302
    assert "My first Commons post" in _client(author).get("/").content.decode()
    assert "My first Commons post" not in _client(neighbour).get("/").content.decode()
    assert [p.pk for p in posts_in_review(user=author)] == [post.pk]
    assert posts_in_review(user=neighbour) == [] and posts_in_review(user=AnonymousUser()) == []
    htmx = _client(author).post("/posts/new/", {"body": "A second one, by htmx"}, headers={"HX-Request": "true"})
    assert "waiting for a moderator" in htmx.content.decode()


def test_a_held_comment_says_so_and_shows_to_its_author_only(manager, author, neighbour, pod):
    rule_create(actor=manager, scope=scope_for_pod(pod), kind="watched_word", title="Miracle talk",
                settings={"match": "word", "pattern": "miracle", "action": "hold"})
    post = PostFactory(pod=pod, author=neighbour)
    response = _client(author).post(f"/posts/{post.pk}/comments/", {"body": "A miracle diet worked"}, follow=True)
    comment = Comment.objects.get(post=post)
    assert comment.status == ContentStatus.HELD
    html = response.content.decode()
    assert "Your comment is waiting for a moderator" in html and "A miracle diet worked" in html
    assert "A miracle diet worked" not in _client(neighbour).get(f"/posts/{post.pk}/").content.decode()
    assert "A miracle diet worked" not in _client().get(f"/posts/{post.pk}/").content.decode()


def test_a_removed_post_reaches_its_author_with_the_reason_and_an_appeal(
        manager, author, neighbour, pod, first_posts_held, django_capture_on_commit_callbacks):
    author.email_notification_kinds = ["moderation"]
    author.save(update_fields=["email_notification_kinds"])
    _client(author).post(f"/pods/{pod.slug}/post/", {"body": "Selling kittens, DM me"})
    post = Post.objects.get(body="Selling kittens, DM me")
    item = QueueItem.objects.get(post=post)
    with django_capture_on_commit_callbacks(execute=True):
        item_remove(actor=manager, item_id=item.pk, reason="No sales in this pod")
    note = Notification.objects.get(recipient=author, kind="moderation")
    assert note.verb == "A moderator removed your post: No sales in this pod"
    assert note.url == f"/moderation/appeal/post/{post.pk}/"
    # The email is sent now that its author may read what it points to.
    assert [m.to for m in mail.outbox] == [[author.email]] and "No sales in this pod" in mail.outbox[0].subject
    page = _client(author).get(f"/posts/{post.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "No sales in this pod" in html and "Selling kittens" in html
    assert f"/moderation/appeal/post/{post.pk}/" in html and "Removed by a moderator" in html
    in_pod = _client(author).get(f"/pods/{pod.slug}/").content.decode()
    assert "No sales in this pod" in in_pod[in_pod.index('id="in-review"'):]
    for viewer in (neighbour, UserFactory(), None):
        assert _client(viewer).get(f"/posts/{post.pk}/").status_code == 404
        assert "Selling kittens" not in _client(viewer).get(f"/pods/{pod.slug}/").content.decode()
    assert _client(manager).get(f"/posts/{post.pk}/").status_code == 200


def test_the_read_policy_lets_the_author_alone_see_held_and_removed_content(manager, author, neighbour, pod):
    held = PostFactory(pod=pod, author=author, status=ContentStatus.HELD)
    removed = PostFactory(pod=pod, author=author, status=ContentStatus.REMOVED, removal_reason="Spam")
    deleted = PostFactory(pod=pod, author=author, status=ContentStatus.DELETED)
    for post in (held, removed):
        assert Policy(author).can_read_post(post) and Policy(manager).can_read_post(post)
        assert not Policy(neighbour).can_read_post(post) and not Policy(AnonymousUser()).can_read_post(post)
        assert set(readers_of(post)) == {author, manager}
    assert not Policy(author).can_read_post(deleted) and set(readers_of(deleted)) == set()
    assert set(Policy(author).filter_posts(Post.objects.filter(pod=pod))) == {held, removed}
    assert set(Policy(neighbour).filter_posts(Post.objects.filter(pod=pod))) == set()
    # Feeds and search show published posts only, to the author too (theirs wait above the feed).
    assert feed(user=author, pod=pod).posts == [] and feed(user=neighbour, pod=pod).posts == []
    assert list(post_matches(user=author, filters=SearchFilters(q="Post"))) == []


def test_an_author_who_left_a_private_pod_no_longer_sees_its_held_post(author, pod):
    from microgroups.models import Membership, Pod

    Pod.objects.filter(pk=pod.pk).update(privacy="request")
    pod.refresh_from_db()
    held = PostFactory(pod=pod, author=author, status=ContentStatus.HELD)
    Membership.objects.filter(pod=pod, member=author).update(status="left")
    fresh = type(author).objects.get(pk=author.pk)
    assert not Policy(fresh).can_read_post(held)


def test_approval_tells_the_author_and_publishes(manager, author, pod, first_posts_held):
    _client(author).post(f"/pods/{pod.slug}/post/", {"body": "Patience pays"})
    post = Post.objects.get(body="Patience pays")
    item_approve(actor=manager, item_id=QueueItem.objects.get(post=post).pk)
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    assert Notification.objects.filter(recipient=author, verb="A moderator approved your post.").exists()
    assert posts_in_review(user=author, pod=pod) == []
