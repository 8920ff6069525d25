"""Shared anonymous pages (communities.pagecache): served from the cache on the second load, and gone
stale never: every write that changes a shared page bumps its version after commit, so the next
anonymous load shows the change. Signed-in members never get a shared page."""

import pytest
from django.urls import reverse

from communities.services.announcements import post_pin
from communities.services.comments import comment_create
from communities.services.posts import post_create, post_delete, post_edit
from communities.services.reactions import reaction_toggle
from microgroups.services.pods import pod_update
from moderation.services.content import hide
from tests.factories import PodFactory, join

pytestmark = pytest.mark.django_db

HOME = "/?sort=new"


def _load(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def _moderator_removes(content):
    """What moderation's remove action does to a post or comment: the status, then hide()."""
    content.status = "removed"
    content.save(update_fields=["status"])
    hide(content)


def test_the_second_anonymous_load_is_the_shared_page(client, member, written):
    written(post_create, actor=member, body="First light over the park", audience="everyone")
    first = _load(client, HOME)
    second = _load(client, HOME)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert b"First light over the park" in second.content


def test_a_new_post_is_on_the_next_anonymous_load(client, member, written):
    _load(client, HOME)
    written(post_create, actor=member, body="Brand new walk report", audience="everyone")
    response = _load(client, HOME)
    assert response["X-Page-Cache"] == "miss"
    assert b"Brand new walk report" in response.content


def test_an_edit_is_on_the_next_anonymous_load_of_feed_and_post_page(client, member, written):
    post = written(post_create, actor=member, body="Spelled wrnog", audience="everyone")
    url = reverse("communities:post_detail", args=[post.pk])
    _load(client, HOME), _load(client, url)
    written(post_edit, actor=member, post=post, body="Spelled right")
    assert b"Spelled right" in _load(client, HOME).content
    assert b"Spelled right" in _load(client, url).content


def test_a_deleted_or_hidden_post_leaves_the_shared_pages(client, member, written):
    gone = written(post_create, actor=member, body="Deleted by its author", audience="everyone")
    hidden = written(post_create, actor=member, body="Hidden by a moderator", audience="everyone")
    assert b"Deleted by its author" in _load(client, HOME).content
    hidden_url = reverse("communities:post_detail", args=[hidden.pk])
    _load(client, hidden_url)
    written(post_delete, actor=member, post=gone)

    written(_moderator_removes, hidden)
    page = _load(client, HOME).content
    assert b"Deleted by its author" not in page
    assert b"Hidden by a moderator" not in page
    assert client.get(hidden_url).status_code == 404


def test_a_pin_is_on_the_next_anonymous_load(client, member, manager, written):
    post = written(post_create, actor=member, body="Pin me please", audience="everyone")
    before = _load(client, HOME).content
    written(post_pin, actor=manager, post=post)
    after = _load(client, HOME)
    assert after["X-Page-Cache"] == "miss"
    assert after.content != before
    assert b"Pin me please" in after.content  # now at the top, in the pinned list


def test_comments_and_reaction_counts_reach_the_shared_post_page(client, member, other, written):
    post = written(post_create, actor=member, body="Ask me about greyhounds", audience="everyone")
    url = reverse("communities:post_detail", args=[post.pk])
    _load(client, url)
    written(comment_create, actor=other, post=post, body="How fast is yours?")
    assert b"How fast is yours?" in _load(client, url).content
    cached = _load(client, url)
    assert cached["X-Page-Cache"] == "hit"
    written(reaction_toggle, actor=other, kind="heart", post=post)
    assert _load(client, url)["X-Page-Cache"] == "miss"
    assert _load(client, url)["X-Page-Cache"] == "hit"
    comment = post.comments.get()
    written(reaction_toggle, actor=member, kind="paw", comment=comment)
    assert _load(client, url)["X-Page-Cache"] == "miss"


def test_a_deleted_or_removed_comment_leaves_the_shared_post_page_and_feed_at_once(client, member, other,
                                                                                  written):
    from communities.services.comments import comment_delete

    post = written(post_create, actor=member, body="Ask me about lurchers", audience="everyone")
    url = reverse("communities:post_detail", args=[post.pk])
    deleted = written(comment_create, actor=other, post=post, body="Mine sleeps all day")
    removed = written(comment_create, actor=other, post=post, body="Buy cheap pills here")
    assert b"Mine sleeps all day" in _load(client, url).content and b"2 comments" in _load(client, HOME).content
    written(comment_delete, actor=other, comment=deleted)

    written(_moderator_removes, removed)
    page = _load(client, url).content
    assert b"Mine sleeps all day" not in page and b"Buy cheap pills here" not in page
    assert b"0 comments" in _load(client, HOME).content


def test_an_open_pods_feed_is_shared_and_refreshed_by_a_post(client, member, written):
    pod = PodFactory(slug="greyhounds")
    join(member, pod)
    url = reverse("microgroups:detail", args=[pod.slug])
    _load(client, url)
    assert _load(client, url)["X-Page-Cache"] == "hit"
    written(post_create, actor=member, pod=pod, body="Pod walk at nine", audience="everyone")
    response = _load(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert b"Pod walk at nine" in response.content


def test_a_pod_closing_takes_its_posts_off_the_shared_pages_at_once(client, member, written):
    pod = PodFactory(slug="closing")
    join(member, pod, role="steward", rung="trusted")
    post = written(post_create, actor=member, pod=pod, body="Open for now", audience="everyone")
    url = reverse("communities:post_detail", args=[post.pk])
    assert b"Open for now" in _load(client, url).content
    written(pod_update, actor=member, pod=pod, privacy="request")
    response = client.get(url)
    assert response.status_code == 404
    assert b"Open for now" not in response.content


def test_members_never_get_the_shared_page_and_it_never_holds_their_view(client, member, written):
    """Warm the cache while the most privileged reader is signed in: the anonymous page still holds
    only what anyone may see (the trusted-only post stays out)."""
    pod = PodFactory(slug="trusted-corner")
    join(member, pod, rung="trusted")
    written(post_create, actor=member, pod=pod, body="Only for trusted eyes", audience="trusted")
    url = reverse("microgroups:detail", args=[pod.slug])
    client.force_login(member)
    signed_in = _load(client, url)
    assert "X-Page-Cache" not in signed_in
    assert b"Only for trusted eyes" in signed_in.content
    client.logout()
    anonymous = _load(client, url)
    assert b"Only for trusted eyes" not in anonymous.content
    assert _load(client, url)["X-Page-Cache"] == "hit"


def test_a_flash_message_is_never_shared(client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    client.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(constants.INFO, "Signed out, bye")])
    response = _load(client, HOME)
    assert b"Signed out, bye" in response.content
    assert "X-Page-Cache" not in response
    assert b"Signed out, bye" not in _load(client, HOME).content


def _concurrently(n: int, render) -> list:
    """n anonymous requests for one page at the same moment, each through `cached_page`."""
    import threading

    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from communities import pagecache

    barrier, responses = threading.Barrier(n), [None] * n

    def visit(i):
        request = RequestFactory().get(HOME)
        request.user = AnonymousUser()
        barrier.wait()
        responses[i] = pagecache.cached_page(request, [pagecache.commons()], render)

    threads = [threading.Thread(target=visit, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_concurrent_misses_render_the_page_once_and_the_others_serve_it():
    import time

    from django.http import HttpResponse

    renders = []

    def render():
        renders.append(1)
        time.sleep(0.3)  # long enough for every other request to arrive while it renders
        return HttpResponse(b"the page")

    responses = _concurrently(4, render)
    assert len(renders) == 1
    assert sorted(r["X-Page-Cache"] for r in responses) == ["miss", "wait", "wait", "wait"]
    assert {r.content for r in responses} == {b"the page"}


@pytest.mark.timeout(20)  # the waiters are released when the first render is not shared, not after FILL_WAIT
def test_when_the_first_render_cannot_be_shared_each_waiting_request_renders_its_own(monkeypatch):
    import time

    from django.http import HttpResponse

    from communities import pagecache

    monkeypatch.setattr(pagecache, "FILL_WAIT", 60.0)
    renders = []

    def render():
        renders.append(1)
        time.sleep(0.2)
        response = HttpResponse(b"a visitor's page")
        response.set_cookie("visitor", "one")  # theirs: never shared, never served to another
        return response

    responses = _concurrently(3, render)
    assert len(renders) == 3
    assert all("X-Page-Cache" not in r and r.cookies["visitor"].value == "one" for r in responses)


def test_a_process_serves_its_recent_shared_pages_without_reading_them_again(client, member, written, monkeypatch):
    from django.core.cache import caches

    cache = caches["default"]  # the backend object itself: the `cache` proxy does not take attributes back
    written(post_create, actor=member, body="Kept close at hand", audience="everyone")
    assert _load(client, HOME)["X-Page-Cache"] == "miss"
    shared_get = cache.get

    def no_page_reads(key, *args, **kwargs):
        assert not key.startswith("page:"), "the page was read from the shared cache again"
        return shared_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", no_page_reads)
    again = _load(client, HOME)
    assert again["X-Page-Cache"] == "hit" and b"Kept close at hand" in again.content
    written(post_create, actor=member, body="A newer walk", audience="everyone")  # a bump: a new key
    monkeypatch.undo()
    assert b"A newer walk" in _load(client, HOME).content
