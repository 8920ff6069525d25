"""Outgoing webhooks and their deliveries."""

from django.db import models
from django.utils import timezone

from .members import User


class Webhook(models.Model):
    """An outgoing webhook a manager registers; deliveries are signed with its secret (HMAC-SHA256)."""

    class Event(models.TextChoices):
        POST_CREATED = "post.created", "Post created"
        POD_MEMBER_JOINED = "pod.member_joined", "Member joined a pod"
        POD_FULL = "pod.full", "Pod full"
        RULE_HIT = "rule.hit", "Rule hit"
        RUNG_PROMOTED = "rung.promoted", "Rung promoted"
        REPORT_OPENED = "report.opened", "Report opened"

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField(default=list)
    # The scope whose content the hook may carry: null = the Commons only; a pod = that pod only.
    pod = models.ForeignKey("microgroups.Pod", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retrying)"
        GAVE_UP = "gave_up", "Gave up"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    event_key = models.CharField(max_length=120)  # e.g. "post.created:123": one delivery per hook and event
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [models.UniqueConstraint(fields=["webhook", "event_key"], name="webhook_delivery_once")]
