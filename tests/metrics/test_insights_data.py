"""Micro-influencers, pods needing attention and the all-pods median, against hand computation."""

from datetime import UTC, date, datetime, timedelta

import pytest

from communities.models import Comment, Reaction
from metrics.models import Impression, InfluencerRollup, MetricRollup, PodBenchmark
from metrics.services import rollup_period
from microgroups.models import MembershipEvent
from tests.factories import PodFactory, PostFactory, TagFactory, UserFactory, join

pytestmark = pytest.mark.django_db
WEEK = date(2025, 3, 3)
TODAY = date(2025, 4, 30)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def test_influencers_rank_engagement_from_distinct_members_relative_to_reach():
    tag = TagFactory(slug="senior")
    star, wide, small = UserFactory(), UserFactory(), UserFactory()
    viewers = [UserFactory() for _ in range(10)]
    posts = {}
    for author in (star, wide, small):
        posts[author] = PostFactory(author=author, created_at=at(3))
        posts[author].tags.add(tag)
    for v in viewers[:5]:  # star: reach 5 (+ the author's own view, not counted), 3 engaged members
        Impression.objects.create(member=v, post=posts[star], day=date(2025, 3, 4))
    Impression.objects.create(member=star, post=posts[star], day=date(2025, 3, 4))
    for v in viewers[:3]:
        Comment.objects.create(post=posts[star], author=v, body="hi", created_at=at(4))
    Reaction.objects.create(post=posts[star], member=viewers[0], kind="paw", created_at=at(4))  # same member
    for v in viewers:  # wide: reach 10, 2 engaged
        Impression.objects.create(member=v, post=posts[wide], day=date(2025, 3, 5))
    for v in viewers[:2]:
        Reaction.objects.create(post=posts[wide], member=v, kind="heart", created_at=at(5))
    for v in viewers[:4]:  # small: reach 4 < minimum 5: not ranked
        Impression.objects.create(member=v, post=posts[small], day=date(2025, 3, 5))
        Comment.objects.create(post=posts[small], author=v, body="hi", created_at=at(5))
    rollup_period(period="week", start=WEEK, today=TODAY)
    ranked = [(r.member_id, r.reach, r.engagers, r.rank) for r in InfluencerRollup.objects.filter(tag=tag)]
    assert ranked == [(star.pk, 5, 3, 1), (wide.pk, 10, 2, 2)]
    assert InfluencerRollup.objects.get(member=star).score == 0.6


def _pod_week(pod, start, *, impressions, comments, sentiment):
    """A week of activity in a pod: impressions by two members, comments with a given sentiment."""
    a, b = pod.test_members
    post = PostFactory(author=a, pod=pod, created_at=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
                       sentiment=sentiment)
    other = PostFactory(author=a, pod=pod, created_at=post.created_at, sentiment=sentiment)
    for i in range(impressions):  # (member, post, day) stays unique and within the week
        Impression.objects.create(member=(a, b)[i // 2 % 2], post=(post, other)[i % 2], pod=pod,
                                  day=start + timedelta(days=i // 4))
    for i in range(comments):
        Comment.objects.create(post=post, author=b, body="x", sentiment=sentiment,
                               created_at=datetime.combine(start, datetime.min.time(), tzinfo=UTC)
                               + timedelta(hours=i + 1))


def test_pods_needing_attention_and_the_all_pods_median():
    calm, falling, orphan = PodFactory(slug="calm"), PodFactory(slug="falling"), PodFactory(slug="orphan")
    for pod in (calm, falling, orphan):
        pod.test_members = (UserFactory(), UserFactory())
        for m in pod.test_members:
            MembershipEvent.objects.create(pod=pod, member=m, kind="joined", created_at=at(1) - timedelta(days=30))
        if pod is not orphan:
            join(pod.test_members[0], pod, role="steward")
    before, now = date(2025, 2, 24), WEEK
    _pod_week(calm, before, impressions=10, comments=3, sentiment=0.5)
    _pod_week(calm, now, impressions=10, comments=3, sentiment=0.5)
    # 10/20 → 3/20 (both ≥ 20 impressions): engagement falls below 80%; sentiment +0.6 → 0.0
    _pod_week(falling, before, impressions=20, comments=10, sentiment=0.6)
    _pod_week(falling, now, impressions=20, comments=3, sentiment=0.0)
    for start in (before, now):
        rollup_period(period="week", start=start, today=TODAY)
    rows = {r.scope_id: r for r in MetricRollup.objects.filter(period="week", start=now, scope_kind="pod")}
    assert rows[calm.pk].attention == ""
    assert rows[falling.pk].attention == "engagement_falling,sentiment_drop"
    assert rows[orphan.pk].attention == "no_steward"
    assert rows[falling.pk].engagement_rate == pytest.approx(0.15)
    bench = PodBenchmark.objects.get(period="week", start=now)
    # three pods with members: engagement rates 0.3, 0.15 and — (no impressions) → median of two = 0.225
    assert bench.pod_count == 3 and bench.medians["engagement_rate"] == pytest.approx(0.225)
    assert bench.medians["members_end"] == 2
