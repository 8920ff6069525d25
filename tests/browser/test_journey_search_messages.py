"""Journeys: search finds a post and never a private one; two regulars message live, then one blocks."""

import pytest
from playwright.sync_api import expect

from communities.services.posts import post_create
from microgroups.models import Pod
from tests.browser.conftest import check_page, off_loop, wait_for_streams
from tests.factories import PodFactory, UserFactory, join

pytestmark = [pytest.mark.browser]


def _search_world():
    ana, ben, cleo = (UserFactory(username=n, display_name=n.title()) for n in ("ana", "ben", "cleo"))
    post_create(actor=ana, body="Biscuit loves hydrotherapy on Tuesdays")
    private = PodFactory(name="Quiet pod", privacy=Pod.Privacy.REQUEST)
    join(cleo, private)
    post_create(actor=cleo, pod=private, body="Our secret hydrotherapy pool list")
    return ben


def test_search_finds_a_post_and_not_a_private_one(new_page):
    ben = off_loop(_search_world)
    page = new_page(ben)
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search").first
    box.fill("hydrotherapy")
    box.press("Enter")
    expect(page).to_have_url("/search/?q=hydrotherapy")
    results = page.get_by_role("region", name="1 post for “hydrotherapy”")
    expect(results).to_contain_text("Biscuit loves hydrotherapy")
    expect(results.locator("mark").first).to_have_text("hydrotherapy")
    expect(page.locator("main")).not_to_contain_text("secret")
    check_page(page)


def _regulars():
    ana, ben = UserFactory(username="ana", display_name="Ana"), UserFactory(username="ben", display_name="Ben")
    pod = PodFactory(name="Senior dogs")
    join(ana, pod, rung="regular")
    join(ben, pod, rung="regular")
    return ana, ben


@pytest.mark.timeout(600)
def test_two_regulars_message_live_then_one_blocks_the_other(new_page):
    ana, ben = off_loop(_regulars)
    writer, reader = new_page(ana), new_page(ben)
    writer.goto("/members/ben/")
    writer.get_by_role("link", name="Message", exact=True).click()
    writer.get_by_label("Message", exact=True).fill("Fancy a slow walk on Saturday?")
    writer.get_by_role("button", name="Send").click()
    expect(writer.locator(".message-list")).to_contain_text("Fancy a slow walk on Saturday?")
    check_page(writer)

    reader.goto("/messages/")
    expect(reader.locator("main")).to_contain_text("Fancy a slow walk")
    reader.get_by_role("link", name="Ana", exact=True).click()
    wait_for_streams(reader)
    wait_for_streams(writer)
    reader.evaluate("window.__sameDocument = true")
    writer.get_by_label("Reply").fill("The river path at ten?")
    writer.get_by_role("button", name="Send").click()
    expect(reader.locator(".message-list")).to_contain_text("The river path at ten?")
    assert reader.evaluate("window.__sameDocument") is True
    check_page(reader)

    reader.goto("/members/ana/")
    reader.get_by_role("button", name="Block").click()
    expect(reader.locator(".messages")).to_contain_text("You blocked Ana")
    writer.get_by_label("Reply").fill("Hello?")
    writer.get_by_role("button", name="Send").click()
    expect(writer.locator("main")).to_contain_text("Ben isn't taking messages right now.")
