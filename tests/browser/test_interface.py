"""Interface details the journeys rely on: favicon, times in the member's zone, confirmations."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from microgroups.models import Membership
from microgroups.services.pods import pod_create
from tests.browser.conftest import check_page, off_loop
from tests.factories import PostFactory, UserFactory, join

pytestmark = [pytest.mark.browser]


def test_favicon_and_title_are_served(new_page):
    page = new_page()
    page.goto("/pods/")
    expect(page).to_have_title("Pods · PetCommunity")
    href = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")


def test_times_show_in_the_members_time_zone_with_and_without_javascript(new_page):
    kay = UserFactory(username="kay", time_zone="Asia/Tokyo")
    day = (timezone.now() - timedelta(days=3)).date()
    when = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC)  # 08:30 the next day in Tokyo
    PostFactory(author=kay, body="Late-night zoomies", created_at=when)
    tokyo = (when + timedelta(hours=9)).date()

    plain = new_page(kay, javascript=False)
    plain.goto("/")
    stamp = plain.locator("article.post-card time")
    expect(stamp).to_have_text(f"{tokyo.day} {tokyo:%b %Y}, 08:30")  # the server's rendering, in Tokyo time
    scripted = new_page(kay, timezone_id="Asia/Tokyo")
    scripted.goto("/")
    stamp = scripted.locator("article.post-card time")
    expect(stamp).to_have_text(re.compile(r"08:30$"))  # app.js: the browser's medium date and time
    expect(stamp).to_have_attribute("title", re.compile(r"08:30:00 (GMT\+9|JST)"))
    check_page(scripted)


def test_leaving_a_pod_asks_first(new_page):
    lou = UserFactory(username="lou", display_name="Lou")
    pod = off_loop(lambda: pod_create(actor=UserFactory(username="amy"), name="Ferret friends", charter="Be nice."))
    join(lou, pod)
    page = new_page(lou)
    page.goto(f"/pods/{pod.slug}/")
    answers = iter([False, True])
    messages = []
    page.on("dialog", lambda d: (messages.append(d.message), d.accept() if next(answers) else d.dismiss()))
    page.get_by_role("button", name="Leave this pod").click()  # dismissed: nothing happens
    expect(page.get_by_role("button", name="Leave this pod")).to_be_visible()
    assert Membership.objects.get(pod=pod, member=lou).status == "active"
    page.get_by_role("button", name="Leave this pod").click()  # accepted
    expect(page.get_by_role("status")).to_contain_text("You left Ferret friends.")
    check_page(page)
    assert messages == ["Leave Ferret friends? Your posts stay; to read and post here again you would have to "
                        "join again."] * 2
    assert Membership.objects.get(pod=pod, member=lou).status != "active"
