"""Reactions and the counters posts and comments keep of them."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .members import User


class ReactionKind(models.TextChoices):
    PAW = "paw", "🐾 Paw"
    HEART = "heart", "❤️ Heart"
    HELPFUL = "helpful", "💡 Helpful"
    HUG = "hug", "🤗 Hug"


class Reactable(models.Model):
    """Denormalised reaction counters, updated with F() in services and repaired by counters_sync."""

    paw_count = models.PositiveIntegerField(default=0)
    heart_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    hug_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def reaction_counts(self) -> list[tuple[str, str, int]]:
        return [(k.value, k.label, getattr(self, f"{k.value}_count")) for k in ReactionKind]


class Reaction(models.Model):
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey("Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="reactions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(post__isnull=False) & Q(comment__isnull=True))
                | (Q(post__isnull=True) & Q(comment__isnull=False)),
                name="reaction_one_target",
            ),
            models.UniqueConstraint(fields=["member", "post", "kind"], condition=Q(post__isnull=False),
                                    name="reaction_unique_post"),
            models.UniqueConstraint(fields=["member", "comment", "kind"], condition=Q(comment__isnull=False),
                                    name="reaction_unique_comment"),
        ]
        indexes = [models.Index(fields=["created_at"], name="reaction_created_idx")]
