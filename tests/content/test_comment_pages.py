"""The post page shows its comments a page at a time: keyset cursors, links that land on a comment's page,
the privacy rules on every page and in every count, and a cost that does not grow with the thread."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import ContentStatus
from communities.selectors import COMMENTS_PAGE_SIZE, REPLIES_SHOWN
from communities.services.comments import comment_create
from communities.services.posts import post_create
from communities.streams import COMMONS_GROUP
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

COMMENT_IDS = re.compile(r'<li class="comment" id="comment-(\d+)">')
MORE_LINK = re.compile(r'href="(\?after=[^"#]+)#comments"')


@pytest.fixture
def post(member):
    return post_create(actor=member, body="Which lead do you use?", audience="everyone")


def _comments(post, n, *, authors=None, same_time_every=1, **kw):
    """n top-level comments, oldest first; `same_time_every` > 1 gives runs of equal timestamps (the
    cursor's tie-break on id)."""
    start = timezone.now() - timedelta(days=1)
    authors = authors or [UserFactory() for _ in range(5)]
    return [CommentFactory(post=post, author=authors[i % len(authors)],
                           created_at=start + timedelta(seconds=i // same_time_every), **kw) for i in range(n)]


def _replies(thread, author, n):
    return [CommentFactory(post=thread.post, parent=thread, author=author,
                           created_at=thread.created_at + timedelta(minutes=i + 1)) for i in range(n)]


def _shown(response) -> list[int]:
    return [int(pk) for pk in COMMENT_IDS.findall(response.content.decode())]


def _more_link(response) -> str | None:
    found = MORE_LINK.search(response.content.decode())
    return found.group(1) if found else None


def test_the_first_page_shows_a_page_of_comments_and_a_link_to_the_rest(client, post):
    comments = _comments(post, COMMENTS_PAGE_SIZE + 7)
    response = client.get(f"/posts/{post.pk}/")
    assert _shown(response) == [c.pk for c in comments[:COMMENTS_PAGE_SIZE]]
    assert 'data-more-count="7">Show more comments (7 more)</a>' in response.content.decode()
    assert _more_link(response) is not None


def test_following_the_more_links_shows_every_comment_once_in_order(client, post):
    comments = _comments(post, 2 * COMMENTS_PAGE_SIZE + 3, same_time_every=4)
    seen, url = [], f"/posts/{post.pk}/"
    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200 and "Which lead do you use?" in response.content.decode()
        seen += _shown(response)
        link = _more_link(response)
        if link is None:
            break
        url = f"/posts/{post.pk}/{link}"
    assert seen == [c.pk for c in comments]


def test_the_more_link_without_javascript_opens_the_post_with_the_next_comments(client, post):
    comments = _comments(post, COMMENTS_PAGE_SIZE + 2)
    link = _more_link(client.get(f"/posts/{post.pk}/"))
    page = client.get(f"/posts/{post.pk}/{link}")
    html = page.content.decode()
    assert _shown(page) == [c.pk for c in comments[COMMENTS_PAGE_SIZE:]]
    assert "<html" in html and "Which lead do you use?" in html and 'id="comment-form"' not in html  # anonymous
    assert f'<a href="/posts/{post.pk}/#comments">Show earlier comments</a>'in html
    assert _more_link(page) is None


def test_the_more_link_with_htmx_answers_only_the_next_comments_and_replaces_itself(client, post):
    comments = _comments(post, COMMENTS_PAGE_SIZE + 2)
    link = _more_link(client.get(f"/posts/{post.pk}/"))
    fragment = client.get(f"/posts/{post.pk}/{link}", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Which lead do you use?" not in fragment
    assert [int(pk) for pk in COMMENT_IDS.findall(fragment)] == [c.pk for c in comments[COMMENTS_PAGE_SIZE:]]
    # The link's place is swapped out of band for "no more" (the last page).
    assert re.search(rf'<div id="post-{post.pk}-comments-more" data-hx-swap-oob="true">\s*</div>', fragment)


def test_a_link_to_a_comment_on_a_later_page_lands_on_a_page_showing_it(client, post):
    comments = _comments(post, 2 * COMMENTS_PAGE_SIZE + 30)
    target = comments[COMMENTS_PAGE_SIZE + 20]
    url = target.get_absolute_url()
    assert url == f"/posts/{post.pk}/?comment={target.pk}#comment-{target.pk}"
    response = client.get(url.split("#")[0])
    assert _shown(response)[0] == target.pk and len(_shown(response)) == COMMENTS_PAGE_SIZE
    assert "Show earlier comments" in response.content.decode()
    # Its next page goes on from where this one ends.
    rest = client.get(f"/posts/{post.pk}/{_more_link(response)}")
    assert _shown(rest) == [c.pk for c in comments[COMMENTS_PAGE_SIZE + 20 + COMMENTS_PAGE_SIZE:]]


def test_a_link_to_a_reply_deep_in_a_long_thread_shows_the_whole_thread(client, post, other):
    comments = _comments(post, COMMENTS_PAGE_SIZE + 5)
    thread = comments[COMMENTS_PAGE_SIZE + 1]
    replies = _replies(thread, other, REPLIES_SHOWN + 5)
    response = client.get(replies[-1].get_absolute_url().split("#")[0])
    assert _shown(response)[0] == thread.pk
    assert [pk for pk in _shown(response) if pk in {r.pk for r in replies}] == [r.pk for r in replies]


def test_a_long_thread_shows_its_first_replies_and_a_link_to_the_rest(client, post, other):
    [thread] = _comments(post, 1)
    replies = _replies(thread, other, REPLIES_SHOWN + 3)
    html = client.get(f"/posts/{post.pk}/").content.decode()
    assert COMMENT_IDS.findall(html) == [str(thread.pk)] + [str(r.pk) for r in replies[:REPLIES_SHOWN]]
    assert (f'href="?comment={thread.pk}#comment-{thread.pk}"' in html
            and 'data-more-replies="3">Show all replies (3 more)</a>' in html)
    whole = client.get(f"/posts/{post.pk}/?comment={thread.pk}").content.decode()
    assert COMMENT_IDS.findall(whole) == [str(thread.pk)] + [str(r.pk) for r in replies]
    assert "Show all replies" not in whole


def test_a_held_comment_of_someone_else_is_neither_shown_nor_counted(client, post, member, other):
    comments = _comments(post, COMMENTS_PAGE_SIZE)
    held = CommentFactory(post=post, author=other, status=ContentStatus.HELD,
                          created_at=comments[10].created_at + timedelta(milliseconds=1))
    replies_held = [CommentFactory(post=post, parent=comments[0], author=other, status=ContentStatus.HELD)
                    for _ in range(REPLIES_SHOWN + 2)]
    client.force_login(member)
    page = client.get(f"/posts/{post.pk}/")
    assert _shown(page) == [c.pk for c in comments] and _more_link(page) is None
    assert "Show all replies" not in page.content.decode()
    # The link to it is no way in either: the first page, without it.
    linked = client.get(held.get_absolute_url().split("#")[0])
    assert held.pk not in _shown(linked) and _shown(linked) == [c.pk for c in comments]
    # Its author sees it in its place, so their first page ends one comment earlier.
    client.force_login(other)
    own = client.get(f"/posts/{post.pk}/")
    assert _shown(own).index(held.pk) == _shown(own).index(comments[10].pk) + 1
    assert 'data-more-count="1">Show more comments (1 more)</a>' in own.content.decode()
    assert 'data-more-replies="2">Show all replies (2 more)</a>' in own.content.decode()
    assert replies_held[0].pk in _shown(own)


@pytest.mark.parametrize("reader", ["member", "anonymous"])
def test_a_page_costs_the_same_queries_at_10_and_120_comments(client, member, other, reader,
                                                              django_assert_num_queries):
    def cost(url):
        cache.clear()  # every page measured cold: no shared page, no cached navigation
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    if reader == "member":
        client.force_login(other)
    small = post_create(actor=member, body="Small", audience="everyone")
    big = post_create(actor=member, body="Big", audience="everyone")
    people = [UserFactory() for _ in range(6)]
    for post, n in ((small, 10), (big, 120)):
        tops = _comments(post, n, authors=people)
        for i, top in enumerate(tops[:8]):
            for j in range(REPLIES_SHOWN + 2 if i % 2 else 2):
                CommentFactory(post=post, parent=top, author=people[j % 6])
    linked_small = small.comments.filter(parent__isnull=False).last()
    linked_big = big.comments.filter(parent__isnull=True).order_by("created_at", "pk")[COMMENTS_PAGE_SIZE + 3]
    client.get(f"/posts/{small.pk}/")  # per-session writes (last seen) happen once, not per page
    first = cost(f"/posts/{small.pk}/")
    assert cost(f"/posts/{big.pk}/") == first
    link = _more_link(client.get(f"/posts/{big.pk}/"))
    assert cost(f"/posts/{big.pk}/{link}") == first
    linked = cost(f"/posts/{small.pk}/?comment={linked_small.pk}")
    assert cost(f"/posts/{big.pk}/?comment={linked_big.pk}") == linked
    cache.clear()
    with django_assert_num_queries(linked):  # the same, as django_assert_num_queries reports it on failure
        client.get(f"/posts/{big.pk}/?comment={linked_big.pk}")


def test_a_new_comment_redirects_to_the_page_that_shows_it(client, post, other):
    _comments(post, COMMENTS_PAGE_SIZE + 5)
    client.force_login(other)
    response = client.post(f"/posts/{post.pk}/comments/", {"body": "The last word"})
    comment = post.comments.get(body="The last word")
    assert response["Location"] == f"/posts/{post.pk}/?comment={comment.pk}#comment-{comment.pk}"
    assert comment.pk in _shown(client.get(response["Location"].split("#")[0]))


def test_a_live_comment_frame_names_its_thread(post, other, listen, django_capture_on_commit_callbacks):
    """The page's script puts a live reply under its thread, or counts it when the thread shows only its
    first replies (static/js/app.js, `liveComment`)."""
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        top = comment_create(actor=other, post=post, body="Top")
        reply = comment_create(actor=other, post=post, body="Reply", parent=top)
    frames = [f for f in listener.frames() if f["type"] == "comment.new"]
    assert [(f["id"], f["parent_id"]) for f in frames] == [(top.pk, None), (reply.pk, top.pk)]
