"""Every definition computed by hand on the fixture (tests/metrics/conftest.py) and compared with rollups.

Hand computation for the ISO week 2025-03-03…09 is written next to each figure.
"""

from datetime import date

import pytest

from metrics.models import MetricRollup, RetentionCohort
from metrics.services import cohorts_recompute, rollup_period

from .conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db


def rows(period="week", start=WEEK) -> dict:
    return {(r.scope_kind, r.scope_id): r for r in MetricRollup.objects.filter(period=period, start=start)}


def week_rows(world):
    rollup_period(period="week", start=WEEK, today=TODAY)
    return rows()


def test_commons_reach_and_growth(world):
    r = week_rows(world)[("commons", 0)]
    # impressions on Commons posts: a:p1,p2  b:p1(3rd),p1(4th)  c:p1,p2  d:p1
    assert (r.impressions, r.unique_reach) == (7, 4)
    # active a,b,c,d; member-days a3 + b2 + c1 + d1; MAU (02-10…03-09) adds a's 02-20, same member
    assert (r.active_members, r.member_days, r.days, r.wau, r.mau) == (4, 7, 7, 4, 4)
    assert r.dau == 1.0 and r.stickiness == 0.25
    # members a,b,d at start (x is deactivated, not deleted: never a member); c joined, d deleted
    assert (r.members_start, r.members_end, r.joined, r.left, r.growth, r.growth_rate) == (3, 3, 1, 1, 0, 0.0)


def test_commons_engagement(world):
    r = week_rows(world)[("commons", 0)]
    # posts p1,p2 (p5 deleted, p6 last week); comments c1,c2,c3,c7 (not on the deleted post, not removed)
    # reactions r1,r2,r3 (not on the deleted post, not last week)
    assert (r.posts, r.comments, r.reactions, r.interactions) == (2, 4, 3, 9)
    assert r.engagement_rate == 7 / 7
    # contributors a (3), b (2), c (1); top 10% = ⌈0.3⌉ = 1 contributor → a's 3 of 6
    assert (r.contributors, r.contributions, r.top_contributions) == (3, 6, 3)
    assert r.participation == 3 / 4 and r.contributions_per_active == 6 / 4 and r.inequality == 0.5
    # p1 answered by b after 1 h (a's own comment doesn't count); p2 answered by a after 48 h
    assert r.posts_replied_24h == 1 and r.reply_rate == 0.5
    assert r.median_reply_seconds == pytest.approx((3600 + 172800) / 2, abs=0.01)
    # 0.5, -0.3, 0.2, 0.0, -0.5, 0.3
    assert r.sentiment_count == 6 and r.sentiment_mean == pytest.approx(0.2 / 6)
    assert (r.sentiment_positive_share, r.sentiment_negative_share) == (0.5, pytest.approx(2 / 6))


def test_one_pod(world):
    r = week_rows(world)[("pod", world.p1.pk)]
    assert (r.impressions, r.unique_reach, r.active_members, r.member_days, r.mau) == (2, 2, 2, 4, 2)
    # a and b at the start (d's ban without a join changes nothing), b left
    assert (r.members_start, r.members_end, r.joined, r.left) == (2, 1, 0, 1)
    assert (r.posts, r.comments, r.reactions, r.engagement_rate) == (1, 1, 1, 1.0)
    # a and b tie on one contribution each: the tie goes to the lower member id
    assert (r.contributors, r.top_contributions, r.inequality) == (2, 1, 0.5)
    assert r.reply_rate == 1.0 and r.median_reply_seconds == pytest.approx(7200, abs=0.01)
    assert r.sentiment_mean == pytest.approx(0.05) and r.sentiment_positive == 1 and r.sentiment_negative == 0
    p2 = rows()[("pod", world.p2.pk)]
    # a joined; c joined, left and re-joined within the week: counted once
    assert (p2.members_start, p2.members_end, p2.joined, p2.left) == (0, 2, 2, 0)
    assert (p2.reactions, p2.engagement_rate, p2.member_days) == (2, 1.5, 3)


def test_all_pods_count_members_in_several_pods_once(world):
    r = week_rows(world)[("pods", 0)]
    assert (r.impressions, r.unique_reach) == (4, 3)
    # a is active in P1 and P2 on 03-06: one member-day. a 2 + b 2 + c 2
    assert (r.active_members, r.member_days, r.mau) == (3, 6, 3)
    # {a, b} → {a, c}: c joined, b left (a joining P2 changes nothing)
    assert (r.members_start, r.members_end, r.joined, r.left) == (2, 2, 1, 1)
    assert (r.posts, r.comments, r.reactions, r.engagement_rate) == (2, 2, 3, 1.25)
    assert (r.contributors, r.contributions, r.top_contributions) == (3, 4, 2)
    assert r.reply_rate == 1.0 and r.median_reply_seconds == pytest.approx(4500, abs=0.01)
    assert r.sentiment_mean == pytest.approx(0.175) and r.sentiment_positive_share == 0.5


