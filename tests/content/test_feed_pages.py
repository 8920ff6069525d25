from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.models import Follow, Post, Tag
from communities.selectors import feed
from communities.services.comments import comment_create
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from tests.factories import CommentFactory, PodFactory, PostFactory, TagFactory, UserFactory, forget_kept_pages, join

pytestmark = pytest.mark.django_db


def _posts(n, **kw):
    now = timezone.now()
    return [PostFactory(created_at=now - timedelta(minutes=i), **kw) for i in range(n)]


def test_feed_sorts_new_hot_and_top_within_a_window(member):
    now = timezone.now()
    old_popular = PostFactory(created_at=now - timedelta(days=10), reaction_count=50, hot_score=1.0)
    fresh = PostFactory(created_at=now - timedelta(hours=1), reaction_count=2, hot_score=5.0)
    mid = PostFactory(created_at=now - timedelta(days=3), reaction_count=9, hot_score=3.0)
    assert [p.pk for p in feed(user=member, sort="new").posts] == [fresh.pk, mid.pk, old_popular.pk]
    assert [p.pk for p in feed(user=member, sort="hot").posts] == [fresh.pk, mid.pk, old_popular.pk]
    assert [p.pk for p in feed(user=member, sort="top", top_window="week").posts] == [mid.pk, fresh.pk]
    assert [p.pk for p in feed(user=member, sort="top", top_window="day").posts] == [fresh.pk]
    assert [p.pk for p in feed(user=member, sort="top", top_window="all").posts][0] == old_popular.pk


def test_feed_filters_by_topic_and_species(member):
    TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    dog = post_create(actor=member, body="#dog #walks today", audience="everyone")
    post_create(actor=member, body="#walks only", audience="everyone")
    post_create(actor=member, body="nothing", audience="everyone")
    assert [p.pk for p in feed(user=member, species="dog").posts] == [dog.pk]
    assert len(feed(user=member, topic="walks").posts) == 2


def test_keyset_cursor_pages_through_every_post_once(member):
    posts = _posts(45)
    seen, cursor = [], None
    for _ in range(3):
        page = feed(user=member, sort="new", cursor=cursor, page_size=20)
        seen += [p.pk for p in page.posts]
        cursor = page.next_cursor
    assert seen == [p.pk for p in posts] and cursor is None
    assert feed(user=member, cursor="garbage!!").posts[0].pk == posts[0].pk  # bad cursor: first page


def test_following_feed_shows_followed_authors_only(member, other, client):
    followed = post_create(actor=other, body="from ben", audience="everyone")
    PostFactory()
    Follow.objects.create(follower=member, followee=other)
    assert [p.pk for p in feed(user=member, following_only=True).posts] == [followed.pk]
    client.force_login(member)
    response = client.get(reverse("communities:following"))
    assert response.status_code == 200 and b"from ben" in response.content


def test_private_pod_posts_never_reach_the_commons_feed(member, other):
    pod = PodFactory(privacy="invite")
    join(member, pod)
    post_create(actor=member, pod=pod, body="secret", audience="everyone")
    assert feed(user=other).posts == [] and feed(user=member).posts == []  # the Commons feed: no pod posts


def _count(client, url):
    client.get(url)  # warm up: per-session writes (last seen, etc.) happen once, not per page
    _forget_kept_pages(client)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200 and response.get("X-Page-Cache") != "hit"
    return len(ctx.captured_queries)


def _forget_kept_pages(client):
    forget_kept_pages(int(client.session["_auth_user_id"]))


def test_feed_page_costs_the_same_queries_for_5_and_20_posts(client, member, django_assert_num_queries):
    client.force_login(member)
    authors = [UserFactory() for _ in range(20)]
    tag = TagFactory(slug="walks")
    for i, post in enumerate(_posts(5)):
        post.tags.add(tag)
        reaction_toggle(actor=member, kind="paw", post=post) if i % 2 else None
    five = _count(client, "/?sort=new")
    for i, post in enumerate(_posts(15)):
        Post.objects.filter(pk=post.pk).update(author=authors[i])
        post.tags.add(tag)
        reaction_toggle(actor=member, kind="heart", post=post)
    cache.clear()  # the factories wrote rows without the post services' feed-version bump
    client.get("/?sort=new")  # warm, as `_count` was
    _forget_kept_pages(client)
    with django_assert_num_queries(five):
        response = client.get("/?sort=new")
    assert response.content.count(b'class="post-card"') == 20
    assert five <= 16


