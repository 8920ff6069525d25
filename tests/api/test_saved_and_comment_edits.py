"""Saved posts and comment edits through the API: the same services and selector as the pages, problem
details for every refusal, scopes on tokens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Comment, CommentRevision, Post, SavedPost
from communities.services import comments as comment_services
from communities.services.comments import comment_create
from communities.services.saved import saved_post_create
from microgroups.services.membership import pod_leave
from moderation.checks import CheckOutcome
from tests.factories import CommentFactory, PodFactory, PostFactory, UserFactory, join

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


# --- saved posts ------------------------------------------------------------------------------------------------

def test_save_list_and_unsave(api, member):
    post = PostFactory(body="A keeper")
    first = api.send("PUT", f"/saved/{post.pk}")
    assert first.status_code == 200 and first.json() == {"saved": True}
    assert api.send("PUT", f"/saved/{post.pk}").json() == {"saved": True}  # idempotent
    listed = api.get("/saved").json()
    assert listed["count"] == 1 and listed["next_cursor"] is None
    [item] = listed["items"]
    assert item["post"]["id"] == post.pk and item["post"]["saved"] is True and item["saved_at"]
    assert api.get(f"/posts/{post.pk}").json()["post"]["saved"] is True
    assert api.send("DELETE", f"/saved/{post.pk}").json() == {"saved": False}
    assert api.send("DELETE", f"/saved/{post.pk}").json() == {"saved": False}
    assert api.get("/saved").json() == {"items": [], "next_cursor": None, "count": 0}


def test_saving_a_post_the_caller_may_not_read_is_the_same_404_as_a_missing_one(api):
    hidden = PostFactory(pod=PodFactory(privacy="invite"))
    refused, missing = api.send("PUT", f"/saved/{hidden.pk}"), api.send("PUT", "/saved/987654321")
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content and refused["Content-Type"] == "application/problem+json"
    assert api.send("DELETE", f"/saved/{hidden.pk}").status_code == 404
    assert not SavedPost.objects.exists()


def test_the_list_pages_by_cursor_and_drops_posts_from_a_pod_the_caller_left(api, member):
    pod = PodFactory(privacy="request")
    join(member, pod)
    posts = [PostFactory(pod=pod if i % 2 else None) for i in range(25)]
    for i, post in enumerate(posts):
        save = saved_post_create(actor=member, post=post)
        SavedPost.objects.filter(pk=save.pk).update(created_at=timezone.now() - timedelta(minutes=i))
    first = api.get("/saved").json()
    second = api.get("/saved", cursor=first["next_cursor"]).json()
    assert [i["post"]["id"] for i in first["items"] + second["items"]] == [p.pk for p in posts]
    assert first["count"] == 25 and second["next_cursor"] is None
    pod_leave(actor=member, pod=pod)
    after = api.get("/saved").json()
    assert after["count"] == 13 and all(i["post"]["pod"] is None for i in after["items"])


def test_saved_needs_read_to_list_and_write_to_change(member):
    post = PostFactory()
    reader = ApiClient(token_for(member, scopes=("read",)))
    assert reader.get("/saved").status_code == 200
    refused = reader.send("PUT", f"/saved/{post.pk}")
    assert refused.status_code == 403 and "'write' scope" in refused.json()["detail"]
    assert ApiClient(None).get("/saved").status_code == 401


def test_the_saved_list_costs_the_same_queries_on_page_one_and_a_deep_page(api, member, django_assert_num_queries):
    for i in range(70):
        save = saved_post_create(actor=member, post=PostFactory())
        SavedPost.objects.filter(pk=save.pk).update(created_at=timezone.now() - timedelta(minutes=i))
    api.get("/saved")  # the token's last use is recorded once a minute
    cursor = None
    for _ in range(3):
        cursor = api.get("/saved", cursor=cursor).json()["next_cursor"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert len(api.get("/saved").json()["items"]) == 20
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(api.get("/saved", cursor=cursor).json()["items"]) == 10


# --- comment edits ----------------------------------------------------------------------------------------------

def test_the_author_edits_a_comment_and_the_history_keeps_the_old_text(api, member):
    post = PostFactory()
    comment = comment_create(actor=member, post=post, body="First thought")
    response = api.send("PATCH", f"/comments/{comment.pk}", {"body": "Second *thought*"})
    assert response.status_code == 200
    data = response.json()
    assert data["body"] == "Second *thought*" and "<em>thought</em>" in data["body_html"]
    assert data["edited_at"] is not None and data["edit_pending"] is False
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["First thought"]
    detail = api.get(f"/posts/{post.pk}").json()
    assert detail["comments"]["items"][0]["edited_at"] is not None


def test_a_held_edit_reports_pending_and_keeps_the_published_text(api, member, monkeypatch):
    monkeypatch.setattr(comment_services, "content_check", lambda **kw: CheckOutcome(status="held", body=kw["body"]))
    comment = CommentFactory(author=member, body="Fine words")
    data = api.send("PATCH", f"/comments/{comment.pk}", {"body": "Questionable words"}).json()
    assert (data["body"], data["edit_pending"], data["edited_at"]) == ("Fine words", True, None)
    other = ApiClient(token_for(UserFactory()))
    [shown] = other.get(f"/posts/{comment.post_id}").json()["comments"]["items"]
    assert (shown["body"], shown["edit_pending"]) == ("Fine words", False)
    [mine] = api.get(f"/posts/{comment.post_id}").json()["comments"]["items"]
    assert mine["edit_pending"] is True


def test_comment_edits_are_refused_in_the_problem_shape(api, member, settings):
    others = CommentFactory()
    refused = api.send("PATCH", f"/comments/{others.pk}", {"body": "mine now"})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    late = CommentFactory(author=member)
    Comment.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.POST_EDIT_WINDOW_MINUTES + 1))
    assert api.send("PATCH", f"/comments/{late.pk}", {"body": "late"}).status_code == 403
    mine = CommentFactory(author=member)
    empty = api.send("PATCH", f"/comments/{mine.pk}", {"body": ""})
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "body"
    hidden_post = PostFactory(pod=PodFactory(privacy="invite"))
    hidden = CommentFactory(post=hidden_post, author=member)
    gone, missing = api.send("PATCH", f"/comments/{hidden.pk}", {"body": "x"}), \
        api.send("PATCH", "/comments/987654321", {"body": "x"})
    assert gone.status_code == missing.status_code == 404 and gone.content == missing.content
    assert Post.objects.filter(pk=hidden_post.pk).exists()
