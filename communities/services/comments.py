"""Comments with one level of replies, shared by the Commons and pods: writing, editing, deleting.

Editing mirrors posts (`services.posts.post_edit`): the author, within the posts' edit window, the same
place checks and the rule check with `editing=True`, the old text kept as a revision, "edited" shown.
One difference, so a conversation never loses a reply while a moderator looks: when the rules hold an
edit of a published comment, the published text stays visible to everyone and the new text waits in
`pending_body` until a moderator approves it (`comment_edit_release`) or declines it
(`comment_edit_decline`).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from .. import hooks, navcache, pagecache
from ..hooks import content_check, content_check_record
from ..models import Comment, CommentRevision, ContentStatus, NotificationKind, Post
from ..policy import check_can_act, check_can_post_in_pod, check_can_read_post, is_manager
from ..rendering import extract_mentions
from ..streams import emit, post_groups
from .counters import bump, hot_score_expression
from .notifications import notification_create
from .posts import clean_body, edit_window_open, has_links, notify_mentions, render_body, sentiment_of


def _check_can_comment(actor, post: Post, body: str) -> None:
    check_can_act(actor)
    check_can_read_post(actor, post)
    if post.status != ContentStatus.PUBLISHED:
        raise PermissionDenied("This post isn't open for comments.")
    if post.pod_id:
        check_can_post_in_pod(actor, post.pod, audience="everyone", has_links=has_links(body), has_images=False)


@transaction.atomic
def comment_create(*, actor, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a post, or reply to a comment (a reply to a reply attaches to its top-level parent)."""
    body = clean_body(body, max_length=10000)
    _check_can_comment(actor, post, body)
    if parent is not None:
        if parent.post_id != post.pk or parent.status != ContentStatus.PUBLISHED:
            raise ValidationError({"parent": "That comment can't be replied to any more."})
        if parent.parent_id:
            parent = parent.parent
    outcome = content_check(actor=actor, pod=post.pod, kind="comment", body=body, has_links=has_links(body),
                            has_images=False)
    text = outcome.body or body
    html, _ = render_body(text)
    comment = Comment.objects.create(post=post, parent=parent, author=actor, body=text, body_html=html,
                                     status=outcome.status, sentiment=sentiment_of(text))
    hooks.content_written(kind="comment", pk=comment.pk, text=comment.body)
    hooks.contribution(member_id=actor.pk, pod_id=post.pod_id, at=comment.created_at)
    content_check_record(outcome=outcome, comment=comment)
    if comment.status == ContentStatus.PUBLISHED:
        comment_published_effects(comment=comment)
    return comment


def comment_published_effects(*, comment: Comment) -> None:
    """Counters, hot score, notifications and the live frame; moderation calls it on approval."""
    post, now = comment.post, timezone.now()
    Post.objects.filter(pk=post.pk).update(
        comment_count=F("comment_count") + 1, last_activity_at=now,
        hot_score=hot_score_expression(created_at=post.created_at, comment_delta=1),
    )
    notified = _notify_replies(comment)
    notify_mentions(actor=comment.author, text=comment.body, post=post, comment=comment, skip_ids=notified)
    emit(post_groups(post), {"type": "comment.new", "id": comment.pk, "post_id": post.pk,
                             "parent_id": comment.parent_id, "author_id": comment.author_id}, about=post)


def _notify_replies(comment: Comment) -> set[int]:
    """The parent comment's author hears about a reply; the post's author about any comment."""

    post, actor, notified = comment.post, comment.author, set()
    url = comment.get_absolute_url()
    if comment.parent_id and comment.parent.author_id != actor.pk:
        notification_create(recipient=comment.parent.author, kind=NotificationKind.REPLY, actor=actor, post=post,
                            comment=comment, verb=f"{actor.name} replied to your comment", url=url)
        notified.add(comment.parent.author_id)
    if post.author_id != actor.pk and post.author_id not in notified:
        notification_create(recipient=post.author, kind=NotificationKind.REPLY, actor=actor, post=post,
                            comment=comment, verb=f"{actor.name} commented on your post", url=url)
        notified.add(post.author_id)
    return notified


@transaction.atomic
def comment_delete(*, actor, comment: Comment) -> None:
    """The author (or a community manager) deletes a comment; its replies stay under a placeholder."""
    if not getattr(actor, "is_authenticated", False) or (actor.pk != comment.author_id and not is_manager(actor)):
        raise PermissionDenied("Only the author can delete this comment.")
    if comment.status == ContentStatus.DELETED:
        return
    was_published = comment.status == ContentStatus.PUBLISHED
    Comment.objects.filter(pk=comment.pk).update(status=ContentStatus.DELETED)
    comment.status = ContentStatus.DELETED
    navcache.queue_changed()  # a held or reported comment leaves the queue badges (its item closes later)
    if was_published:
        post = comment.post
        hooks.history_change(pod_id=post.pod_id, at=comment.created_at, comment_id=comment.pk)
        Post.objects.filter(pk=post.pk).update(
            comment_count=bump("comment_count", -1),
            hot_score=hot_score_expression(created_at=post.created_at, comment_delta=-1),
        )
        pagecache.bump_post(post)  # the shared post page showed it, and its place the count


