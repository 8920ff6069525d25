"""Posts a member saved to read later (private to them: nobody else sees who saved what)."""

from django.db import models
from django.utils import timezone

from .members import User
from .posts import Post


class SavedPost(models.Model):
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_posts")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "post"], name="saved_post_once")]
        # The /saved/ page: a member's saves newest first, keyset on (created_at, id).
        indexes = [models.Index(fields=["member", "-created_at", "-id"], name="saved_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} saved post {self.post_id}"
