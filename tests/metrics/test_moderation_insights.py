"""Moderator insights on /metrics/: figures worked out by hand on a small queue, CSV equal to the page,
bounds on generated data, a fixed number of queries, managers only, and charts loaded per section."""

import csv
import io
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group

from communities.models import Place, Post
from metrics import dashboards
from metrics.tables import fmt
from moderation.models import Appeal, ModerationLogEntry, QueueItem, Report
from tests.factories import PodFactory, UserFactory

pytestmark = pytest.mark.django_db
RANGE = "?period=week&start=2025-02-01&end=2025-03-09&pod=p1&region=north"
Log = ModerationLogEntry


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def manager(db):
    user = UserFactory(username="boss", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


def _item(created, *, pod=None, region=None, resolved=None, resolution="", kind="report", by=None):
    scope = {"scope_kind": "pod", "pod": pod, "region": region} if pod else {"scope_kind": "commons"}
    return QueueItem.objects.create(kind=kind, created_at=created, resolved_at=resolved, resolved_by=by,
                                    status="resolved" if resolved else "open", resolution=resolution,
                                    member=UserFactory(), **scope)


def _log(actor, action, when, *, item=None, pod=None, region=None):
    scope = {"scope_kind": "pod", "pod": pod, "region": region, "content_pod": pod} if pod else {}
    return Log.objects.create(actor=actor, action=action, created_at=when, item=item, **scope)


@pytest.fixture
def queue(db):
    """ISO week 2025-W10 (3–9 March) and a little before and after it."""
    country = Place.objects.create(name="UK", slug="uk", kind="country")
    north = Place.objects.create(name="North", slug="north", kind="region", parent=country)
    p1, p2 = PodFactory(name="P1", slug="p1"), PodFactory(name="P2", slug="p2")
    mod1, mod2, boss = UserFactory(username="mod1"), UserFactory(username="mod2"), UserFactory(username="chief")
    i0 = _item(at(2, 20), resolved=at(3, 10, 12), resolution="approved", by=mod1)  # waiting since W08
    i1 = _item(at(3, 3, 10), resolved=at(3, 3, 11), resolution="removed", by=mod1)
    i2 = _item(at(3, 4, 12), pod=p1, region=north, resolved=at(3, 4, 12, 30), resolution="approved", by=mod2)
    i3 = _item(at(3, 5, 8), pod=p1, region=north, kind="held", resolved=at(3, 5, 12), resolution="removed", by=mod1)
    i4 = _item(at(3, 6), pod=p2)  # still open
    i5 = _item(at(3, 4, 9), kind="appeal", resolved=at(3, 5, 9), resolution="granted", by=mod2)
    _item(at(3, 7, 10), resolved=at(3, 7, 11), resolution="gone")  # the content was deleted: no decision
    removal1 = _log(mod1, "remove", at(3, 3, 11), item=i1)
    _log(mod2, "approve", at(3, 4, 12, 30), item=i2, pod=p1, region=north)
    removal3 = _log(mod1, "remove", at(3, 5, 12), item=i3, pod=p1, region=north)
    _log(mod2, "appeal_granted", at(3, 5, 9), item=i5)
    _log(mod1, "approve", at(3, 10, 12), item=i0)  # the week after: not in W10's tables
    _log(boss, "rule_create", at(3, 6))  # not a decision on an item
    _log(None, "hide", at(3, 6, 1), item=i4)  # automatic: not a moderator's
    author = UserFactory()
    Appeal.objects.create(author=author, post=Post.objects.create(author=author, body="a", status="published"),
                          removal=removal1, text="Please", status="granted", created_at=at(3, 4, 9))
    Appeal.objects.create(author=author, post=Post.objects.create(author=author, body="b", status="removed"),
                          removal=removal3, text="Please", created_at=at(3, 6))
    for item, reason, when in [(i1, "spam", at(3, 3, 10)), (i1, "spam", at(3, 3, 10, 20)),
                               (i2, "harassment", at(3, 4, 12)), (i4, "off_topic", at(3, 6)),
                               (i0, "spam", at(2, 20))]:
        Report.objects.create(reporter=UserFactory(), item=item, reason=reason, created_at=when)
    return {"p1": p1, "north": north, "mod1": mod1, "mod2": mod2}


def _params(queue, **kw) -> dashboards.Params:
    return dashboards.Params(period="week", start=date(2025, 2, 1), end=date(2025, 3, 9),
                             pod=kw.get("pod", queue["p1"]), region=kw.get("region", queue["north"]))


SCOPES = ["Everywhere", "Commons", "All pods", "P1", "North"]


def _section(queue):
    params = _params(queue)
    scopes, _ = dashboards.dashboard_scopes(params, [], {})
    return dashboards.moderation_section(params, scopes, date(2025, 3, 3))


def _rows(table) -> dict[str, list]:
    return {row[0] if isinstance(row[0], str) else row[0][0]: row[1:] for row in table.rows}


def test_actions_per_moderator_count_decisions_by_place_with_their_first_decisions_and_overturns(queue):
    table = _section(queue)["tables"][0]
    assert table.name == "moderation_moderators" and "2025-W10" in table.title
    assert [c.header for c in table.columns][:6] == ["Moderator", "Actions", "In Commons", "In All pods", "In P1",
                                                     "In North"]
    rows = _rows(table)
    assert list(rows) == ["Mod1", "Mod2"]  # the manager's rule change and the automatic hide are no decisions
    assert table.rows[0][0] == ("Mod1", "/members/mod1/")
    # actions, per place (Commons, pods, P1, North), approved, removed, sanctions, escalated, appeals decided,
    # first decisions, their median time, removals overturned
    assert rows["Mod1"] == [2, 1, 1, 1, 1, 0, 2, 0, 0, 0, 2, 9000, 1]
    assert rows["Mod2"] == [2, 1, 1, 1, 1, 1, 0, 0, 0, 1, 2, 44100, 0]


def test_time_to_first_action_median_and_p90_per_scope(queue):
    rows = _rows(_section(queue)["tables"][1])
    # opened, decided, closed without a decision, still open, median, p90 (seconds)
    assert rows["Everywhere"] == [6, 4, 1, 1, 9000, 86400]  # 30 min, 1 h, 4 h, 24 h
    assert rows["Commons"] == [3, 2, 1, 0, 45000, 86400]
    assert rows["All pods"] == [3, 2, 0, 1, 8100, 14400]
    assert rows["P1"] == [2, 2, 0, 0, 8100, 14400]
    assert rows["North"] == rows["P1"]


def test_reports_by_reason_with_shares_and_removals(queue):
    rows = _rows(_section(queue)["tables"][2])
    # Everywhere, Commons, All pods, P1, North, share of reports, led to removal
    assert rows["Spam"] == [2, 2, 0, 0, 0, 0.5, 1.0]  # the February report is not W10's
    assert rows["Harassment"] == [1, 0, 1, 1, 1, 0.25, 0.0]
    assert rows["Off-topic for this pod"] == [1, 0, 1, 0, 0, 0.25, 0.0]
    assert rows["Other"] == [0, 0, 0, 0, 0, 0.0, None]
    assert rows["All reasons"] == [4, 2, 2, 1, 1, 1.0, 0.5]


def test_share_of_decisions_appealed_and_overturned(queue):
    rows = _rows(_section(queue)["tables"][3])
    # removals, appealed, appealed share, overturned, overturned share, upheld, overturned of decided appeals
    assert rows["Everywhere"] == [2, 2, 1.0, 1, 0.5, 0, 1.0]
    assert rows["Commons"] == [1, 1, 1.0, 1, 1.0, 0, 1.0]
    assert rows["P1"] == [1, 1, 1.0, 0, 0.0, 0, None]  # its appeal is still open


def test_backlog_and_first_action_series_over_the_range(queue):
    backlog, speed = _section(queue)["charts"]
    assert backlog.labels == ["2025-W05", "2025-W06", "2025-W07", "2025-W08", "2025-W09", "2025-W10"]
    by_name = {d["label"]: d["data"] for d in backlog.datasets}
    assert by_name["Everywhere"] == [0, 0, 0, 1, 1, 2]  # the February item, then P2's item too
    assert by_name["Commons"] == [0, 0, 0, 1, 1, 1] and by_name["P1"] == [0] * 6
    assert {d["label"]: d["data"] for d in speed.datasets}["Everywhere"][-1] == 2.5  # 9000 s in hours
    assert speed.table.rows[-1][1] == 9000


def test_the_section_costs_four_queries_whatever_the_scopes(queue, django_assert_num_queries):
    params = _params(queue)
    scopes, _ = dashboards.dashboard_scopes(params, [], {})
    with django_assert_num_queries(4):
        dashboards.moderation_section(params, scopes, date(2025, 3, 3))
    with django_assert_num_queries(4):
        dashboards.moderation_section(dashboards.Params("week", date(2025, 2, 1), date(2025, 3, 9)), scopes[:2],
                                      date(2025, 3, 3))


def _page_table(body: str, name: str) -> list[list[str]]:
    section = body[body.index(f'data-table="{name}"'):]
    tbody = section[section.index("<tbody>"):section.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", tbody)]


def test_csv_numbers_equal_the_page_numbers(client, manager, queue):
    client.force_login(manager)
    response = client.get(f"/metrics/{RANGE}")
    body = response.content.decode()
    assert 'href="#moderation-title"' in body and "Actions per moderator (2025-W10)" in body
    tables = response.context["moderation"]["tables"] + [c.table for c in response.context["moderation"]["charts"]]
    assert len(tables) == 6
    for table in tables:
        got = client.get(f"/metrics/{RANGE}&format=csv&table={table.name}")
        assert got.status_code == 200, table.name
        rows = list(csv.reader(io.StringIO(got.content.decode())))
        assert rows[0] == [c.header for c in table.columns]
        page = _page_table(body, table.name)
        assert len(page) == len(rows) - 1 >= 2
        for csv_row, page_row in zip(rows[1:], page, strict=True):
            for value, shown, column in zip(csv_row, page_row, table.columns, strict=True):
                if column.kind in ("text", "link"):
                    assert value == shown
                else:  # the CSV's number, formatted as the page formats it, is what the page shows
                    assert fmt(float(value) if value else None, column.kind) == shown, (table.name, column.header)


def test_shares_stay_between_0_and_1_and_counts_add_up_on_generated_data(db):
    rng = random.Random(20250303)
    pods = [PodFactory(slug=f"g{i}") for i in range(3)]
    mods = [UserFactory(username=f"gm{i}") for i in range(4)]
    author = UserFactory()
    t, in_week = at(3, 3), 0
    for n in range(80):
        created = t + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))
        pod = rng.choice(pods + [None, None])
        decided = rng.random() < 0.7
        when = created + timedelta(minutes=rng.randrange(1, 3000))
        item = _item(created, pod=pod, resolved=when if decided else None, by=rng.choice(mods),
                     resolution=rng.choice(["removed", "approved"]) if decided else "")
        for _ in range(rng.randrange(0, 3)):
            Report.objects.create(reporter=UserFactory(), item=item, reason=rng.choice(Report.Reason.values),
                                  created_at=created)
        if decided:
            in_week += when < at(3, 10)
            action = "remove" if item.resolution == "removed" else "approve"
            entry = _log(item.resolved_by, action, when, item=item, pod=pod)
            if action == "remove" and rng.random() < 0.5:
                post = Post.objects.create(author=author, body=f"g{n}", status="removed")
                Appeal.objects.create(author=author, post=post, removal=entry, text="x", created_at=when,
                                      status=rng.choice(["open", "granted", "denied"]))
    params = dashboards.Params("week", date(2025, 2, 1), date(2025, 3, 9), pod=pods[0])
    scopes, _ = dashboards.dashboard_scopes(params, [], {})
    section = dashboards.moderation_section(params, scopes, date(2025, 3, 3))
    for table in section["tables"] + [c.table for c in section["charts"]]:
        for row in table.rows:
            for value, column in zip(row, table.columns, strict=True):
                if column.kind == "pct" and value is not None:
                    assert 0 <= value <= 1, (table.name, column.header, value)
                if column.kind in ("int", "dur") and value is not None:
                    assert value >= 0
    first = _rows(section["tables"][1])
    for opened, decided, closed, waiting, med, p90 in first.values():
        assert opened == decided + closed + waiting
        assert (med is None) == (decided == 0) and (med is None or med <= p90)
    assert first["Everywhere"][0] == 80
    assert first["Commons"][0] + first["All pods"][0] == 80
    mods_table = _rows(section["tables"][0])
    assert sum(r[0] for r in mods_table.values()) == in_week  # one decision per decided item, if made in W10
    assert sum(r[9] for r in mods_table.values()) == in_week  # each item's one decision is its first
    appeals = _rows(section["tables"][3])["Everywhere"]
    assert appeals[1] <= appeals[0] and appeals[3] + appeals[5] <= appeals[1]


