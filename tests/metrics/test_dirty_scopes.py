"""The recurring rollup recomputes only what changed: the (scope, day)s marked dirty, their week and 28-day
window; with nothing marked it writes nothing. What it writes equals a full recomputation from raw rows.
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from communities import hooks
from communities.models import Place, Post
from communities.services.posts import post_create
from metrics.models import ActivityDay, DirtyDay, MetricRollup, RetentionCohort
from metrics.periods import period_start
from metrics.services import rollup_recent
from metrics.services.events import dirty_mark
from metrics.services.rollups import rollup_compute
from tests.factories import PodFactory, UserFactory, join

pytestmark = pytest.mark.django_db
KINDS = ("day", "week", "d28")
SKIP = {"id", "computed_at"}


def _when(days_ago: int) -> datetime:
    return datetime.combine(timezone.now().date() - timedelta(days=days_ago), time(9), tzinfo=UTC)


def _values(row) -> dict:
    return {f.name: getattr(row, f.name) for f in row._meta.fields if f.name not in SKIP}


def _stored() -> dict:
    """(scope kind, scope id, period, start) → (row id, computed_at, values)."""
    return {(r.scope_kind, r.scope_id, r.period, r.start): (r.pk, r.computed_at, _values(r))
            for r in MetricRollup.objects.all()}


@pytest.fixture
def town(db):
    """Two regions, two pods, members who wrote in the Commons and in the pods over the last days."""
    country = Place.objects.create(name="UK", slug="uk", kind="country")
    north = Place.objects.create(name="North", slug="north", kind="region", parent=country)
    south = Place.objects.create(name="South", slug="south", kind="region", parent=country)
    leeds = Place.objects.create(name="Leeds", slug="leeds", kind="city", parent=north)
    ann = UserFactory(username="ann", region=leeds, date_joined=_when(20))
    bob = UserFactory(username="bob", region=south, date_joined=_when(20))
    cat = UserFactory(username="cat", region=north, date_joined=_when(20))
    p1, p2 = PodFactory(slug="p1", privacy="open"), PodFactory(slug="p2", privacy="open")
    join(ann, p1)
    join(cat, p1)
    join(bob, p2)
    for author, pod, days_ago in [(ann, p1, 3), (cat, p1, 1), (bob, p2, 2), (bob, None, 1), (ann, None, 0)]:
        post = Post.objects.create(author=author, pod=pod, body="Biscuit says hi", created_at=_when(days_ago),
                                   status="published")
        hooks.contribution(member_id=author.pk, pod_id=pod.pk if pod else None, at=post.created_at)
    for member, pod in [(bob, None), (cat, None), (bob, p2)]:
        ActivityDay.objects.create(member=member, pod=pod, day=_when(0).date())
    rollup_recent()  # the first run: the last two days in full, and every marked day
    assert not DirtyDay.objects.exists()
    return {"ann": ann, "bob": bob, "cat": cat, "p1": p1, "p2": p2, "north": north, "south": south}


def test_with_nothing_marked_the_rollup_writes_nothing(town, django_assert_num_queries):
    before = _stored()
    cohorts = list(RetentionCohort.objects.values_list("pk", "computed_at"))
    # The bookmark, three looks for changes without a hook (pod joins, sign-ups, rule hits), the marks,
    # the bookmark saved: no rollup, cohort or mark is read or written.
    with django_assert_num_queries(6) as ctx:
        result = rollup_recent()
    assert result == {"rollup_rows": 0, "cohort_rows": 0, "dirty_cleared": 0}
    assert _stored() == before
    assert list(RetentionCohort.objects.values_list("pk", "computed_at")) == cohorts
    written = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "DELETE", "UPDATE"))]
    assert len(written) == 1 and "metrics_rollupbookmark" in written[0]


def test_one_post_in_one_pod_rewrites_only_that_pod_its_region_and_all_pods(town):
    ann, p1, north = town["ann"], town["p1"], town["north"]
    before = _stored()
    post_create(actor=ann, pod=p1, body="Biscuit learnt to sit today!")
    marks = set(DirtyDay.objects.values_list("scope_kind", "scope_id"))
    assert marks == {("pod", p1.pk), ("region", north.pk)}

    rollup_recent()
    after = _stored()
    today = timezone.now().date()
    expected = {(kind, scope_id, period, period_start(period, today))
                for kind, scope_id in [("pod", p1.pk), ("region", north.pk), ("pods", 0)] for period in KINDS}
    rewritten = {key for key, (pk, at, _) in after.items() if key not in before or before[key][:2] != (pk, at)}
    assert rewritten == expected
    assert set(after) == set(before)  # no row appeared or went
    for period in KINDS:
        full = {(r.scope_kind, r.scope_id, r.period, r.start): _values(r)
                for r in rollup_compute(period=period, start=period_start(period, today))}
        for key in expected:
            if key[2] == period:
                assert after[key][2] == full[key], key
        # Every row, rewritten or kept, equals a full recomputation (pod state aside: it is "now").
        for key, (_, _, values) in after.items():
            if key[2] == period and key[3] == period_start(period, today):
                assert values == full[key], key
    assert after[("pod", p1.pk, "day", today)][2]["posts"] == 1
    assert after[("region", north.pk, "week", period_start("week", today))][2]["posts"] == \
        before[("region", north.pk, "week", period_start("week", today))][2]["posts"] + 1


def test_a_pod_join_found_by_its_timestamp_marks_the_pod(town):
    """Pod joins have no metrics hook: the next run finds them by their time and recomputes the pod."""
    from microgroups.services.membership import pod_join

    p2, cat = town["p2"], town["cat"]
    pod_join(actor=cat, pod=p2, charter_version=p2.charter_version)
    rollup_recent()
    today = timezone.now().date()
    row = MetricRollup.objects.get(scope_kind="pod", scope_id=p2.pk, period="day", start=today)
    assert (row.members_end, row.joined) == (1, 1)  # members come from membership events: cat's join


def test_a_new_day_recomputes_every_scope_of_the_periods_holding_it(town):
    """Nothing marked, but the day moved: the current periods' last day moved with it (days covered, WAU
    and MAU windows, members at the end), so every scope of them is recomputed, and only those periods."""
    today = timezone.now().date()
    tomorrow = today + timedelta(days=1)
    before = _stored()
    rollup_recent(today=tomorrow)
    after = _stored()
    rewritten = {key for key, (pk, at, _) in after.items() if key not in before or before[key][:2] != (pk, at)}
    assert {key[2:] for key in rewritten} == {(period, period_start(period, tomorrow)) for period in KINDS}
    commons_day = after[("commons", 0, "day", tomorrow)][2]
    assert (commons_day["active_members"], commons_day["mau"]) == (0, 3)  # nobody yet; the 28 days hold 3
    for period in KINDS:
        full = {(r.scope_kind, r.scope_id, r.period, r.start): _values(r)
                for r in rollup_compute(period=period, start=period_start(period, tomorrow), today=tomorrow)}
        assert {key: after[key][2] for key in rewritten if key[2] == period} == full


def test_members_of_one_region_mark_it_once(town):
    """ann (Leeds, in North) and cat (North) answered one post: one region mark, no upsert of a row twice."""
    day = _when(1).date()
    assert dirty_mark(member_ids={town["ann"].pk, town["cat"].pk}, day=day) == 2
    assert list(DirtyDay.objects.values_list("scope_kind", "scope_id", "day")) == [("region", town["north"].pk, day)]
