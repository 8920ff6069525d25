"""Polls on posts: single or multiple choice, optional closing time, one ballot per member."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .. import hooks, memberpages, pagecache
from ..models import ContentStatus, Poll, PollBallot, PollChoice, PollVote, Post
from ..policy import check_can_act, check_can_read_post, pod_roles

MIN_CHOICES, MAX_CHOICES = 2, 10


@dataclass
class PollSpec:
    question: str
    choices: list[str] = field(default_factory=list)
    multiple: bool = False
    closes_at: datetime | None = None


def poll_spec_validate(spec: PollSpec) -> None:
    """Field errors use the composer's field names so forms can show them next to the input."""
    errors = {}
    if not spec.question.strip():
        errors["poll_question"] = "Ask a question for your poll."
    elif len(spec.question) > 200:
        errors["poll_question"] = "Keep the question under 200 characters."
    choices = [c.strip() for c in spec.choices if c.strip()]
    if len(choices) < MIN_CHOICES or len(choices) > MAX_CHOICES:
        errors["poll_choices"] = f"Give between {MIN_CHOICES} and {MAX_CHOICES} choices, one per line."
    elif len({c.lower() for c in choices}) != len(choices):
        errors["poll_choices"] = "Each choice must be different."
    elif any(len(c) > 120 for c in choices):
        errors["poll_choices"] = "Keep each choice under 120 characters."
    if spec.closes_at is not None and spec.closes_at <= timezone.now():
        errors["poll_closes_at"] = "The closing time must be in the future."
    if errors:
        raise ValidationError(errors)


def poll_attach(*, post: Post, spec: PollSpec) -> Poll:
    """Called by post_create inside its transaction, after poll_spec_validate."""
    poll = Poll.objects.create(post=post, question=spec.question.strip(), multiple=spec.multiple,
                               closes_at=spec.closes_at)
    PollChoice.objects.bulk_create([
        PollChoice(poll=poll, text=text.strip(), position=i)
        for i, text in enumerate(c for c in spec.choices if c.strip())
    ])
    return poll


@transaction.atomic
def poll_vote(*, actor, poll: Poll, choice_ids: list[int]) -> None:
    """Vote once. The ballot row is inserted first under a unique constraint, so two concurrent
    submits by the same member count once and the second gets a clear error."""
    check_can_act(actor)
    post = poll.post
    check_can_read_post(actor, post)
    if post.status != ContentStatus.PUBLISHED:
        raise PermissionDenied("This poll is not open.")
    # As for reactions: reading an open pod is public, taking part in it is for its members.
    if post.pod_id and not pod_roles(actor).is_member(post.pod_id):
        raise PermissionDenied("Join this pod to vote in its polls.")
    if poll.is_closed:
        raise ValidationError({"choices": "This poll has closed."})
    ids = set(choice_ids)
    valid = set(poll.choices.filter(pk__in=ids).values_list("pk", flat=True))
    if not ids or valid != ids:
        raise ValidationError({"choices": "Pick one of the choices."})
    memberpages.forget(actor.pk)  # the poll shows them its results once they voted
    pagecache.bump_post(post)  # and everyone its new count (rows cached with the place carry the poll)
    if not poll.multiple and len(ids) > 1:
        raise ValidationError({"choices": "This poll takes one choice."})
    try:
        with transaction.atomic():
            PollBallot.objects.create(poll=poll, member=actor)
    except IntegrityError:
        raise ValidationError({"choices": "You have already voted in this poll."}) from None
    PollVote.objects.bulk_create([PollVote(poll=poll, choice_id=cid, member=actor) for cid in sorted(ids)])
    PollChoice.objects.filter(pk__in=ids).update(vote_count=F("vote_count") + 1)
    Poll.objects.filter(pk=poll.pk).update(voter_count=F("voter_count") + 1)
    hooks.contribution(member_id=actor.pk, pod_id=post.pod_id, at=timezone.now())
