"""Editing comments: the posts' window, history, "edited", the rules re-checked, a held edit keeping the
published text visible until a moderator decides, live updates, and the pages (inline and without JS)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from communities.models import Comment, CommentRevision, ContentStatus, Notification, Post
from communities.selectors import post_comments_page
from communities.services import comments as comment_services
from communities.services.comments import comment_create, comment_edit
from communities.streams import COMMONS_GROUP
from moderation.checks import CheckOutcome, ContentBlocked
from tests.factories import PodFactory, PostFactory, UserFactory, join
from tests.trust.matrix import normalise

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(other):
    return PostFactory(author=other, body="How do you trim a cat's claws?")


@pytest.fixture
def comment(member, post):
    return comment_create(actor=member, post=post, body="With a towel and patience")


def _hold(monkeypatch, seen=None):
    def hold(**kwargs):
        if seen is not None:
            seen.update(kwargs)
        return CheckOutcome(status="held", body=kwargs["body"])

    monkeypatch.setattr(comment_services, "content_check", hold)


def _age(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    comment.refresh_from_db()


# --- the service ---------------------------------------------------------------------------------------------

def test_edit_keeps_the_old_text_as_history_marks_it_edited_and_notifies_new_mentions_only(member, post):
    UserFactory(username="ana")
    UserFactory(username="ben2")
    comment = comment_create(actor=member, post=post, body="Ask @ana")
    before = Notification.objects.count()
    comment_edit(actor=member, comment=comment, body="Ask @ana or @ben2, **gently**")
    comment.refresh_from_db()
    assert comment.body == "Ask @ana or @ben2, **gently**" and "<strong>gently</strong>" in comment.body_html
    assert comment.edited_at is not None and comment.pending_body == ""
    assert list(CommentRevision.objects.filter(comment=comment).values_list("body", flat=True)) == ["Ask @ana"]
    new = Notification.objects.order_by("pk")[before:]
    assert [n.recipient.username for n in new] == ["ben2"]


def test_an_unchanged_text_writes_no_revision(member, comment):
    comment_edit(actor=member, comment=comment, body="  With a towel and patience ")
    comment.refresh_from_db()
    assert comment.edited_at is None and not CommentRevision.objects.exists()


def test_only_the_author_may_edit_and_only_within_the_posts_window(member, other, comment, settings):
    with pytest.raises(PermissionDenied, match="Only the author"):
        comment_edit(actor=other, comment=comment, body="mine now")
    _age(comment, settings.POST_EDIT_WINDOW_MINUTES - 1)
    comment_edit(actor=member, comment=comment, body="still in time")
    _age(comment, settings.POST_EDIT_WINDOW_MINUTES + 1)
    with pytest.raises(PermissionDenied, match=f"{settings.POST_EDIT_WINDOW_MINUTES} minutes"):
        comment_edit(actor=member, comment=comment, body="too late")
    comment.refresh_from_db()
    assert comment.body == "still in time"


def test_edits_are_refused_when_the_thread_is_closed_or_the_comment_gone(member, comment, post):
    Post.objects.filter(pk=post.pk).update(status=ContentStatus.REMOVED)
    comment.post.refresh_from_db()
    with pytest.raises(Http404):  # the post is unreadable to the commenter now
        comment_edit(actor=member, comment=comment, body="x")
    Post.objects.filter(pk=post.pk).update(status=ContentStatus.PUBLISHED)
    comment.post.refresh_from_db()
    Comment.objects.filter(pk=comment.pk).update(status=ContentStatus.DELETED)
    comment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        comment_edit(actor=member, comment=comment, body="x")


def test_a_suspended_author_may_not_edit(member, comment):
    member.suspended_until = timezone.now() + timedelta(days=1)
    member.save()
    with pytest.raises(PermissionDenied, match="suspended"):
        comment_edit(actor=member, comment=comment, body="x")


def test_empty_and_overlong_edits_are_refused_at_the_field(member, comment):
    with pytest.raises(ValidationError) as empty:
        comment_edit(actor=member, comment=comment, body="   ")
    assert "body" in empty.value.error_dict
    with pytest.raises(ValidationError):
        comment_edit(actor=member, comment=comment, body="x" * 10001)


def test_the_rules_check_the_edit_as_an_edit(member, comment, monkeypatch):
    seen = {}

    def check(**kwargs):
        seen.update(kwargs)
        return CheckOutcome(status="published", body=kwargs["body"].replace("darn", "d**n"))

    monkeypatch.setattr(comment_services, "content_check", check)
    comment_edit(actor=member, comment=comment, body="darn claws, see https://example.com")
    assert (seen["kind"], seen["editing"], seen["has_links"], seen["has_images"]) == ("comment", True, True, False)
    comment.refresh_from_db()
    assert comment.body == "d**n claws, see https://example.com"


def test_a_blocked_edit_changes_nothing(member, comment, monkeypatch):
    def block(**kwargs):
        raise ContentBlocked("No selling here.")

    monkeypatch.setattr(comment_services, "content_check", block)
    with pytest.raises(ValidationError, match="No selling"):
        comment_edit(actor=member, comment=comment, body="kittens for sale")
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at, comment.pending_body) == ("With a towel and patience", None, "")


def test_a_held_edit_keeps_the_published_text_visible_until_a_moderator_decides(member, other, comment, post,
                                                                                monkeypatch):
    _hold(monkeypatch)
    comment_edit(actor=member, comment=comment, body="buy my claw clippers")
    comment.refresh_from_db()
    assert comment.status == ContentStatus.PUBLISHED
    assert comment.body == "With a towel and patience" and comment.edited_at is None
    assert comment.pending_body == "buy my claw clippers" and comment.pending_at is not None
    assert not CommentRevision.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 1  # still counted: still there for everyone
    # Everyone reads the published text; only the author learns an edit waits.
    for viewer, pending in ((other, False), (member, True)):
        [shown] = post_comments_page(post=post, user=viewer).comments
        assert shown.body == "With a towel and patience" and shown.viewer_edit_pending is pending


def test_going_back_to_the_published_text_withdraws_a_waiting_edit(member, comment, monkeypatch):
    _hold(monkeypatch)
    comment_edit(actor=member, comment=comment, body="buy my claw clippers")
    comment_edit(actor=member, comment=comment, body="With a towel and patience")
    comment.refresh_from_db()
    assert comment.pending_body == "" and comment.pending_at is None


def test_editing_a_held_comment_keeps_it_held(member, post, monkeypatch):
    _hold(monkeypatch)
    held = comment_create(actor=member, post=post, body="first try")
    assert held.status == ContentStatus.HELD
    monkeypatch.setattr(comment_services, "content_check",
                        lambda **kw: CheckOutcome(status="published", body=kw["body"]))
    comment_edit(actor=member, comment=held, body="second try")
    held.refresh_from_db()
    assert (held.status, held.body, held.pending_body) == (ContentStatus.HELD, "second try", "")


def test_a_pod_edit_is_checked_against_the_pods_rules(member, other):
    pod = PodFactory()
    join(member, pod)
    join(other, pod)
    post = PostFactory(pod=pod, author=other)
    comment = comment_create(actor=member, post=post, body="plain words")
    with pytest.raises(ValidationError):  # a newcomer may not post links in a pod
        comment_edit(actor=member, comment=comment, body="see https://example.com")


def test_an_edit_is_an_event_for_the_posts_place_and_refreshes_its_shared_page(client, member, comment, listen,
                                                                              django_capture_on_commit_callbacks):
    assert client.get(f"/posts/{comment.post_id}/").status_code == 200  # the signed-out page, now cached
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(actor=member, comment=comment, body="With two towels")
    [frame] = listener.frames()
    assert (frame["type"], frame["id"], frame["post_id"]) == ("comment.edit", comment.pk, comment.post_id)
    page = client.get(f"/posts/{comment.post_id}/")
    assert "With two towels" in page.content.decode() and page.headers.get("X-Page-Cache") != "hit"


def test_a_held_edit_is_not_broadcast(member, comment, listen, monkeypatch, django_capture_on_commit_callbacks):
    _hold(monkeypatch)
    listener = listen(COMMONS_GROUP)
    with django_capture_on_commit_callbacks(execute=True):
        comment_edit(actor=member, comment=comment, body="spam spam")
    assert listener.frames() == []


# --- the pages -----------------------------------------------------------------------------------------------

def test_the_post_page_offers_the_inline_edit_to_the_author_only_and_marks_edits(client, member, other, comment):
    comment_edit(actor=member, comment=comment, body="With a towel")
    client.force_login(member)
    page = client.get(f"/posts/{comment.post_id}/").content.decode()
    assert f'id="comment-{comment.pk}-edit"' in page and f'data-hx-post="/comments/{comment.pk}/edit/"' in page
    assert 'class="comment-edited">edited<' in page and f'href="/comments/{comment.pk}/edit/"' in page
    client.force_login(other)
    page = client.get(f"/posts/{comment.post_id}/").content.decode()
    assert f'id="comment-{comment.pk}-edit"' not in page and f"/comments/{comment.pk}/edit/" not in page
    assert 'class="comment-edited">edited<' in page


def test_the_inline_form_is_gone_once_the_window_closes(client, member, comment, settings):
    _age(comment, settings.POST_EDIT_WINDOW_MINUTES + 1)
    client.force_login(member)
    page = client.get(f"/posts/{comment.post_id}/").content.decode()
    assert f'id="comment-{comment.pk}-edit"' not in page


def test_editing_without_javascript_redirects_back_to_the_comment(client, member, comment):
    client.force_login(member)
    page = client.get(f"/comments/{comment.pk}/edit/")
    assert page.status_code == 200 and "Edit history" in page.content.decode()
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Two towels"})
    assert response.status_code == 302
    assert response["Location"] == f"/posts/{comment.post_id}/?comment={comment.pk}#comment-{comment.pk}"
    history = client.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "Two towels" in history and "With a towel and patience" in history


def test_editing_with_htmx_answers_the_new_text_in_place(client, member, comment):
    client.force_login(member)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "Two *towels*"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith(f'<div class="comment-main" id="comment-{comment.pk}-main">')
    assert "<em>towels</em>" in html and "edited" in html
    assert response["HX-Trigger"] == f'{{"pc:comment-edited": {{"id": {comment.pk}}}}}'


def test_an_htmx_edit_with_an_error_answers_the_form_with_the_message_and_the_text(client, member, comment,
                                                                                   monkeypatch):
    def block(**kwargs):
        raise ContentBlocked("No selling here.")

    monkeypatch.setattr(comment_services, "content_check", block)
    client.force_login(member)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "kittens for sale"},
                           headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response["HX-Retarget"] == f"#comment-{comment.pk}-edit" and response["HX-Reswap"] == "outerHTML"
    assert "No selling here." in html and "kittens for sale</textarea>" in html and 'aria-invalid="true"' in html


def test_a_held_edit_tells_its_author_and_shows_everyone_the_published_text(client, member, other, comment,
                                                                            monkeypatch):
    _hold(monkeypatch)
    client.force_login(member)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "buy my clippers"}, follow=True)
    page = response.content.decode()
    assert "Your edit is waiting for a moderator" in page
    assert "With a towel and patience" in page
    client.force_login(other)
    page = client.get(f"/posts/{comment.post_id}/").content.decode()
    assert "With a towel and patience" in page and "buy my clippers" not in page
    assert "waiting for a moderator" not in page


def test_the_edit_page_is_403_to_others_and_404_where_the_post_is_unreadable(client, member, other, comment):
    client.force_login(other)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "mine"}).status_code == 403
    private = PodFactory(privacy="request")
    join(member, private)
    hidden = comment_create(actor=member, post=PostFactory(pod=private, author=member), body="inside")
    hidden_page, missing_page = client.get(f"/comments/{hidden.pk}/edit/"), client.get("/comments/987654/edit/")
    assert hidden_page.status_code == missing_page.status_code == 404
    assert normalise(hidden_page.content) == normalise(missing_page.content)


def test_after_the_window_the_page_shows_the_history_and_refuses_a_post(client, member, comment, settings):
    comment_edit(actor=member, comment=comment, body="Second")
    _age(comment, settings.POST_EDIT_WINDOW_MINUTES + 1)
    client.force_login(member)
    page = client.get(f"/comments/{comment.pk}/edit/").content.decode()
    assert "editing window has closed" in page and "With a towel and patience" in page and "<textarea" not in page
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "late"}).status_code == 403
