"""Abuse-limit tests: limits on (as in production), a controllable limiter clock, members of each tier."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import UserFactory

T0 = 1_800_000_000.0  # a window boundary for every period used here (divisible by 60, 600, 3600)


class Clock:
    """Stands in for petcommunity.ratelimit._now: tests move it across window boundaries."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def limits_on(settings):
    settings.RATE_LIMITS_ENABLED = True
    return settings


@pytest.fixture
def clock():
    c = Clock(T0)
    with mock.patch("petcommunity.ratelimit._now", c):
        yield c


@pytest.fixture
def established(db):
    """A member for a month: the member tier."""
    return UserFactory(username="old_hand", date_joined=timezone.now() - timedelta(days=30))


@pytest.fixture
def newcomer(db):
    return UserFactory(username="new_kid", date_joined=timezone.now() - timedelta(days=1))
