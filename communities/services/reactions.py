"""Reactions: one of each kind per member per post or comment, toggled; counters move with F()."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from .. import hooks, memberpages, pagecache
from ..models import Comment, ContentStatus, Post, Reaction, ReactionKind
from ..policy import check_can_act, check_can_read_post, pod_roles
from ..streams import emit, post_groups
from .counters import bump, hot_score_expression
from .notifications import notification_reaction


def _check_can_react(actor, post: Post, target_status: str) -> None:
    check_can_act(actor)
    check_can_read_post(actor, post)
    # A comment under a held or removed post is as closed as the post (managers can read those).
    if target_status != ContentStatus.PUBLISHED or post.status != ContentStatus.PUBLISHED:
        raise PermissionDenied("You can't react to this.")
    # Reading an open pod is public; taking part in it is for its members.
    if post.pod_id and not pod_roles(actor).is_member(post.pod_id):
        raise PermissionDenied("Join this pod to react to its posts.")


def _counter_updates(kind: str, delta: int, post: Post | None) -> dict:
    updates = {f"{kind}_count": bump(f"{kind}_count", delta), "reaction_count": bump("reaction_count", delta)}
    if post is not None:
        updates["hot_score"] = hot_score_expression(created_at=post.created_at, reaction_delta=delta)
    return updates


@transaction.atomic
def reaction_toggle(*, actor, kind: str, post: Post | None = None, comment: Comment | None = None) -> bool:
    """Add the reaction, or take it back if it's there. Returns True when the member now has it."""
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": "Unknown reaction."})
    if (post is None) == (comment is None):
        raise ValueError("react to exactly one of post or comment")
    target_post = post if post is not None else comment.post
    _check_can_react(actor, target_post, (post or comment).status)
    memberpages.forget(actor.pk)  # the pressed buttons on their kept pages
    target = {"post": post} if post is not None else {"comment": comment}
    model = Post if post is not None else Comment
    mine = Reaction.objects.filter(member=actor, kind=kind, **target)
    made_at = mine.values_list("created_at", flat=True).first()
    deleted = mine.delete()[0] if made_at is not None else 0
    if deleted:
        # It no longer counts on the day it was made (for the member's region too).
        hooks.history_change(pod_id=target_post.pod_id, at=made_at, member_id=actor.pk)
        model.objects.filter(pk=(post or comment).pk).update(**_counter_updates(kind, -1, post))
        _broadcast_counts(target_post, post is not None)
        return False
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(member=actor, kind=kind, **target)
    except IntegrityError:  # a concurrent double-click already added it: one reaction, counted once
        return True
    hooks.contribution(member_id=actor.pk, pod_id=target_post.pod_id, at=reaction.created_at)
    model.objects.filter(pk=(post or comment).pk).update(**_counter_updates(kind, 1, post))
    _notify_author(actor, target_post, comment)
    _broadcast_counts(target_post, post is not None)
    return True


def _notify_author(actor, post: Post, comment: Comment | None) -> None:

    recipient = comment.author if comment is not None else post.author
    notification_reaction(recipient=recipient, actor=actor, post=post, comment=comment)


def _broadcast_counts(post: Post, is_post: bool) -> None:
    """Everyone watching the place sees new post counts (counts only: pressed state is per viewer)."""
    if not is_post:  # a comment's counts show on its post's page only, and no frame carries them
        pagecache.bump(pagecache.post(post.pk))
        return
    if post.segment is not None:  # no socket hears of it; its place's pinned list shows the counts
        pagecache.bump_post(post)
        return
    emit(post_groups(post), {"type": "post.counts", "id": post.pk}, about=post)
