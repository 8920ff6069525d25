"""The cap and invite uses under real concurrency: threads on PostgreSQL (make test-services)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from microgroups.models import Invite, Membership
from microgroups.services.invites import invite_create, invite_redeem
from microgroups.services.membership import PodFull, pod_join
from microgroups.services.pods import pod_create
from tests.factories import UserFactory


def _race(users, attempt) -> list[str]:
    """Every user attempts at the same moment (a barrier), each thread on its own connection."""
    barrier, outcomes, lock = threading.Barrier(len(users)), [], threading.Lock()

    def run(user):
        try:
            barrier.wait()
            try:
                outcome = attempt(user)
            except (PodFull, ValidationError) as exc:
                outcome = type(exc).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_beyond_the_cap_admit_exactly_the_cap(services_required):
    steward = UserFactory()
    pod = pod_create(actor=steward, name="Racing", charter="Be kind.", member_cap=5)
    users = [UserFactory() for _ in range(20)]
    outcomes = _race(users, lambda u: pod_join(actor=u, pod=pod, charter_version=1).status)
    pod.refresh_from_db()
    assert outcomes.count("joined") == 4 and outcomes.count("PodFull") == 16
    assert Membership.objects.filter(pod=pod, status="active").count() == 5 == pod.member_count


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_of_a_one_use_invite_admit_exactly_one(services_required):
    steward = UserFactory()
    pod = pod_create(actor=steward, name="Invited", charter="Be kind.", privacy="invite")
    invite = invite_create(actor=steward, pod=pod, max_uses=1)
    users = [UserFactory() for _ in range(50)]
    outcomes = _race(users, lambda u: invite_redeem(actor=u, code=invite.code, charter_version=1).status)
    assert outcomes.count("joined") == 1 and outcomes.count("ValidationError") == 49
    assert Invite.objects.get(pk=invite.pk).uses == 1
    assert Membership.objects.filter(pod=pod, status="active").count() == 2