def test_deep_cursor_page_costs_the_same(client, member, django_assert_num_queries):
    client.force_login(member)
    _posts(100)
    second = feed(user=member, sort="new")
    second_cost = _count(client, f"/?sort=new&cursor={second.next_cursor}")
    page = second
    for _ in range(3):
        page = feed(user=member, sort="new", cursor=page.next_cursor)
    client.get(f"/?sort=new&cursor={page.next_cursor}")  # warm, as `_count` was
    _forget_kept_pages(client)
    with django_assert_num_queries(second_cost):
        response = client.get(f"/?sort=new&cursor={page.next_cursor}")
    assert response.content.count(b'class="post-card"') == 20  # posts 81-100, the fifth page


def test_anonymous_landing_shows_public_commons_posts_and_a_signup(client):
    PostFactory(body="Public hello")
    response = client.get("/")
    assert b"Public hello" in response.content and b"Join PetCommunity" in response.content
    assert b'id="composer"' not in response.content


def test_older_posts_link_works_without_js_and_with_htmx(client, member):
    _posts(25)
    client.force_login(member)
    page = feed(user=member, sort="new")
    response = client.get(f"/?sort=new&cursor={page.next_cursor}")
    assert response.status_code == 200 and b"<html" in response.content
    assert response.content.count(b'class="post-card"') == 5
    partial = client.get(f"/?sort=new&cursor={page.next_cursor}", HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and partial.content.count(b'class="post-card"') == 5


def test_composer_posts_without_js_and_redirects(client, member):
    client.force_login(member)
    response = client.post(reverse("communities:post_new"), {"body": "First post! #hello"})
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_composer_keeps_the_text_on_error(client, member):
    client.force_login(member)
    response = client.post(reverse("communities:post_new"), {
        "body": "My poll text", "poll_question": "Best walk?", "poll_choices": "Only one"})
    assert response.status_code == 200
    assert b"My poll text" in response.content and b"Give between 2 and 10 choices" in response.content
    assert Post.objects.count() == 0


def test_composer_shows_a_poll_date_error_in_an_open_section(client, member):
    client.force_login(member)
    response = client.post(reverse("communities:post_new"), {"body": "Hi", "poll_closes_at": "not a date"})
    html = response.content.decode()
    assert response.status_code == 200 and "Enter a valid date/time." in html
    assert "<details open>\n    <summary>Add a poll</summary>" in html
    assert "Share with the Commons" in html and 'hx-post="/posts/new/"' in html


def test_composer_with_htmx_returns_the_card_and_a_fresh_composer(client, member):
    client.force_login(member)
    response = client.post(reverse("communities:post_new"), {"body": "via htmx"}, HTTP_HX_REQUEST="true")
    assert b"via htmx" in response.content and b'hx-swap-oob="true"' in response.content
    error = client.post(reverse("communities:post_new"), {"body": ""}, HTTP_HX_REQUEST="true")
    assert error["HX-Retarget"] == "#composer"


def _count_renders(name: str):
    from django.test.signals import template_rendered

    seen = []

    def count(sender, template, context, **kwargs):
        if template.name == name:
            seen.append(context)
    template_rendered.connect(count)
    return seen, lambda: template_rendered.disconnect(count)


def test_a_new_posts_card_is_rendered_once_per_request(client, member, listen, django_capture_on_commit_callbacks):
    """The composer's htmx response reuses the card the live frame carries (the presenter renders it)."""
    from communities.streams import COMMONS_GROUP

    listener = listen(COMMONS_GROUP)
    client.force_login(member)
    seen, stop = _count_renders("communities/_post_card.html")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("communities:post_new"), {"body": "Rendered once"}, HTTP_HX_REQUEST="true")
    finally:
        stop()
    post = Post.objects.get()
    frames = [f for f in listener.frames() if f["type"] == "post.new"]
    assert len(seen) == 1
    assert len(frames) == 1 and frames[0]["id"] == post.pk and "Rendered once" in frames[0]["html"]
    assert response.content.decode().startswith(frames[0]["html"])


@pytest.mark.django_db(transaction=True)
def test_a_new_posts_card_is_rendered_once_when_the_frame_goes_out_at_commit(client, member):
    """As in production: the service commits, the presenter renders the frame, the view reuses it."""
    client.force_login(member)
    seen, stop = _count_renders("communities/_post_card.html")
    try:
        response = client.post(reverse("communities:post_new"), {"body": "Once at commit"}, HTTP_HX_REQUEST="true")
    finally:
        stop()
    assert response.status_code == 200 and b"Once at commit" in response.content
    assert len(seen) == 1


def test_composer_can_attach_a_poll_and_a_photo(client, member):
    from .conftest import image_upload

    client.force_login(member)
    client.post(reverse("communities:post_new"), {
        "body": "Vote!", "poll_question": "Walk time?", "poll_choices": "Morning\nEvening\n",
        "images": [image_upload()], "image_alt": "A dog"})
    post = Post.objects.get()
    assert [c.text for c in post.poll.choices.all()] == ["Morning", "Evening"]
    assert post.images.count() == 1


