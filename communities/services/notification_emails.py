"""Notification and announcement emails, sent by Celery after commit.

Each send re-checks, at send time, that the member still wants it and may still read what it points
to (the post may have been deleted or moved behind a pod's door since the notification was made).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import AnnouncementRecipient, ContentStatus, Notification, Post
from ..policy import can_read_post
from .notifications import wants_email


def _still_readable(notification: Notification) -> bool:
    recipient = notification.recipient
    if notification.post_id is not None and not can_read_post(recipient, notification.post):
        return False
    return notification.comment_id is None or notification.comment.status == ContentStatus.PUBLISHED


def notification_email_send(*, notification_id: int, personal: bool = False) -> bool:
    """Send one notification email at most once; returns whether it was sent. `personal` (an invitation
    addressed to this member alone): sent whatever their per-kind email choices."""
    with transaction.atomic():
        n = (Notification.objects.select_for_update(of=("self",)).select_related("recipient", "post__pod", "comment")
             .filter(pk=notification_id).first())
        if n is None or n.emailed_at or n.read_at:
            return False
        recipient = n.recipient
        if recipient.deleted_at or not recipient.is_active or not recipient.email:
            return False
        if not (personal or wants_email(recipient, n.kind)) or not _still_readable(n):
            return False
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    site = settings.SITE_URL.rstrip("/")
    context = {"notification": n, "member": recipient, "url": site + (n.url or "/"), "site": site,
               "personal": personal}
    send_mail(subject=f"PetCommunity: {n.verb}"[:150],
              message=render_to_string("communities/email/notification.txt", context),
              from_email=None, recipient_list=[recipient.email])
    return True


def announcement_emails_send(*, post_id: int, batch: int = 200) -> int:
    """Email a segmented announcement to its recipients who opted in. Each recipient row is marked as
    it is sent, so a retried or duplicated task never emails anyone twice."""
    post = Post.objects.select_related("author").filter(pk=post_id, status=ContentStatus.PUBLISHED).first()
    if post is None:
        return 0
    site = settings.SITE_URL.rstrip("/")
    url = site + post.get_absolute_url()
    pending = (AnnouncementRecipient.objects.filter(post=post, emailed_at__isnull=True,
                                                    member__announcement_emails=True, member__is_active=True,
                                                    member__deleted_at__isnull=True)
               .exclude(member__email="").select_related("member").order_by("pk"))
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(pending.select_for_update(skip_locked=True, of=("self",))[:batch])
            if not rows:
                return sent
            AnnouncementRecipient.objects.filter(pk__in=[r.pk for r in rows]).update(emailed_at=timezone.now())
        for row in rows:
            body = render_to_string("communities/email/announcement.txt",
                                    {"post": post, "member": row.member, "url": url, "site": site})
            sent += send_mail(subject=f"PetCommunity announcement: {post.excerpt}"[:150], message=body,
                              from_email=None, recipient_list=[row.member.email])
