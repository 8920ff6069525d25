"""Polls on posts: choices, one ballot per member, votes."""

from django.db import models
from django.utils import timezone

from .members import User
from .posts import Post


class Poll(models.Model):
    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="poll")
    question = models.CharField(max_length=200)
    multiple = models.BooleanField(default=False)
    closes_at = models.DateTimeField(null=True, blank=True)
    voter_count = models.PositiveIntegerField(default=0)

    @property
    def is_closed(self) -> bool:
        return bool(self.closes_at and self.closes_at <= timezone.now())


class PollChoice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    vote_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PollBallot(models.Model):
    """One per member and poll. Inserted before the votes, so a double submit loses to the constraint."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "member"], name="pollballot_once")]


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(PollChoice, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="poll_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["choice", "member"], name="pollvote_unique")]
