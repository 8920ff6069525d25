"""Concurrent double submits against real PostgreSQL (make test-services)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from communities.models import Notification, Poll, PollBallot, PollVote
from communities.services.polls import PollSpec, poll_vote
from communities.services.posts import post_create
from communities.services.reactions import reaction_toggle
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _race(fn, n=2):
    """Run fn n times at once; returns the results (or exceptions)."""
    barrier, results = threading.Barrier(n), []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_double_vote_counts_once(services_required):
    author, voter = UserFactory(), UserFactory()
    post = post_create(actor=author, body="Poll", audience="everyone",
                       poll=PollSpec(question="Q?", choices=["a", "b"]))
    poll = post.poll
    choice = poll.choices.first()
    results = _race(lambda: poll_vote(actor=voter, poll=Poll.objects.get(pk=poll.pk), choice_ids=[choice.pk]))
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    poll.refresh_from_db()
    choice.refresh_from_db()
    assert (poll.voter_count, choice.vote_count) == (1, 1)
    assert PollBallot.objects.count() == 1 and PollVote.objects.count() == 1


def test_first_reactions_from_many_members_at_once_batch_into_one_notification(services_required):
    author = UserFactory()
    post = post_create(actor=author, body="Cute", audience="everyone")
    reactors = iter([UserFactory() for _ in range(4)])
    lock = threading.Lock()

    def react():
        with lock:
            who = next(reactors)
        return reaction_toggle(actor=who, kind="paw", post=post)

    assert _race(react, n=4) == [True] * 4
    post.refresh_from_db()
    assert post.reaction_count == 4
    rows = list(Notification.objects.filter(recipient=author, kind="reaction", read_at__isnull=True))
    assert len(rows) == 1 and rows[0].actor_count == 4