def test_region_counts_its_members_everywhere(world):
    r = week_rows(world)[("region", world.region.pk)]
    # members a (city in the region), b (the region), d (city; deleted 03-05); c has no place
    assert (r.impressions, r.unique_reach) == (8, 3)
    assert (r.active_members, r.member_days, r.mau) == (3, 9, 3)
    assert (r.members_start, r.members_end, r.joined, r.left, r.growth_rate) == (3, 2, 0, 1, pytest.approx(-1 / 3))
    assert (r.posts, r.comments, r.reactions) == (3, 5, 4)
    assert r.engagement_rate == 9 / 8
    assert (r.contributors, r.contributions, r.top_contributions, r.participation) == (2, 8, 5, pytest.approx(2 / 3))
    assert r.reply_rate == pytest.approx(2 / 3) and r.median_reply_seconds == pytest.approx(7200, abs=0.01)
    assert (r.sentiment_count, r.sentiment_positive, r.sentiment_negative) == (8, 3, 2)
    assert r.sentiment_mean == pytest.approx(0.0, abs=1e-9)
    assert not [k for k in rows() if k[0] == "region" and k[1] != world.region.pk]  # the empty region: no row


def test_day_rollup_and_stickiness(world):
    rollup_period(period="day", start=date(2025, 3, 4), today=TODAY)
    r = rows("day", date(2025, 3, 4))[("commons", 0)]
    # a:p2, b:p1, c:p1, d:p1
    assert (r.impressions, r.unique_reach, r.active_members, r.member_days, r.mau) == (4, 4, 4, 4, 4)
    assert r.stickiness == 1.0
    assert (r.joined, r.left, r.posts, r.comments) == (1, 0, 1, 1)  # c; p2; c7


def test_empty_period_has_zero_row_and_no_ratios(world):
    empty = date(2025, 3, 17)
    rollup_period(period="week", start=empty, today=TODAY)
    r = rows("week", empty)
    commons = r[("commons", 0)]
    assert (commons.impressions, commons.active_members, commons.interactions) == (0, 0, 0)
    assert commons.members_end == 3  # membership carries on
    assert commons.engagement_rate is None and commons.participation is None and commons.reply_rate is None
    assert commons.sentiment_mean is None and commons.median_reply_seconds is None and commons.inequality is None
    # nobody active this week, but MAU (28 days to 03-23) still sees 03-03…09: stickiness 0, not "—"
    assert (commons.mau, commons.stickiness, commons.growth_rate) == (4, 0.0, 0.0)
    assert ("pods", 0) in r


def test_rerunning_a_period_gives_the_same_rows(world):
    first = {k: _values(v) for k, v in week_rows(world).items()}
    rollup_period(period="week", start=WEEK, today=TODAY)
    again = {k: _values(v) for k, v in rows().items()}
    assert first == again
    assert MetricRollup.objects.filter(period="week", start=WEEK).count() == len(first) == 5


def _values(row):
    return {f.name: getattr(row, f.name) for f in row._meta.fields if f.name not in ("id", "computed_at")}


def test_d28_window_is_four_iso_weeks(world):
    rollup_period(period="d28", start=date(2025, 2, 24), today=TODAY)  # 2024-01-01 + 60 × 7 days
    r = rows("d28", date(2025, 2, 24))[("commons", 0)]
    assert (r.start, r.end, r.days) == (date(2025, 2, 24), date(2025, 3, 23), 28)
    assert r.posts == 3 and r.impressions == 7  # p1, p2 and p6 (03-01); impressions all fall in the window
    assert r.reactions == 4  # r1, r2, r3 and r8 (03-02, on p2)


def test_retention_cohorts(world):
    cohorts_recompute(weeks=[date(2025, 1, 6), date(2025, 1, 27), WEEK], today=TODAY)
    got = {(c.scope_kind, c.scope_id, c.segment, c.cohort_week): c for c in RetentionCohort.objects.all()}
    commons = got[("commons", 0, "all", date(2025, 1, 6))]
    # a, b, d joined 01-10; a was active in the Commons on 02-20 = week 6; a, b, d in week 8 (03-03…)
    assert commons.size == 3
    assert commons.retained == [0, 0, 0, 0, 0, 1, 0, 3]
    pods = got[("pods", 0, "all", date(2025, 1, 27))]  # a and b first joined a pod on 02-01
    assert pods.size == 2 and pods.retained[4] == 2 and pods.retained[0] == 1  # b in P1 on 02-08 = week 1
    p2 = got[("pod", world.p2.pk, "all", WEEK)]  # a (03-04) and c (03-05; the re-join doesn't count)
    assert p2.size == 2 and p2.retained == [0] * 7 + [None]  # week 8 (04-28…05-04) is not over on 04-30
    region = got[("region", world.region.pk, "all", date(2025, 1, 6))]
    assert region.size == 3 and region.retained[7] == 3
    non_joiners = got[("commons", 0, "non_joiners", date(2025, 1, 6))]
    assert non_joiners.size == 3 and ("commons", 0, "pod_joiners", date(2025, 1, 6)) not in got


def test_retention_weeks_not_over_yet_are_null(world):
    cohorts_recompute(weeks=[WEEK], today=date(2025, 3, 20))
    c = RetentionCohort.objects.get(scope_kind="commons", segment="all", cohort_week=WEEK)
    assert c.retained[0] == 0 and c.retained[1] is None and c.rates[1] is None
