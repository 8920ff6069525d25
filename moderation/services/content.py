"""Changing a post's or comment's status from moderation, with the same effects content's own paths have."""

from communities import hooks, memberpages, pagecache
from communities.models import ContentStatus, NotificationKind, Post
from communities.services.comments import comment_published_effects
from communities.services.counters import bump
from communities.services.notifications import notification_create
from communities.services.posts import post_published_effects
from communities.streams import broadcast, post_groups
from microgroups.models import Pod


def hide(content) -> None:
    """Take published content out of sight (held or removed): counters down, live cards removed."""
    if isinstance(content, Post):
        if content.pod_id:
            Pod.objects.filter(pk=content.pod_id).update(post_count=bump("post_count", -1))
        broadcast(post_groups(content), {"type": "post.remove", "id": content.pk}, about=content)
    else:
        Post.objects.filter(pk=content.post_id).update(comment_count=bump("comment_count", -1))
        pagecache.bump_post(content.post)  # the shared post page showed it, and its place the count


def publish(content) -> None:
    """Held or removed → published, with everything publishing does (counters, mentions, live card)."""
    content.status, content.removal_reason = ContentStatus.PUBLISHED, ""
    content.save(update_fields=["status", "removal_reason"])
    memberpages.forget(content.author_id)  # it leaves the list of their posts in review
    if isinstance(content, Post):

        post_published_effects(post=content)
    else:

        comment_published_effects(comment=content)


def set_status(content, status: str, *, reason: str = "") -> str:
    """Returns the previous status; hides the content when it was published."""
    before = content.status
    content.status = status
    fields = ["status"]
    if status == ContentStatus.REMOVED:
        content.removal_reason = reason[:500]
        fields.append("removal_reason")
    type(content).objects.filter(pk=content.pk).update(**{f: getattr(content, f) for f in fields})
    memberpages.forget(content.author_id)  # held or removed, it is listed above their feed, with the reason
    if before != status:  # what was counted on the day it was written changes
        pod_id = content.pod_id if isinstance(content, Post) else content.post.pod_id
        ids = {"post_id": content.pk} if isinstance(content, Post) else {"comment_id": content.pk}
        hooks.history_change(pod_id=pod_id, at=content.created_at, **ids)
    if before == ContentStatus.PUBLISHED and status != ContentStatus.PUBLISHED:
        hide(content)
    return before


def noun(content) -> str:
    return "post" if isinstance(content, Post) else "comment"


def notify(*, actor, recipient, verb: str, url: str = "", post=None, comment=None, pod=None) -> None:
    """Moderation notices: `verb` names only the recipient's own content or what they may see."""
    if recipient is None:
        return
    notification_create(recipient=recipient, kind=NotificationKind.MODERATION, actor=actor, verb=verb, url=url,
                        post=post, comment=comment, pod=pod)
