"""Announcements and pins: community managers speak to the whole Commons or to one segment.

A segmented announcement is readable only by its recipients (AnnouncementRecipient rows, checked in
`communities.policy`) and managers; it never reaches the public feed or its live stream.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import pagecache
from ..hooks import content_check, content_check_record
from ..models import AnnouncementRecipient, ContentStatus, NotificationKind, Post
from ..policy import is_manager
from ..segments import segment_describe, segment_members
from .notifications import notification_bulk_create
from .posts import check_can_post_here, clean_body, has_links, post_create, post_published_effects, post_save_new


def check_is_manager(actor) -> None:
    if not is_manager(actor):
        raise PermissionDenied("Only community managers can do that.")


@transaction.atomic
def post_pin(*, actor, post: Post) -> None:
    check_is_manager(actor)
    if post.pod_id is not None or post.status != ContentStatus.PUBLISHED:
        raise ValidationError("Only published Commons posts can be pinned.")
    Post.objects.filter(pk=post.pk).update(pinned_at=timezone.now())
    pagecache.bump_post(post)


@transaction.atomic
def post_unpin(*, actor, post: Post) -> None:
    check_is_manager(actor)
    Post.objects.filter(pk=post.pk).update(pinned_at=None)
    pagecache.bump_post(post)


@transaction.atomic
def announcement_create(*, actor, body: str, segment: dict | None = None, pin: bool = True) -> Post:
    """Post an announcement in the Commons. With a segment (a directory filter) it reaches only the
    members matching it now: one notification each, and an email for those who want announcements."""
    check_is_manager(actor)
    segment = {k: v for k, v in (segment or {}).items() if v not in (None, "", [], ())} or None
    if segment is None:
        post = post_create(actor=actor, body=body, audience=Post.Audience.EVERYONE)
        Post.objects.filter(pk=post.pk).update(is_announcement=True, pinned_at=timezone.now() if pin else None)
        post.refresh_from_db()
        return post
    recipients = list(segment_members(segment).only("pk", "muted_notification_kinds"))
    if not recipients:
        raise ValidationError({"segment": f"No members match {segment_describe(segment)}."})
    post = _segmented_post(actor=actor, body=body, segment=segment, pin=pin)
    AnnouncementRecipient.objects.bulk_create(
        [AnnouncementRecipient(post=post, member_id=r.pk) for r in recipients], batch_size=1000,
    )
    # Effects run after the recipients exist (mentions check read access); no card goes to the
    # Commons stream, which non-recipients are listening to.
    post_published_effects(post=post, broadcast_card=False)
    notification_bulk_create(recipients=recipients, kind=NotificationKind.ANNOUNCEMENT, actor=actor, post=post,
                             verb=f"Announcement from {actor.name}: {post.excerpt}", url=post.get_absolute_url())
    # tasks (entry points) import the services at the top; a service queues one by name at call time
    from ..tasks import send_announcement_emails

    send_announcement_emails.delay_on_commit(post.pk)
    return post


def _segmented_post(*, actor, body: str, segment: dict, pin: bool) -> Post:


    body = clean_body(body)
    check_can_post_here(actor, pod=None, audience=Post.Audience.EVERYONE, links=has_links(body), images=False)
    outcome = content_check(actor=actor, pod=None, kind="post", body=body, has_links=has_links(body),
                            has_images=False)
    # A manager's announcement is published even if a rule would hold it (a block still refuses it):
    # holding it would notify a segment about a post they cannot open.
    post = post_save_new(author=actor, body=outcome.body or body, status=ContentStatus.PUBLISHED)
    content_check_record(outcome=outcome, post=post)
    post.segment, post.is_announcement = segment, True
    post.pinned_at = timezone.now() if pin else None
    post.save(update_fields=["segment", "is_announcement", "pinned_at"])
    pagecache.bump_post(post)  # no stream hears a segmented post; the Commons' pinned list must
    return post
