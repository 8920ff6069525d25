"""Interface details the journeys rely on: favicon, times in the member's zone, confirmations."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from microgroups.models import Membership
from microgroups.services.pods import pod_create
from tests.browser.conftest import assert_no_horizontal_scroll, check_page, make_manager, off_loop
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


SCREEN = 844  # the phone's first screen (390 x 844)


def _top(page, selector):
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")


def _bottom(page, selector):
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")


@pytest.mark.parametrize("viewport", ["phone"])
def test_on_a_phone_the_main_action_and_the_first_post_are_in_the_first_screen(new_page):
    steward = UserFactory(username="sam", display_name="Sam")
    pod = off_loop(lambda: pod_create(
        actor=steward, name="Senior diabetic cats", charter="Be kind.",
        description="Insulin timing, vet visits and the small wins of living with an older diabetic cat."))
    asked = off_loop(lambda: pod_create(actor=steward, name="Reactive dogs", charter="Be kind.", privacy="request"))
    full = off_loop(lambda: pod_create(actor=steward, name="Tiny pod", charter="Be kind.", member_cap=3))
    join(UserFactory(), full)
    join(UserFactory(), full)
    for n in range(3):
        PostFactory(author=steward, pod=pod, body=f"Pod news {n}")
        PostFactory(author=steward, body=f"Commons news {n}")
    member = UserFactory(username="mia", display_name="Mia")
    join(member, pod)
    visitor = UserFactory(username="vic", display_name="Vic")
    manager = make_manager()

    for who in (None, member, manager):
        page = new_page(who)
        for url in ("/", f"/pods/{pod.slug}/"):
            page.goto(url)
            first_post = _top(page, "article.post-card")
            assert first_post < SCREEN - 80, f"first post starts at {first_post} px on {url} for {who}"
        check_page(page)

    cases = [(None, pod, "Log in to join"), (visitor, pod, "Join"), (visitor, asked, "Ask to join"),
             (visitor, full, "Join the waitlist"), (member, pod, "Leave this pod")]
    for who, where, name in cases:
        page = new_page(who)
        page.goto(f"/pods/{where.slug}/")
        control = page.get_by_role("main").get_by_role("link" if name != "Leave this pod" else "button",
                                                        name=name, exact=True)
        assert control.evaluate("e => e.getBoundingClientRect().bottom") <= SCREEN, f"{name} below the first screen"
    expect(page.locator(".join-box")).to_contain_text("Newcomer")  # the member's rung sits with the action


@pytest.mark.parametrize("viewport", ["phone"])
def test_no_page_scrolls_sideways_at_360_px(new_page):
    author = UserFactory(username="ned", display_name="Ned Longname-Withaveryveryverylongsurname")
    pod = off_loop(lambda: pod_create(actor=author, name="Budgies and other small birds of the world",
                                      charter="Be kind."))
    post = PostFactory(author=author, pod=None, body="A" * 300)
    page = new_page(author)
    page.set_viewport_size({"width": 360, "height": 780})
    for url in ("/", "/pods/", f"/pods/{pod.slug}/", f"/posts/{post.pk}/", "/members/", "/members/ned/",
                "/notifications/", "/settings/profile/"):
        page.goto(url)
        assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_phone_menu_opens_without_javascript(new_page):
    page = new_page(UserFactory(username="uma"), javascript=False)
    page.goto("/")
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav.get_by_role("link", name="Pods", exact=True)).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    main_nav.get_by_role("link", name="Pods", exact=True).click()
    expect(page).to_have_title("Pods · PetCommunity")
