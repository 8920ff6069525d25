"""A comment's edit through the real rules and the queue: held edits keep the published text until a
moderator approves the edit (its text replaces the old), declines it (the old text stays) or removes
the comment."""

import pytest
from django.core.exceptions import ValidationError

from communities.models import Comment, CommentRevision, ContentStatus, Notification
from communities.services.comments import comment_create, comment_edit
from moderation.checks import ContentBlocked
from moderation.models import ModerationLogEntry, QueueItem
from moderation.services import actions
from moderation.services.rules import rule_create
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def watch(actor, scope, pattern, action, **extra):
    return rule_create(actor=actor, scope=scope, kind="watched_word", title=f"{action} {pattern}",
                       settings={"match": "word", "pattern": pattern, "action": action, **extra})


@pytest.fixture
def comment(pod, member, steward):
    post = PostFactory(pod=pod, author=steward, body="Tips for walks?")
    return comment_create(actor=member, post=post, body="Short walks at quiet hours")


@pytest.fixture
def held_edit(steward, pod_scope, member, comment):
    watch(steward, pod_scope, "pills", "hold")
    comment_edit(actor=member, comment=comment, body="Try my calming pills")
    comment.refresh_from_db()
    return QueueItem.objects.get(comment=comment, status="open")


def test_a_watched_word_holds_the_edit_and_queues_it_with_the_published_text_kept(comment, held_edit):
    assert held_edit.kind == "held" and held_edit.subject_id == comment.author_id
    assert comment.status == ContentStatus.PUBLISHED and comment.body == "Short walks at quiet hours"
    assert comment.pending_body == "Try my calming pills"


def test_the_queue_page_shows_the_waiting_edit_and_offers_to_decline_it(client, steward, held_edit):
    client.force_login(steward)
    page = client.get(f"/moderation/queue/{held_edit.pk}/").content.decode()
    assert "The edit waiting for review" in page and "Try my calming pills" in page
    assert 'value="decline_edit"' in page
    assert "Edit of a comment" in client.get("/moderation/queue/").content.decode()


def test_approving_publishes_the_edit_with_history_and_tells_the_author(steward, member, comment, held_edit):
    actions.item_approve(actor=steward, item_id=held_edit.pk)
    comment.refresh_from_db()
    assert (comment.body, comment.pending_body) == ("Try my calming pills", "")
    assert comment.edited_at is not None and comment.status == ContentStatus.PUBLISHED
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["Short walks at quiet hours"]
    assert Notification.objects.filter(recipient=member, verb__contains="approved your edit").exists()
    entry = ModerationLogEntry.objects.get(action="approve", comment=comment)
    assert (entry.before, entry.after) == ("Short walks at quiet hours", "Try my calming pills")


def test_declining_keeps_the_published_text_and_closes_the_item(client, steward, member, comment, held_edit):
    client.force_login(steward)
    response = client.post(f"/moderation/queue/{held_edit.pk}/act/",
                           {"action": "decline_edit", "decline_edit_reason": "No selling remedies"})
    assert response.status_code == 302
    comment.refresh_from_db()
    held_edit.refresh_from_db()
    assert (comment.body, comment.pending_body, comment.edited_at) == ("Short walks at quiet hours", "", None)
    assert (held_edit.status, held_edit.resolution) == ("resolved", "edit declined")
    notice = Notification.objects.get(recipient=member, verb__contains="declined your edit")
    assert "No selling remedies" in notice.verb
    entry = ModerationLogEntry.objects.get(action="decline_edit")
    assert (entry.before, entry.after) == ("Try my calming pills", "Short walks at quiet hours")
    with pytest.raises(ValidationError, match="already been handled"):
        actions.item_decline_edit(actor=steward, item_id=held_edit.pk)


def test_removing_the_comment_drops_the_waiting_edit(steward, comment, held_edit):
    actions.item_remove(actor=steward, item_id=held_edit.pk, reason="Selling")
    comment.refresh_from_db()
    assert (comment.status, comment.pending_body) == (ContentStatus.REMOVED, "")


def test_approving_after_the_author_withdrew_the_edit_changes_nothing(steward, member, comment, held_edit):
    comment_edit(actor=member, comment=comment, body="Short walks at quiet hours")
    actions.item_approve(actor=steward, item_id=held_edit.pk)
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("Short walks at quiet hours", None)


def test_a_blocked_word_refuses_the_edit(manager, commons, member, comment):
    watch(manager, commons, "scam", "block", reason="No scams.")
    with pytest.raises(ContentBlocked):
        comment_edit(actor=member, comment=comment, body="a scam")
    assert Comment.objects.get(pk=comment.pk).body == "Short walks at quiet hours"


def test_volume_rules_do_not_count_an_edit(steward, pod_scope, member, comment):
    rule_create(actor=steward, scope=pod_scope, kind="daily_cap", title="One a day", settings={"comments": 1})
    comment_edit(actor=member, comment=comment, body="Short walks, quiet hours, treats")  # not a new comment
    assert Comment.objects.get(pk=comment.pk).body == "Short walks, quiet hours, treats"


def test_declining_needs_an_edit_waiting(steward, pod, comment):
    from moderation.scopes import scope_for_pod
    from moderation.services.queue import queue_item_open

    item, _ = queue_item_open(kind="flagged", scope=scope_for_pod(pod), subject=comment.author, comment=comment)
    with pytest.raises(ValidationError, match="No edit is waiting"):
        actions.item_decline_edit(actor=steward, item_id=item.pk)


def test_the_desk_row_shows_the_waiting_edit_and_declines_it_in_place(client, steward, comment, held_edit):
    client.force_login(steward)
    desk = client.get("/moderation/queue/").content.decode()
    assert "The edit waiting" in desk and "Try my calming pills" in desk and 'value="decline_edit"' in desk
    response = client.post(f"/moderation/queue/{held_edit.pk}/act/", {"action": "decline_edit", "desk": "row"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    comment.refresh_from_db()
    assert (comment.body, comment.pending_body) == ("Short walks at quiet hours", "")
