"""Notifications and the record of digests sent."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .comments import Comment
from .members import User
from .posts import Post


class NotificationKind(models.TextChoices):
    REPLY = "reply", "Replies to my posts and comments"
    MENTION = "mention", "Mentions of me"
    REACTION = "reaction", "Reactions to my posts"
    FOLLOW = "follow", "New followers"
    ANNOUNCEMENT = "announcement", "Announcements"
    POD = "pod", "Pod news (requests, invites, rung changes)"
    MODERATION = "moderation", "Moderation decisions about my content"


class Notification(models.Model):
    """One row per (recipient, kind, target) while unread, so reactions batch ("12 members reacted")."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_count = models.PositiveIntegerField(default=1)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=200)  # short text, never containing content the recipient can't see
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "read_at", "-updated_at"], name="notification_inbox_idx"),
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notification_list_idx"),
        ]
        # Reactions batch into one unread row per target; these make concurrent first reactions safe.
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "post"], name="notification_unread_post_reaction",
                condition=Q(kind="reaction", read_at__isnull=True, comment__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["recipient", "comment"], name="notification_unread_comment_reaction",
                condition=Q(kind="reaction", read_at__isnull=True, comment__isnull=False),
            ),
        ]


class DigestSent(models.Model):
    """At most one digest email per member, place and period, however often the task runs."""

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)  # e.g. "daily:2026-11-24" or "weekly:2026-W48"
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "period"], name="digest_once_per_period")]
