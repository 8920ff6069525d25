"""On the default demo, every figure /metrics/ shows lies within its definition's bounds.

The test seeds the default demo (`manage.py seed_demo`, no options), then walks every card, every table
and every CSV of the dashboard for each period kind and for a pod and a region column, and checks each
number against the bounds in `metrics.definitions.BOUNDS`. It also checks what the demo is for: retention
differs between the Commons and pods, between members who joined a pod in their first week and the
others, and between cohorts.
"""

import csv
import io
import math

import pytest
from django.core.management import call_command

from communities.models import Place, User
from metrics.definitions import BOUNDS, DEFINITIONS
from metrics.models import InfluencerRollup, MetricRollup, RetentionCohort
from microgroups.models import Pod

KEY_BY_LABEL = {label: key for key, (label, _, _) in DEFINITIONS.items()}
# Columns of the other tables, by header: (lowest, highest).
HEADER_BOUNDS = {
    "Size": (0, None), "Members": (0, None), "Reach": (0, None), "Engaged members": (0, None), "Score": (0, 1),
    "Engagement rate": (0, None), "Active members": (0, None), "Interactions": (0, None), "Sentiment": (-1, 1),
    "Authors lately": (0, None), "Before": (0, None), "Pods asked": (0, None), "Members asked": (0, None),
    "Answers": (0, None), "Response rate": (0, 1), "Mean score": (1, 5),
} | {f"Week {k}": (0, 1) for k in range(1, 9)}
UNBOUNDED_TEXT = {"Figure", "Definition", "Period", "Scope", "Cohort week", "Pod", "Region", "Niche tag", "Member",
                  "Invite", "Niche", "Tags", "Covered by", "Why", "Month", "Group", "Moderator", "Reason"}
# Moderator insights: shares lie in 0…1; every other column (counts per scope, seconds) is at least 0.
MODERATION_SHARES = {"Appealed share", "Overturned share", "Overturned of decided appeals", "Share of reports",
                     "Led to removal"}


def _within(value: float, bounds, where) -> None:
    lo, hi = bounds
    assert math.isfinite(value), where
    assert lo is None or value >= lo - 1e-9, (where, value, bounds)
    assert hi is None or value <= hi + 1e-9, (where, value, bounds)


def _check_csv(name: str, rows: list[list[str]]) -> int:
    """Check every numeric cell of one CSV; returns how many were checked."""
    header, checked = rows[0], 0
    series_key = name.split("series_", 1)[1] if "series_" in name else None
    for row in rows[1:]:
        row_key = KEY_BY_LABEL.get(row[0]) if name in ("cards", "figures") else None
        for col, cell in zip(header, row, strict=True):
            if col in UNBOUNDED_TEXT or cell == "" or col.endswith(": change"):
                continue
            value = float(cell)  # a number, never a display string like "2,478" or "+11%"
            if name == "sentiment_map":
                bounds = (-1, 1)
            elif name.startswith("moderation_"):
                bounds = (0, 1) if col in MODERATION_SHARES else (0, None)
            elif row_key:
                bounds = BOUNDS[row_key]
            elif series_key:
                bounds = BOUNDS[series_key]
            elif col in KEY_BY_LABEL:
                bounds = BOUNDS[KEY_BY_LABEL[col]]
            else:
                bounds = HEADER_BOUNDS[col]
            _within(value, bounds, (name, row[0], col))
            checked += 1
    return checked


@pytest.mark.django_db(transaction=True)  # seed_demo commits; the database is flushed afterwards
def test_every_figure_on_the_default_demo_dashboard_is_within_its_definition(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="manager"))
    region = Place.objects.filter(kind="region").order_by("name").first()
    pod = Pod.objects.order_by("-member_count", "pk").first()
    checked = 0
    for query in ("period=week", "period=d28", "period=day", f"period=week&region={region.slug}",
                  f"period=d28&pod={pod.name}&region={region.slug}"):
        response = client.get(f"/metrics/?{query}")
        assert response.status_code == 200, query
        for card in response.context["cards"]:  # what the page shows: parse the cards' display text back
            for cell in card["cells"]:
                text = cell["value"]
                if text == "—":
                    continue
                number = float(text.rstrip("%").replace(",", "")) / (100 if text.endswith("%") else 1)
                _within(number, BOUNDS[card["key"]], (query, card["key"], cell["scope"]))
                checked += 1
        for table in response.context["all_tables"]:
            body = client.get(f"/metrics/?{query}&format=csv&table={table.name}").content.decode()
            checked += _check_csv(table.name, list(csv.reader(io.StringIO(body))))
    assert checked > 2000  # the walk really saw the page's figures

    # Every stored row, not only those on the page: the relations the definitions imply.
    for row in MetricRollup.objects.all():
        assert row.contributors <= row.active_members, row
        assert row.unique_reach <= row.impressions and row.wau <= row.mau, row
    for row in InfluencerRollup.objects.all():
        assert row.engagers <= row.reach, (row.member_id, row.tag_id)

    # Retention differs: Commons against pods, pod joiners against the others, cohort against cohort.
    def pooled(**filters) -> float:
        rows = RetentionCohort.objects.filter(retained_4__isnull=False, **filters)
        return sum(r.retained_4 for r in rows) / sum(r.size for r in rows)

    commons, pods = pooled(scope_kind="commons", segment="all"), pooled(scope_kind="pods", segment="all")
    joiners, others = pooled(segment="pod_joiners"), pooled(segment="non_joiners")
    assert commons != pods and joiners > others + 0.1, (commons, pods, joiners, others)
    # Cohorts of ten or more: a week of five sign-ups who all stay is an ordinary week (the demo's week
    # boundaries move with the hour it is seeded at, and one such week made this fail at some hours).
    rates = {round(r.retained_4 / r.size, 2) for r in RetentionCohort.objects.filter(
        scope_kind="commons", segment="all", retained_4__isnull=False, size__gte=10)}
    assert len(rates) >= 3 and max(rates) < 1, rates  # cohorts differ; not everyone stays
    # Counters agree with the rows they count, the moment the seed ends.
    for p in Pod.objects.all():
        assert p.post_count == p.posts.filter(status="published").count(), p.name
