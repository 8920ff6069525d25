"""The README's dashboard tour: /metrics/ on the default demo, one screenshot per chart it explains.

Run with UPDATE_TOUR_SCREENSHOTS=1 to refresh the committed PNGs under docs/dashboard/; otherwise the
shots go to test-artifacts/ like every journey's, and the test checks the tour's charts are drawn.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from communities.models import User
from tests.browser.conftest import ARTIFACTS, off_loop

pytestmark = [pytest.mark.browser]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "dashboard"
# (file name, the element to photograph): the README has a paragraph for each.
SHOTS = [
    ("cards", "#card-participation"),
    ("reach", "figure[aria-labelledby='chart-unique_reach-title']"),
    ("engagement", "figure[aria-labelledby='chart-engagement_rate-title']"),
    ("pods", "figure[aria-labelledby='chart-pods-title']"),
    ("pod-effect", "figure[aria-labelledby='chart-pod-effect-title']"),
    ("sentiment-map", "section[data-table='sentiment_map']"),
]


@pytest.fixture
def viewport():
    return "desktop"  # screenshots for the README: one size is enough


@pytest.mark.timeout(900)  # the default demo takes a while to seed on a busy machine
def test_dashboard_tour_on_the_default_demo(new_page):
    off_loop(call_command, "seed_demo")
    page = new_page(User.objects.get(username="manager"))
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto("/metrics/?period=week")
    expect(page.get_by_role("navigation", name="On this page")).to_be_visible()
    out = DOCS if os.environ.get("UPDATE_TOUR_SCREENSHOTS") else ARTIFACTS / "tour"
    out.mkdir(parents=True, exist_ok=True)
    for name, selector in SHOTS:
        element = page.locator(selector).first
        if name == "cards":
            element = element.locator("xpath=ancestor::div[contains(@class, 'metrics-cards')]")
        expect(element).to_be_visible()
        if element.locator("canvas[data-chart]").count():  # charts are drawn as their section scrolls into view
            element.scroll_into_view_if_needed()
            element.locator("canvas[data-chart]").first.wait_for(state="visible")
        element.screenshot(path=str(out / f"{name}.png"), animations="disabled", scale="css")
        assert (out / f"{name}.png").stat().st_size < 400_000
