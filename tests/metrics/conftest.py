"""A small fixed community whose figures are computed by hand in the tests (see test_rollups.py)."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from communities.models import Comment, Place, Post, Reaction
from metrics.models import ActivityDay, Impression
from microgroups.models import MembershipEvent
from tests.factories import PodFactory, UserFactory

WEEK = date(2025, 3, 3)  # Monday of the ISO week the fixture is about
TODAY = date(2025, 4, 30)  # "now" for rollups: every period of the fixture is complete


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world(db):
    country = Place.objects.create(name="UK", slug="uk", kind="country")
    region = Place.objects.create(name="North", slug="north", kind="region", parent=country)
    city = Place.objects.create(name="Leeds", slug="leeds", kind="city", parent=region)
    Place.objects.create(name="South", slug="south", kind="region", parent=country)  # nobody lives here
    a = UserFactory(username="a", region=city, date_joined=at(1, 10))
    b = UserFactory(username="b", region=region, date_joined=at(1, 10))
    c = UserFactory(username="c", region=None, date_joined=at(3, 4, 10))
    d = UserFactory(username="d", region=city, date_joined=at(1, 10), deleted_at=at(3, 5), is_active=False)
    UserFactory(username="x", is_active=False, date_joined=at(1, 10))  # deactivated, never deleted: not a member
    p1, p2 = PodFactory(name="P1", slug="p1"), PodFactory(name="P2", slug="p2")
    for pod, member, kind, when in [
        (p1, a, "joined", at(2, 1)), (p2, a, "joined", at(3, 4)), (p1, b, "joined", at(2, 1)),
        (p1, b, "left", at(3, 6)), (p2, c, "joined", at(3, 5)), (p2, c, "left", at(3, 7)),
        (p2, c, "joined", at(3, 8)), (p1, d, "banned", at(2, 10)),
    ]:
        MembershipEvent.objects.create(pod=pod, member=member, kind=kind, created_at=when)

    def post(author, pod, when, sentiment, status="published"):
        return Post.objects.create(author=author, pod=pod, body="x", created_at=when, sentiment=sentiment,
                                   status=status)

    post1 = post(a, None, at(3, 3, 9), 0.5)
    post2 = post(b, None, at(3, 4, 12), -0.3)
    post3 = post(a, p1, at(3, 5, 8), 0.0)
    post4 = post(c, p2, at(3, 6, 10), 0.6)
    post5 = post(a, None, at(3, 4), 0.9, status="deleted")
    post6 = post(b, None, at(3, 1), 0.1)

    def comment(on, author, when, sentiment, status="published"):
        return Comment.objects.create(post=on, author=author, body="y", created_at=when, sentiment=sentiment,
                                      status=status)

    c1 = comment(post1, b, at(3, 3, 10), 0.2)
    comment(post1, a, at(3, 3, 9, 30), 0.0)
    comment(post2, a, at(3, 6, 12), -0.5)
    comment(post3, b, at(3, 5, 10), 0.1)
    comment(post4, a, at(3, 6, 10, 30), 0.0)
    comment(post5, b, at(3, 4), 0.9)  # on a deleted post
    comment(post6, c, at(3, 4), 0.3)
    comment(post1, c, at(3, 4), 0.9, status="removed")
    for member, target, when in [
        (b, post1, at(3, 3)), (c, post1, at(3, 4)), (a, c1, at(3, 3)), (b, post3, at(3, 5)), (a, post4, at(3, 6)),
        (c, post4, at(3, 6)), (b, post5, at(3, 4)), (a, post2, at(3, 2)),
    ]:
        field = "post" if isinstance(target, Post) else "comment"
        Reaction.objects.create(member=member, kind="paw", created_at=when, **{field: target})
    for member, target, day in [
        (a, post1, 3), (a, post2, 4), (a, post3, 5), (a, post4, 6), (b, post1, 3), (b, post1, 4), (b, post3, 5),
        (c, post1, 4), (c, post4, 6), (c, post2, 5), (d, post1, 4),
    ]:
        Impression.objects.create(member=member, post=target, pod_id=target.pod_id, day=date(2025, 3, day))
    for member, pod, month, day in [
        (a, None, 3, 3), (a, None, 3, 4), (a, None, 3, 6), (a, p1, 3, 5), (a, p2, 3, 6), (a, p1, 3, 6),
        (b, None, 3, 3), (b, None, 3, 4), (b, p1, 3, 5), (b, p1, 3, 6), (c, None, 3, 4), (c, p2, 3, 6),
        (c, p2, 3, 8), (d, None, 3, 4), (a, None, 2, 20), (b, p1, 2, 8),
    ]:
        ActivityDay.objects.create(member=member, pod=pod, day=date(2025, month, day))
    return SimpleNamespace(a=a, b=b, c=c, d=d, p1=p1, p2=p2, region=region, posts=[post1, post2, post3, post4])
