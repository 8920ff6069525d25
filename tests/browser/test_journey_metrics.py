"""Journey 6: a community manager reads /metrics/, changes the range and the pod, and downloads a CSV."""

import csv
import io
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Comment, Post, Reaction
from metrics.models import ActivityDay, Impression
from metrics.services import metrics_backfill
from tests.browser.conftest import check_page, make_manager, open_menu
from tests.factories import PodFactory, UserFactory, join

pytestmark = [pytest.mark.browser]


def _community(today):
    """Three weeks of a small community: Commons and two pods, with posts, replies, reactions and views."""
    cats = PodFactory(name="Senior cats", slug="senior-cats")
    pups = PodFactory(name="Puppy school", slug="puppy-school")
    members = [UserFactory(username=f"m{i}", date_joined=timezone.now() - timedelta(days=40)) for i in range(4)]
    for m in members[:3]:
        join(m, cats)
    join(members[3], pups)
    for back in range(21, 0, -1):
        day = today - timedelta(days=back)
        at = timezone.make_aware(datetime.combine(day, time(12)))
        author, other = members[back % 4], members[(back + 1) % 4]
        pod = cats if back % 3 else (pups if back % 2 else None)
        post = Post.objects.create(author=author, pod=pod, body=f"Day {back}", created_at=at, sentiment=0.3)
        Comment.objects.create(post=post, author=other, body="Same here", created_at=at, sentiment=0.2)
        Reaction.objects.create(member=other, post=post, kind="paw", created_at=at)
        for m in members:
            Impression.objects.create(member=m, post=post, pod=pod, day=day)
            ActivityDay.objects.get_or_create(member=m, pod=None, day=day)
        if pod:
            for m in {author, other}:
                ActivityDay.objects.create(member=m, pod=pod, day=day)
    metrics_backfill(since=today - timedelta(days=35), until=today)


DRAWN = ("() => window.Chart ? [...document.querySelectorAll('canvas[data-chart]')]"
         ".filter(c => window.Chart.getChart(c) && c.width > 0).length : 0")


def _drawn_charts(page) -> int:
    """Charts drawn once "Over time" scrolls into view: its chart data and Chart.js load then (waits up to the
    page timeout for at least 3)."""
    page.locator("#series-title").scroll_into_view_if_needed()
    page.wait_for_function(f"({DRAWN})() >= 3")
    return page.evaluate(DRAWN)


def _moderation_drawn(page) -> int:
    return page.evaluate("() => window.Chart ? [...document.querySelectorAll('#moderation-title ~ .metrics-grid "
                         "canvas[data-chart]')].filter(c => window.Chart.getChart(c)).length : 0")


def test_manager_switches_range_and_pod_sees_charts_and_tables_and_downloads_csv(new_page):
    today = timezone.localdate()
    boss = make_manager("boss")
    _community(today)
    page = new_page(boss)
    page.goto("/")
    open_menu(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Broad vs micro")
    expect(page).to_have_title(re.compile("^Metrics"))
    assert _moderation_drawn(page) == 0  # far below: its data is not fetched yet
    assert _drawn_charts(page) >= 3
    check_page(page)
    # Moderation: its section's charts load as it scrolls into view; its tables are in the page already.
    expect(page.locator("section[data-table='moderation_moderators']")).to_be_attached()
    page.locator("#moderation-title").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector(\"canvas[data-chart='chart-mod-backlog']\")"
                           ".closest('[data-chart-box]').hidden === false")
    assert _moderation_drawn(page) == 2
    page.locator("#cards-title").scroll_into_view_if_needed()

    # A two-week range by day, for one pod (typed: the field suggests pod names as you type).
    start, end = today - timedelta(days=14), today - timedelta(days=1)
    page.get_by_label("Period", exact=True).select_option(label="Day")
    page.get_by_label("From", exact=True).fill(start.isoformat())
    page.get_by_label("To", exact=True).fill(end.isoformat())
    page.get_by_label("Pod", exact=True).fill("senior-cats")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"pod=senior-cats"))
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Senior cats")
    expect(page.get_by_role("form", name="Date range")).to_contain_text(
        f"Showing {start.isoformat()} to {end.isoformat()}")
    assert _drawn_charts(page) >= 3
    check_page(page)

    # Every chart has its table: open the first one.
    chart = page.locator("figure.metrics-chart").first
    chart.get_by_text("Show as a table").click()
    table = chart.get_by_role("table")
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 7
    check_page(page)

    # Download the cards' CSV (from their table).
    page.get_by_text("Cards as a table").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of Broad vs micro").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Figure", "Commons", "Commons: change"]
    assert "Senior cats" in ",".join(rows[0])
    by_label = {r[0]: r for r in rows[1:]}
    # Yesterday (the card's day): one Senior cats post seen by all 4 members, one comment and one paw.
    assert (by_label["Impressions"][1], by_label["Impressions"][5]) == ("0", "4")
    assert by_label["Engagement rate"][5] == "0.5"  # CSV cells are numbers: 0.5, not "50.0%"
    assert by_label["Active members"][5] == "2"
    assert download.value.suggested_filename.endswith(".csv")
