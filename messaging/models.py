"""Private conversations earned on the ladder, blocks, and the settings that turn messages off."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

MAX_PARTICIPANTS = 8


class Conversation(models.Model):
    """One to one, or a small group. A moderation matter is opened by a manager or moderator."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    about_moderation = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["created_by", "created_at"], name="conversation_starts_idx")]

    def get_absolute_url(self) -> str:
        return f"/messages/{self.pk}/"


class Participant(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    last_read_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "member"], name="participant_once")]
        indexes = [models.Index(fields=["member", "conversation"], name="participant_member_idx")]


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    body_html = models.TextField(blank=True)  # rendered and sanitised once, at save time
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at", "id"], name="message_conversation_idx")]


class MessageSettings(models.Model):
    """Absent row = defaults: messages on, an email for each new message."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                  related_name="message_settings")
    accepts_messages = models.BooleanField(default=True)
    email_new_messages = models.BooleanField(default=True)


class Block(models.Model):
    """The blocker hears nothing more from the blocked member: no messages, and none of their posts
    or comments in the blocker's feeds and search."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]


class MessageReport(models.Model):
    """A participant reports a message: community managers (the moderators of private conversations)
    then see that one message, and only that one, in the reports list."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "reporter"], name="message_report_once")]
