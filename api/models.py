"""Personal access tokens: a member's key for scripts and integrations (only a hash is stored)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read: feeds, posts, pods, profiles, notifications"
    WRITE = "write", "Write: post, comment, react, vote, join and leave pods, your pets"
    MODERATE = "moderate", "Moderate: your moderation queue and pod stewardship (settings, requests, invites, webhooks)"
    METRICS = "metrics", "Metrics: community figures (managers)"


class AccessToken(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=80)
    scopes = models.JSONField(default=list)
    # SHA-256 of the whole token: tokens carry 256 random bits, so a plain digest cannot be reversed
    # or guessed, and a lookup is one indexed equality.
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # shown in the list so a member can tell tokens apart
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "-created_at"], name="accesstoken_member_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
