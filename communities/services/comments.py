"""Comments with one level of replies, shared by the Commons and pods."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import hooks
from ..hooks import content_check, content_check_record
from ..models import Comment, ContentStatus, NotificationKind, Post
from ..policy import check_can_act, check_can_post_in_pod, check_can_read_post, is_manager
from ..streams import emit, post_groups
from .counters import bump, hot_score_expression
from .notifications import notification_create
from .posts import clean_body, has_links, notify_mentions, render_body, sentiment_of


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
    emit(post_groups(post), {"type": "comment.new", "id": comment.pk, "post_id": post.pk})


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
    if was_published:
        post = comment.post
        hooks.history_change(pod_id=post.pod_id, at=comment.created_at, comment_id=comment.pk)
        Post.objects.filter(pk=post.pk).update(
            comment_count=bump("comment_count", -1),
            hot_score=hot_score_expression(created_at=post.created_at, comment_delta=-1),
        )