def can_edit_comment(user, comment: Comment, *, post: Post | None = None) -> bool:
    """The author, within the posts' edit window, while the comment and its post are open. `post` saves a
    query when the caller holds it (a page of comments)."""
    post = post or comment.post
    return (getattr(user, "pk", None) == comment.author_id
            and comment.status in (ContentStatus.PUBLISHED, ContentStatus.HELD)
            and post.status == ContentStatus.PUBLISHED and edit_window_open(comment))


def _window_closed() -> PermissionDenied:
    window = settings.POST_EDIT_WINDOW_MINUTES
    return PermissionDenied(ngettext("Comments can be edited for %(n)d minute after posting.",
                                     "Comments can be edited for %(n)d minutes after posting.", window) % {"n": window})


@transaction.atomic
def comment_edit(*, actor, comment: Comment, body: str) -> Comment:
    """Change a comment's text within the edit window, keeping the previous text as a revision.

    Raises Http404 (the post is unreadable), PermissionDenied (not the author, window closed, the thread
    closed, the pod's rules) or ValidationError (empty, too long, a rule blocked it). Returns the comment;
    `comment.pending_body` is set when a rule held the edit and the published text stays for now."""
    check_can_act(actor)
    post = comment.post
    check_can_read_post(actor, post)
    if actor.pk != comment.author_id:
        raise PermissionDenied("Only the author can edit a comment.")
    if not can_edit_comment(actor, comment, post=post):
        raise _window_closed() if not edit_window_open(comment) else PermissionDenied(
            "This comment can't be edited any more.")
    body = clean_body(body, max_length=10000)
    if body == comment.body:  # back to the published text: a waiting edit is withdrawn
        if comment.pending_body:
            comment.pending_body, comment.pending_at = "", None
            comment.save(update_fields=["pending_body", "pending_at"])
        return comment
    if post.pod_id:
        check_can_post_in_pod(actor, post.pod, audience="everyone", has_links=has_links(body), has_images=False)
    outcome = content_check(actor=actor, pod=post.pod, kind="comment", body=body, has_links=has_links(body),
                            has_images=False, editing=True)
    text = outcome.body or body
    if comment.status == ContentStatus.PUBLISHED and outcome.status != ContentStatus.PUBLISHED:
        # Held: everyone keeps reading the published text; the new one waits for a moderator.
        comment.pending_body, comment.pending_at = text, timezone.now()
        comment.save(update_fields=["pending_body", "pending_at"])
        content_check_record(outcome=outcome, comment=comment)
        return comment
    # A held comment (never published) takes the new text and stays held: only a moderator releases it.
    _text_replace(comment, text, actor=actor)
    content_check_record(outcome=outcome, comment=comment)
    return comment


def _text_replace(comment: Comment, text: str, *, actor) -> None:
    """The new text in place of the old, the old kept as a revision; members newly mentioned hear about
    it, and the post's place gets a `comment.edit` event (its shared pages are refreshed by it)."""
    old = comment.body
    CommentRevision.objects.create(comment=comment, body=old)
    comment.body = text
    comment.body_html, _ = render_body(text)
    comment.sentiment, comment.edited_at = sentiment_of(text), timezone.now()
    comment.pending_body, comment.pending_at = "", None
    comment.save(update_fields=["body", "body_html", "sentiment", "edited_at", "pending_body", "pending_at"])
    hooks.content_written(kind="comment", pk=comment.pk, text=comment.body)
    if comment.status != ContentStatus.PUBLISHED:
        return
    post = comment.post
    notify_mentions(actor=actor, text=text, post=post, comment=comment,
                    only=extract_mentions(text) - extract_mentions(old))
    emit(post_groups(post), {"type": "comment.edit", "id": comment.pk, "post_id": post.pk})


@transaction.atomic
def comment_edit_release(*, comment: Comment) -> bool:
    """A moderator approved a held edit: its text replaces the published one (the history keeps the old).
    False when no edit was waiting (the author withdrew it, or it was decided already)."""
    comment = Comment.objects.select_for_update().select_related("post", "author").get(pk=comment.pk)
    if not comment.pending_body or comment.status not in (ContentStatus.PUBLISHED, ContentStatus.HELD):
        return False
    _text_replace(comment, comment.pending_body, actor=comment.author)
    return True


@transaction.atomic
def comment_edit_decline(*, comment: Comment) -> bool:
    """A moderator declined a held edit (or removed the comment): the waiting text is dropped, the
    published text stays. False when no edit was waiting."""
    declined = Comment.objects.filter(pk=comment.pk).exclude(pending_body="").update(pending_body="", pending_at=None)
    comment.pending_body, comment.pending_at = "", None
    return bool(declined)
