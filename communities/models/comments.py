"""Comments on posts, with one level of replies, and their edit history."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from .members import User
from .posts import ContentStatus, Post
from .reactions import Reactable


class Comment(Reactable):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    # One level of replies: a reply's parent is always a top-level comment (enforced in services).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(max_length=10000)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    removal_reason = models.CharField(max_length=500, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    # An edit a rule held for review: the published text above stays visible until a moderator approves
    # this one (it then replaces `body`) or declines it. Blank when no edit waits.
    pending_body = models.TextField(max_length=10000, blank=True)
    pending_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["post", "created_at", "id"], name="comment_post_idx"),
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
            models.Index(fields=["created_at"], name="comment_created_idx"),
        ]

    def get_absolute_url(self) -> str:
        """The comment's place on its post's page (no query: the post's id is on the row). The page holding
        it may not be the first (comments come a page at a time): `?comment=` makes the post page show it."""
        return reverse("communities:post_detail", args=[self.post_id]) + f"?comment={self.pk}#comment-{self.pk}"


class CommentRevision(models.Model):
    """The text a comment had before each edit (the edit history)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]
