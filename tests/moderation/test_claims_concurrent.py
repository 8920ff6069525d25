"""Two moderators claim the same item at the same moment: exactly one gets it (row lock + claim check)."""

import threading

import pytest
from django.db import connection

from communities.models import ContentStatus
from moderation.models import QueueItem
from moderation.scopes import scope_for_pod
from moderation.services.queue import ClaimConflict, queue_item_claim, queue_item_open
from tests.factories import PostFactory, UserFactory, join

from .conftest import fresh


def _race(item_id: int, moderators) -> list[str]:
    barrier = threading.Barrier(len(moderators))
    results: list[str] = []

    def attempt(user):
        try:
            barrier.wait(timeout=10)
            queue_item_claim(actor=fresh(user), item_id=item_id)
            results.append(f"won:{user.pk}")
        except ClaimConflict:
            results.append("conflict")
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=attempt, args=(m,)) for m in moderators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_moderators_claiming_at_once_on_postgresql(services_required, pod, steward, manager):
    author = UserFactory()
    join(author, pod)
    post = PostFactory(pod=pod, author=author, status=ContentStatus.HELD)
    item, _ = queue_item_open(kind="held", scope=scope_for_pod(pod), subject=author, post=post)
    results = _race(item.pk, [steward, manager])
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "won"]
    winner = int(next(r for r in results if r.startswith("won")).split(":")[1])
    assert QueueItem.objects.get(pk=item.pk).claimed_by_id == winner


@pytest.mark.django_db
def test_two_moderators_claiming_one_after_the_other(pod, steward, manager):
    """The embedded (SQLite) run: the same rule sequentially, as the lock serialises them anyway."""
    author = UserFactory()
    join(author, pod)
    post = PostFactory(pod=pod, author=author, status=ContentStatus.HELD)
    item, _ = queue_item_open(kind="held", scope=scope_for_pod(pod), subject=author, post=post)
    queue_item_claim(actor=steward, item_id=item.pk)
    with pytest.raises(ClaimConflict):
        queue_item_claim(actor=manager, item_id=item.pk)
    assert queue_item_claim(actor=steward, item_id=item.pk).claimed_by_id == steward.pk  # re-claim refreshes
