"""Tasks that could not be queued after their transaction committed (the broker was unreachable)."""

from django.db import models
from django.utils import timezone


class ParkedTask(models.Model):
    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    options = models.JSONField(default=dict)  # apply_async options (queue, countdown…)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} parked {self.created_at:%Y-%m-%d %H:%M}"
