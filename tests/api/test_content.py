"""Feeds, posts, comments, reactions and votes through the API: the pages' rules, one error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Comment, Poll, PollChoice, Post, Reaction
from tests.factories import CommentFactory, PodFactory, PostFactory, UserFactory, forget_kept_pages, join

from .conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_commons_feed_pages_by_cursor_newest_first(api):
    author = UserFactory()
    posts = [PostFactory(author=author, created_at=timezone.now() - timedelta(minutes=i)) for i in range(25)]
    first = api.get("/feeds/commons", sort="new").json()
    assert [p["id"] for p in first["items"]] == [p.pk for p in posts[:20]]
    second = api.get("/feeds/commons", sort="new", cursor=first["next_cursor"]).json()
    assert [p["id"] for p in second["items"]] == [p.pk for p in posts[20:]]
    assert second["next_cursor"] is None
    assert first["items"][0]["author"] == {"username": author.username, "name": author.name}


def test_feed_query_count_is_the_same_on_page_one_and_a_deep_page(api, member, django_assert_num_queries,
                                                                   django_assert_max_num_queries):
    author = UserFactory()
    for i in range(70):
        post = PostFactory(author=author, created_at=timezone.now() - timedelta(minutes=i))
        if i % 3 == 0:
            poll = Poll.objects.create(post=post, question="Which?")
            PollChoice.objects.bulk_create([PollChoice(poll=poll, text="a"), PollChoice(poll=poll, text="b")])
    api.get("/feeds/commons")  # token's last use recorded: later reads within the minute write nothing
    cursor = None
    for _ in range(3):
        cursor = api.get("/feeds/commons", cursor=cursor).json()["next_cursor"]
    api.get("/feeds/commons", cursor=cursor)  # both pages' shared rows warm, so like is compared with like
    # Each counted request renders: the member's kept answer (communities.memberpages) would take one query.
    forget_kept_pages(member.pk)
    # 8 on the embedded defaults, 7 with Redis (a lookup the local-memory cache can't share); equal either way.
    with django_assert_max_num_queries(8) as first:
        assert len(api.get("/feeds/commons").json()["items"]) == 20
    forget_kept_pages(member.pk)
    with django_assert_num_queries(len(first.captured_queries)):
        assert len(api.get("/feeds/commons", cursor=cursor).json()["items"]) == 10


def test_a_members_feed_answer_is_kept_until_something_on_it_changes(api, member, django_assert_num_queries,
                                                                     django_capture_on_commit_callbacks):
    """The second request is the kept answer, byte for byte and in one query (the token); the member's
    save (which changes no shared page) is on the next answer; another member's answer is their own."""
    from communities.services.saved import saved_post_create

    post = PostFactory()
    first = api.get("/feeds/commons")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):
        again = api.get("/feeds/commons")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert again.json()["items"][0]["saved"] is False
    with django_capture_on_commit_callbacks(execute=True):
        saved_post_create(actor=member, post=post)
    after = api.get("/feeds/commons")
    assert after["X-Page-Cache"] == "miss" and after.json()["items"][0]["saved"] is True
    other = ApiClient(token_for(UserFactory()))
    theirs = other.get("/feeds/commons")
    assert theirs["X-Page-Cache"] == "miss" and theirs.json()["items"][0]["saved"] is False


def test_a_private_pods_feed_is_403_to_non_members_and_an_unlisted_one_404(api, member):
    private = PodFactory(privacy="request")
    unlisted = PodFactory(privacy="invite", is_unlisted=True)
    assert api.get(f"/pods/{private.slug}/feed").status_code == 403
    hidden, missing = api.get(f"/pods/{unlisted.slug}/feed"), api.get("/pods/no-such-pod/feed")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    join(member, private)
    assert api.get(f"/pods/{private.slug}/feed").status_code == 200