@pytest.mark.parametrize("path", ["/metrics/charts/moderation/", "/metrics/charts/series/",
                                  "/metrics/charts/pods/", "/metrics/charts/retention/",
                                  "/metrics/?format=csv&table=moderation_moderators"])
def test_moderator_insights_are_for_managers_only(client, queue, path):
    assert client.get(path).status_code == 302  # to the sign-in page, as /metrics/ itself
    client.force_login(queue["mod1"])  # a moderator, not a manager
    assert client.get(path).status_code == 403
    client.force_login(UserFactory())
    assert client.get(path).status_code == 403


def test_each_sections_chart_data_comes_from_its_endpoint_and_not_the_page(client, manager, queue,
                                                                          django_assert_max_num_queries):
    client.force_login(manager)
    page = client.get(f"/metrics/{RANGE}")
    body = page.content.decode()
    assert 'type="application/json"' not in body  # no chart data inline: the tables carry the figures
    assert body.count("data-chart-section") == 4
    assert f'data-charts="/metrics/charts/moderation/{RANGE.replace("&", "&amp;")}"' in body
    expected = {c.id: c.data for c in page.context["moderation"]["charts"]}
    with django_assert_max_num_queries(8):  # session and user, then the section's one query
        got = client.get(f"/metrics/charts/moderation/{RANGE}").json()
    assert got["charts"] == expected
    series = client.get(f"/metrics/charts/series/{RANGE}").json()["charts"]
    assert series == {c.id: c.data for c in page.context["charts"]}
    assert client.get(f"/metrics/charts/pods/{RANGE}").json()["charts"] == {"chart-pods": page.context["scatter"].data}
    effect = client.get(f"/metrics/charts/retention/{RANGE}").json()["charts"]
    assert effect == {"chart-pod-effect": page.context["effect"].data}