def test_post_page_costs_the_same_for_5_and_50_comments(client, member, django_assert_num_queries):
    post = post_create(actor=member, body="Q", audience="everyone")
    client.force_login(member)
    people = [UserFactory() for _ in range(10)]
    for i in range(5):
        CommentFactory(post=post, author=people[i % 10])
    five = _count(client, f"/posts/{post.pk}/")
    tops = list(post.comments.all())
    for i in range(45):
        CommentFactory(post=post, author=people[i % 10], parent=tops[i % 5] if i % 3 else None)
    with django_assert_num_queries(five):
        response = client.get(f"/posts/{post.pk}/")
    assert response.content.count(b'class="comment"') == 50


def test_post_page_shows_comments_and_reaction_forms(client, member, other):
    post = post_create(actor=member, body="Q", audience="everyone")
    comment_create(actor=other, post=post, body="An answer")
    client.force_login(other)
    response = client.get(f"/posts/{post.pk}/")
    assert b"An answer" in response.content and b'data-reaction="paw"' in response.content
    assert client.get("/posts/999999/").status_code == 404


def test_react_without_js_redirects_back_and_with_htmx_swaps_the_fragment(client, member, other):
    post = post_create(actor=member, body="Q", audience="everyone")
    client.force_login(other)
    url = reverse("communities:post_react", args=[post.pk])
    response = client.post(url, {"kind": "paw"}, HTTP_REFERER="http://testserver/?sort=new")
    assert response.status_code == 302 and response["Location"] == "http://testserver/?sort=new"
    fragment = client.post(url, {"kind": "heart"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().count('aria-pressed="true"') == 2
    assert client.post(url, {"kind": "bogus"}).status_code == 400


def test_edit_page_shows_history_and_refuses_others(client, member, other):
    post = post_create(actor=member, body="v1", audience="everyone")
    client.force_login(member)
    response = client.post(reverse("communities:post_edit", args=[post.pk]), {"body": "v2"})
    assert response.status_code == 302
    page = client.get(reverse("communities:post_edit", args=[post.pk]))
    assert b"v1" in page.content and b"v2" in page.content
    client.force_login(other)
    assert client.get(reverse("communities:post_edit", args=[post.pk])).status_code == 403
    assert client.post(reverse("communities:post_delete", args=[post.pk])).status_code == 403


def test_deleted_post_disappears(client, member):
    post = post_create(actor=member, body="gone soon", audience="everyone")
    client.force_login(member)
    assert client.post(reverse("communities:post_delete", args=[post.pk])).status_code == 302
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert b"gone soon" not in client.get("/").content


def test_comment_form_errors_keep_the_page_and_replies_work(client, member, other):
    post = post_create(actor=member, body="Q", audience="everyone")
    client.force_login(other)
    url = reverse("communities:comment_new", args=[post.pk])
    bad = client.post(url, {"body": ""})
    assert bad.status_code == 200 and b"This field is required" in bad.content
    client.post(url, {"body": "top"})
    top = post.comments.get()
    client.post(url, {"body": "reply", "parent": top.pk})
    assert post.comments.get(body="reply").parent_id == top.pk
    assert client.post(url, {"body": "x", "parent": 999999}).status_code == 404


def test_follow_buttons_post_and_swap(client, member, other):
    client.force_login(member)
    response = client.post(reverse("communities:follow", args=[other.username]), HTTP_HX_REQUEST="true")
    assert Follow.objects.filter(follower=member, followee=other).exists()
    assert b"Following" in response.content and b"unfollow" in response.content
    client.post(reverse("communities:unfollow", args=[other.username]))
    assert not Follow.objects.exists()
    assert client.post(reverse("communities:follow", args=["nobody-here"])).status_code == 404


def test_cached_card_never_carries_another_viewers_pressed_state(client, member, other):
    post = post_create(actor=member, body="Cache me", audience="everyone")
    reaction_toggle(actor=other, kind="paw", post=post)
    client.force_login(other)
    assert 'aria-pressed="true"' in client.get("/?sort=new").content.decode()  # fills the fragment cache
    client.force_login(member)
    page = client.get("/?sort=new").content.decode()
    assert 'aria-pressed="true"' not in page and "Cache me" in page


def test_cached_card_changes_when_the_post_is_edited(client, member, django_capture_on_commit_callbacks):
    from communities.services.posts import post_edit

    post = post_create(actor=member, body="before edit", audience="everyone")
    client.force_login(member)
    assert "before edit" in client.get("/?sort=new").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the feed's version is bumped after commit
        post_edit(actor=member, post=post, body="after edit")
    assert "after edit" in client.get("/?sort=new").content.decode()