def test_a_trusted_only_post_is_a_404_exactly_like_a_missing_one(api):
    pod = PodFactory()
    post = PostFactory(pod=pod, audience="trusted")
    hidden, missing = api.get(f"/posts/{post.pk}"), api.get("/posts/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert hidden["Content-Type"] == "application/problem+json"
    assert hidden.json() == {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "Not found."}


def test_post_create_edit_and_delete(api, member):
    created = api.post("/posts", {"body": "Our cat learned to open doors"})
    assert created.status_code == 201
    post_id = created.json()["id"]
    assert Post.objects.get(pk=post_id).author == member
    edited = api.send("PATCH", f"/posts/{post_id}", {"body": "Our cat learned to open ALL doors"})
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    assert api.send("DELETE", f"/posts/{post_id}").status_code == 200
    assert Post.objects.get(pk=post_id).status == "deleted"
    assert api.get(f"/posts/{post_id}").status_code == 404


def test_someone_elses_post_may_be_read_but_not_edited_or_deleted(api):
    post = PostFactory()
    assert api.get(f"/posts/{post.pk}").status_code == 200
    assert api.send("PATCH", f"/posts/{post.pk}", {"body": "mine now"}).status_code == 403
    assert api.send("DELETE", f"/posts/{post.pk}").status_code == 403
    assert Post.objects.get(pk=post.pk).body == post.body


def test_bad_input_comes_back_as_problem_details_with_field_errors(api):
    empty = api.post("/posts", {"body": ""})
    assert empty.status_code == 400 and empty["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in empty.json()["errors"]] == ["body"]
    trusted = api.post("/posts", {"body": "hi", "audience": "trusted"})
    assert trusted.status_code == 400
    assert trusted.json()["errors"] == [
        {"field": "audience", "message": "Commons posts are for everyone; trusted-only posts live in pods."}]
    poll = api.post("/posts", {"body": "Poll!", "poll_question": "Cats or dogs?", "poll_choices": ["Cats"]})
    assert poll.json()["errors"][0]["field"] == "poll_choices"
    assert not Post.objects.exists()


def test_comment_react_and_vote(api, member):
    post = PostFactory()
    poll = Poll.objects.create(post=post, question="Walks a day?")
    one, _ = PollChoice.objects.bulk_create([PollChoice(poll=poll, text="One"), PollChoice(poll=poll, text="Two")])
    comment = api.post(f"/posts/{post.pk}/comments", {"body": "Lovely"})
    assert comment.status_code == 201
    reply = api.post(f"/posts/{post.pk}/comments", {"body": "Agreed", "parent": comment.json()["id"]})
    assert reply.json()["parent"] == comment.json()["id"]
    reacted = api.post(f"/posts/{post.pk}/reactions", {"kind": "paw"}).json()
    assert reacted["active"] is True and reacted["reactions"]["paw"] == 1 and reacted["reactions"]["mine"] == ["paw"]
    assert api.post(f"/posts/{post.pk}/reactions", {"kind": "paw"}).json()["active"] is False
    assert api.post(f"/comments/{comment.json()['id']}/reactions", {"kind": "hug"}).json()["reactions"]["hug"] == 1
    assert api.post(f"/polls/{poll.pk}/votes", {"choices": [one.pk]}).status_code == 200
    again = api.post(f"/polls/{poll.pk}/votes", {"choices": [one.pk]})
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "choices"
    detail = api.get(f"/posts/{post.pk}").json()
    assert detail["post"]["poll"]["voted"] is True
    assert [c["votes"] for c in detail["post"]["poll"]["choices"]] == [1, 0]
    assert [c["body"] for c in detail["comments"]["items"]] == ["Lovely"]
    assert [r["body"] for r in detail["comments"]["items"][0]["replies"]] == ["Agreed"]
    assert Reaction.objects.filter(member=member).count() == 1  # the hug; the paw was taken back


def test_a_posts_comments_come_in_pages_of_threads_like_its_web_page(api):
    post = PostFactory()
    author = UserFactory()
    threads = [CommentFactory(post=post, author=author, body=f"Thread {n}") for n in range(51)]
    replies = [CommentFactory(post=post, author=author, parent=threads[0], body=f"Reply {n}") for n in range(12)]
    hidden = CommentFactory(post=post, author=author, body="Held thread", status="held")
    first = api.get(f"/posts/{post.pk}").json()["comments"]
    assert [c["body"] for c in first["items"]] == [f"Thread {n}" for n in range(50)]
    assert first["more"] == 1 and first["next_cursor"]
    head = first["items"][0]
    assert [r["body"] for r in head["replies"]] == [f"Reply {n}" for n in range(10)] and head["more_replies"] == 2
    rest = api.get(f"/posts/{post.pk}/comments", cursor=first["next_cursor"]).json()
    assert ([c["body"] for c in rest["items"]], rest["more"], rest["next_cursor"]) == (["Thread 50"], 0, None)
    whole = api.get(f"/posts/{post.pk}/comments", comment=replies[11].pk).json()["items"][0]
    assert len(whole["replies"]) == 12 and whole["more_replies"] == 0
    # A held comment is neither listed nor counted; a comment id the caller can't read is ignored.
    assert api.get(f"/posts/{post.pk}/comments", comment=hidden.pk).json()["items"][0]["body"] == "Thread 0"
    assert api.get(f"/posts/{post.pk}/comments", cursor="not-a-cursor").json()["items"][0]["body"] == "Thread 0"


def test_reacting_in_an_open_pod_needs_membership_403(api):
    post = PostFactory(pod=PodFactory(privacy="open"))
    response = api.post(f"/posts/{post.pk}/reactions", {"kind": "paw"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Join this pod to react to its posts."


def test_comment_delete_by_author_only(api, member):
    mine, theirs = CommentFactory(author=member), CommentFactory()
    assert api.send("DELETE", f"/comments/{theirs.pk}").status_code == 403
    assert api.send("DELETE", f"/comments/{mine.pk}").status_code == 200
    assert Comment.objects.get(pk=mine.pk).status == "deleted"


def test_posting_is_limited_like_the_pages_429_with_retry_after(settings):
    settings.RATE_LIMITS_ENABLED = True
    newcomer = UserFactory(date_joined=timezone.now())
    api = ApiClient(token_for(newcomer))
    statuses = [api.post("/posts", {"body": f"post {i}"}).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 201, 429]  # newcomers: 4 posts per 10 minutes
    limited = api.post("/posts", {"body": "again"})
    assert limited["Content-Type"] == "application/problem+json"
    assert 0 < int(limited["Retry-After"]) <= 600
    assert limited.json()["status"] == 429
    browser_post = ApiClient(None)
    browser_post.client.force_login(newcomer)
    assert browser_post.post("/posts", {"body": "from the browser"}).status_code == 429  # one window per member
