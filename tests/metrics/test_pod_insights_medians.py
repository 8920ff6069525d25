"""Pod insights read the all-pods medians stored per period (`PodBenchmark`) and the pod's rows, cohorts and
medians in one query each: what the page shows equals computing it again from raw rows, in a fixed number
of queries whatever the range."""

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from communities.models import Comment, Post
from metrics import selectors as sel
from metrics.dashboards import CARD_FIGURES, build_cards
from metrics.definitions import DEFINITIONS
from metrics.models import ActivityDay, Impression, PeriodKind
from metrics.periods import periods_between, previous_start
from metrics.services import metrics_backfill
from metrics.services.rollups import BENCHMARK_FIGURES, rollup_compute
from metrics.tables import fmt
from microgroups.models import MembershipEvent
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db
FIRST, TODAY = date(2025, 3, 3), date(2025, 4, 6)
RANGE = "?period=week&start=2025-03-03&end=2025-04-06"


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def pods(db):
    """Six pods of different sizes and habits over five weeks (seeded, so every run is the same)."""
    rng = random.Random(20)
    people = [UserFactory(username=f"m{i}", date_joined=_at(FIRST - timedelta(days=30), 9)) for i in range(14)]
    out = []
    for p in range(6):
        pod = PodFactory(slug=f"pod{p}", name=f"Pod {p}")
        members = rng.sample(people, 2 + p)
        for m in members:
            MembershipEvent.objects.create(pod=pod, member=m, kind="joined",
                                           created_at=_at(FIRST + timedelta(days=rng.randrange(10)), 8))
        for d in range(35):
            day = FIRST + timedelta(days=d)
            for m in members:
                if rng.random() < 0.15 + 0.1 * p:
                    ActivityDay.objects.create(member=m, pod=pod, day=day)
                    if rng.random() < 0.5:
                        post = Post.objects.create(author=m, pod=pod, body="Walkies", created_at=_at(day, 10),
                                                   status="published", sentiment=rng.uniform(-1, 1))
                        for other in rng.sample(members, min(len(members), 1 + rng.randrange(3))):
                            Impression.objects.create(member=other, post=post, pod=pod, day=day)
                            if other != m and rng.random() < 0.5:
                                Comment.objects.create(post=post, author=other, body="Good dog",
                                                       created_at=_at(day, 10 + rng.randrange(1, 12)),
                                                       status="published", sentiment=rng.uniform(-1, 1))
        out.append(pod)
    metrics_backfill(since=FIRST - timedelta(days=28), until=TODAY)
    return out


def _steward_client(client, pod):
    steward = UserFactory(username=f"steward-{pod.slug}")
    join(steward, pod, role="steward")
    client.force_login(steward)
    client.get(f"/pods/{pod.slug}/insights/{RANGE}")  # warm: session, "seen today" keys
    return client


def test_pod_insights_medians_equal_a_recomputation_from_raw_rows(client, pods):
    pod = pods[2]
    response = _steward_client(client, pod).get(f"/pods/{pod.slug}/insights/{RANGE}")
    assert response.status_code == 200
    cur = date(2025, 3, 31)  # the latest complete ISO week on 2025-04-06
    raw = [r for r in rollup_compute(period="week", start=cur, today=TODAY)
           if r.scope_kind == "pod" and r.members_end > 0]
    assert len(raw) == 6
    shown = {card["key"]: card["median"] for card in response.context["cards"]}
    for key in CARD_FIGURES:
        if key in BENCHMARK_FIGURES:
            values = [v for v in (getattr(r, key) for r in raw) if v is not None]
            expected = statistics.median(values) if values else None
            assert shown[key] == fmt(expected, DEFINITIONS[key][2]), key
    assert response.context["benchmark"].pod_count == 6
    chart = next(c for c in response.context["charts"] if c.id == "pod-chart-active_members")
    line = next(d for d in chart.data["datasets"] if d["label"] == "All-pods median")["data"]
    for i, start in enumerate(periods_between(PeriodKind.WEEK, FIRST, TODAY)):
        rows = [r for r in rollup_compute(period="week", start=start, today=TODAY)
                if r.scope_kind == "pod" and r.members_end > 0]
        assert line[i] == statistics.median(r.active_members for r in rows), start


def test_pod_insights_cards_equal_the_separate_reads(client, pods):
    """The page reads rows, cohorts and medians once for cards and charts; the cards equal what the
    separate reads (this period's rows, the pooled retention) give."""
    pod = pods[4]
    response = _steward_client(client, pod).get(f"/pods/{pod.slug}/insights/{RANGE}")
    cur = date(2025, 3, 31)
    prev = previous_start("week", cur)
    scope = ("pod", pod.pk)
    rows = sel.rollups_for(period="week", starts=[cur, prev], scopes=[scope])
    retention = sel.retention_w4_for(period="week", starts=[cur, prev], scopes=[scope])
    cards, _ = build_cards([(pod.name, scope)], rows, retention, cur, prev)
    got = [{k: v for k, v in c.items() if k != "median"} for c in response.context["cards"]]
    assert got == cards
    assert [c["cells"][0]["value"] for c in cards][:3] != ["—", "—", "—"]  # the pod has figures


def test_pod_insights_page_costs_a_fixed_number_of_queries(client, pods, django_assert_num_queries):
    pod = pods[1]
    _steward_client(client, pod)
    # Roles for the pod page, the pod (the session, the member and the navigation bar come from the
    # caches); then the pod's rows, its cohorts, the medians and the pulse: one query each.
    with django_assert_num_queries(6):
        assert client.get(f"/pods/{pod.slug}/insights/{RANGE}").status_code == 200
    with django_assert_num_queries(6):  # a range twice as long: the same reads
        assert client.get(f"/pods/{pod.slug}/insights/?period=week&start=2025-01-27&end=2025-04-06").status_code \
            == 200
