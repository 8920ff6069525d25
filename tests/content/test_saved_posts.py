"""Saved posts: the idempotent save and unsave, the toggle on every card, and /saved/, which lists and
counts only what the member may still read, in a fixed number of queries whatever the page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import ContentStatus, Post, SavedPost
from communities.selectors import feed, saved_posts_page
from communities.services.accounts import account_delete
from communities.services.saved import saved_post_create, saved_post_delete
from messaging.services import block_create
from microgroups.services.membership import pod_leave
from tests.factories import PodFactory, PostFactory, UserFactory, join
from tests.trust.matrix import normalise

pytestmark = pytest.mark.django_db


def _save_at(member, post, minutes_ago: int = 0) -> SavedPost:
    save = saved_post_create(actor=member, post=post)
    SavedPost.objects.filter(pk=save.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return save


def _listed(member) -> list[int]:
    return [p.pk for p in saved_posts_page(user=member).posts]


# --- services ------------------------------------------------------------------------------------------------

def test_saving_twice_keeps_one_save_and_unsaving_twice_is_fine(member):
    post = PostFactory()
    first = saved_post_create(actor=member, post=post)
    assert saved_post_create(actor=member, post=post).pk == first.pk
    assert SavedPost.objects.filter(member=member).count() == 1
    assert saved_post_delete(actor=member, post=post) is True
    assert saved_post_delete(actor=member, post=post) is False
    assert not SavedPost.objects.exists()


def test_a_post_the_member_may_not_read_cannot_be_saved_or_unsaved(member):
    private = PodFactory(privacy="request")
    hidden = PostFactory(pod=private)
    for call in (saved_post_create, saved_post_delete):
        with pytest.raises(Http404):
            call(actor=member, post=hidden)
    trusted_only = PostFactory(pod=PodFactory(), audience="trusted")
    with pytest.raises(Http404):
        saved_post_create(actor=member, post=trusted_only)
    assert not SavedPost.objects.exists()


def test_signed_out_visitors_cannot_save_but_suspended_members_can(member):
    post = PostFactory()
    with pytest.raises(PermissionDenied):
        saved_post_create(actor=AnonymousUser(), post=post)
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save()
    saved_post_create(actor=member, post=post)  # a private bookmark adds nothing anyone else sees
    assert _listed(member) == [post.pk]


def test_deleting_an_account_deletes_its_saves(member):
    saved_post_create(actor=member, post=PostFactory())
    account_delete(actor=member)
    assert not SavedPost.objects.exists()


# --- what /saved/ lists ------------------------------------------------------------------------------------------

def test_most_recently_saved_first_and_every_save_once_across_pages(member):
    posts = [PostFactory() for _ in range(45)]
    for i, post in enumerate(posts):
        _save_at(member, post, minutes_ago=i)
    seen, cursor = [], None
    for _ in range(3):
        page = saved_posts_page(user=member, cursor=cursor)
        assert page.count == 45
        seen += [p.pk for p in page.posts]
        cursor = page.next_cursor
    assert seen == [p.pk for p in posts] and cursor is None
    assert saved_posts_page(user=member, cursor="not-a-cursor").posts[0].pk == posts[0].pk


def test_saves_made_in_the_same_instant_still_page_once_each(member):
    posts = [PostFactory() for _ in range(25)]
    now = timezone.now()
    for post in posts:
        saved_post_create(actor=member, post=post)
    SavedPost.objects.update(created_at=now)
    first = saved_posts_page(user=member)
    second = saved_posts_page(user=member, cursor=first.next_cursor)
    ids = [p.pk for p in first.posts + second.posts]
    assert sorted(ids) == sorted(p.pk for p in posts) and len(set(ids)) == 25


def test_only_posts_the_member_may_still_read_are_listed_or_counted(member, manager):
    kept = PostFactory()
    gone = {status: PostFactory() for status in (ContentStatus.HELD, ContentStatus.REMOVED, ContentStatus.DELETED)}
    for post in [kept, *gone.values()]:
        saved_post_create(actor=member, post=post)
    for status, post in gone.items():
        Post.objects.filter(pk=post.pk).update(status=status)
    page = saved_posts_page(user=member)
    assert [p.pk for p in page.posts] == [kept.pk] and page.count == 1
    Post.objects.filter(pk=gone[ContentStatus.HELD].pk).update(status=ContentStatus.PUBLISHED)  # approved
    assert saved_posts_page(user=member).count == 2


def test_a_saved_post_from_a_pod_the_member_left_is_no_longer_listed_or_counted(client, member):
    pod = PodFactory(privacy="request")
    join(member, pod)
    inside = PostFactory(pod=pod, body="Only for the pod")
    outside = PostFactory(body="In the Commons")
    _save_at(member, inside, 1)
    _save_at(member, outside, 2)
    assert _listed(member) == [inside.pk, outside.pk]
    pod_leave(actor=member, pod=pod)
    page = saved_posts_page(user=member)
    assert [p.pk for p in page.posts] == [outside.pk] and page.count == 1
    client.force_login(member)
    html = client.get("/saved/").content.decode()
    assert "Only for the pod" not in html and "1 saved post<" in html
    assert SavedPost.objects.filter(post=inside).exists()  # kept: it comes back if they rejoin
    from communities.policy import policy_forget
    from microgroups.models import Membership

    Membership.objects.filter(pod=pod, member=member).update(status="active", ended_at=None)  # taken back in
    policy_forget(member)
    assert _listed(member) == [inside.pk, outside.pk]


def test_a_trusted_only_post_drops_out_when_the_member_loses_the_rung(member):
    pod = PodFactory()
    membership = join(member, pod, rung="trusted")
    post = PostFactory(pod=pod, audience="trusted")
    saved_post_create(actor=member, post=post)
    assert _listed(member) == [post.pk]
    membership.rung = "regular"
    membership.save()
    from communities.policy import policy_forget

    policy_forget(member)
    assert _listed(member) == []


def test_posts_by_a_member_they_blocked_are_left_out_like_in_the_feeds(member, other):
    post = PostFactory(author=other)
    saved_post_create(actor=member, post=post)
    block_create(actor=member, member=other)
    assert saved_posts_page(user=member).count == 0


def test_nobody_else_sees_what_a_member_saved(member, other):
    post = PostFactory()
    saved_post_create(actor=member, post=post)
    assert saved_posts_page(user=other).count == 0
    assert feed(user=other).posts[0].viewer_saved is False
    assert feed(user=member).posts[0].viewer_saved is True


# --- the pages ---------------------------------------------------------------------------------------------------

def test_every_card_has_a_toggle_in_its_state_for_the_viewer(client, member):
    saved, unsaved = PostFactory(), PostFactory()
    saved_post_create(actor=member, post=saved)
    client.force_login(member)
    html = client.get("/?sort=new").content.decode()
    assert f'id="post-{saved.pk}-save" method="post" action="/posts/{saved.pk}/unsave/"' in html
    assert f'id="post-{unsaved.pk}-save" method="post" action="/posts/{unsaved.pk}/save/"' in html
    assert html.count('aria-pressed="true">Saved<') == 1 and html.count('aria-pressed="false">Save<') == 1


def test_signed_out_visitors_get_no_toggle(client):
    PostFactory()
    assert b"save-toggle" not in client.get("/").content


def test_the_htmx_toggle_answers_its_new_state(client, member):
    post = PostFactory()
    client.force_login(member)
    saved = client.post(f"/posts/{post.pk}/save/", headers={"HX-Request": "true"}).content.decode()
    assert f'action="/posts/{post.pk}/unsave/"' in saved and 'aria-pressed="true">Saved<' in saved
    assert SavedPost.objects.filter(member=member, post=post).exists()
    unsaved = client.post(f"/posts/{post.pk}/unsave/", headers={"HX-Request": "true"}).content.decode()
    assert f'action="/posts/{post.pk}/save/"' in unsaved and 'aria-pressed="false">Save<' in unsaved
    assert not SavedPost.objects.exists()


def test_without_javascript_the_toggle_returns_to_the_page_it_was_on(client, member):
    post = PostFactory()
    client.force_login(member)
    response = client.post(f"/posts/{post.pk}/save/", {"next": "/?sort=new"})
    assert response.status_code == 302 and response["Location"] == "/?sort=new"
    response = client.post(f"/posts/{post.pk}/unsave/")
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"


def test_saving_a_post_the_member_may_not_see_is_a_404_like_a_missing_one(client, member):
    hidden = PostFactory(pod=PodFactory(privacy="invite"))
    client.force_login(member)
    refused, missing = client.post(f"/posts/{hidden.pk}/save/"), client.post("/posts/987654321/save/")
    assert refused.status_code == missing.status_code == 404
    assert normalise(refused.content) == normalise(missing.content)
    assert not SavedPost.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    post = PostFactory()
    response = client.post(f"/posts/{post.pk}/save/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client.post(f"/posts/{post.pk}/save/", headers={"HX-Request": "true", "HX-Current-URL": "/"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/login/?next=/")


def test_the_saved_page_lists_the_saves_and_the_menu_links_to_it(client, member):
    post = PostFactory(body="Keep this vet tip")
    saved_post_create(actor=member, post=post)
    client.force_login(member)
    html = client.get("/saved/").content.decode()
    assert "Keep this vet tip" in html and "1 saved post<" in html
    assert '<a href="/saved/" aria-current="page">Saved</a>' in html
    assert '<a href="/saved/">Saved</a>' in client.get("/").content.decode()
    assert client.get("/saved/?cursor=junk").status_code == 200


def test_an_empty_saved_page_says_how_to_save(client, member):
    client.force_login(member)
    assert "Nothing saved yet" in client.get("/saved/").content.decode()


def test_the_saved_page_asks_signed_out_visitors_to_sign_in(client):
    response = client.get("/saved/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_saved_page_costs_the_same_queries_on_page_one_and_a_deep_page(client, member,
                                                                           django_assert_num_queries):
    pod = PodFactory()
    join(member, pod)
    authors = [UserFactory() for _ in range(10)]
    for i in range(90):
        post = PostFactory(author=authors[i % 10], pod=pod if i % 3 else None)
        _save_at(member, post, minutes_ago=i)
    client.force_login(member)
    client.get("/saved/")  # warm the session's once-a-request writes (last active)
    page = saved_posts_page(user=member)
    for _ in range(3):
        page = saved_posts_page(user=member, cursor=page.next_cursor)
    first, html = _count(client, "/saved/")
    assert html.count('class="post-card"') == 20 and "90 saved posts<" in html
    with django_assert_num_queries(first):
        deep = client.get(f"/saved/?cursor={page.next_cursor}").content.decode()
    assert deep.count('class="post-card"') == 10  # saves 81-90, the fifth page
    # "Older saves" with htmx: the fragment alone (no navigation bar), the same cost on any page.
    second = saved_posts_page(user=member).next_cursor
    with CaptureQueriesContext(connection) as fragment:
        client.get(f"/saved/?cursor={second}", headers={"HX-Request": "true"})
    with django_assert_num_queries(len(fragment.captured_queries)):
        client.get(f"/saved/?cursor={page.next_cursor}", headers={"HX-Request": "true"})
