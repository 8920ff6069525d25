"""Limits under real concurrency (PostgreSQL + Redis, threads through the whole request stack).

The service-level race for one-use invites is in tests/pods/test_concurrency.py; here the same race
goes through the invite page with the abuse limits on, and a burst from one member meets the limiter's
atomic counter.
"""

import threading
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from communities.models import Post
from microgroups.models import Invite, Membership
from microgroups.services.invites import invite_create
from microgroups.services.pods import pod_create
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def race(cookies: list[str], path: str, data: dict, *, one_address: bool = True) -> list[int]:
    """Every session POSTs at the same moment (a barrier); each thread has its own database connection.
    `one_address=False` gives each session its own IP address, as different people would have."""
    barrier, statuses, lock = threading.Barrier(len(cookies)), [], threading.Lock()

    def run(n, cookie):
        client = Client() if one_address else Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        client.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
        try:
            barrier.wait()
            status = client.post(path, data).status_code
        finally:
            connection.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(cookies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


@pytest.fixture
def frozen_limiter_clock():
    with mock.patch("petcommunity.ratelimit._now", return_value=1_800_000_100.0):  # mid-window
        yield


def test_fifty_simultaneous_redemptions_through_the_invite_page_admit_exactly_one(services_required, settings,
                                                                                  frozen_limiter_clock):
    settings.RATE_LIMITS_ENABLED = True
    steward = UserFactory()
    pod = pod_create(actor=steward, name="One seat", charter="Be kind.", privacy="invite")
    invite = invite_create(actor=steward, pod=pod, max_uses=1)
    cookies = [cookie_for(UserFactory()) for _ in range(50)]
    form = {"acknowledge": "on", "version": pod.charter_version}
    statuses = race(cookies, f"/pods/join/{invite.code}/", form, one_address=False)
    assert statuses.count(302) == 1
    assert set(statuses) <= {302, 400, 410}  # refused with the reason, never a 500
    assert Invite.objects.get(pk=invite.pk).uses == 1
    assert Membership.objects.filter(pod=pod, status="active").count() == 2  # the steward and the one


def test_a_burst_of_thirty_posts_from_one_member_admits_exactly_the_limit(services_required, settings,
                                                                         frozen_limiter_clock):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": {"member": "10/10m", "newcomer": "10/10m",
                                                             "ip": "1000/10m"}}
    member = UserFactory()
    statuses = race([cookie_for(member)] * 30, "/posts/new/", {"body": "Same moment"})
    assert sorted(statuses) == [302] * 10 + [429] * 20
    assert Post.objects.filter(author=member).count() == 10
