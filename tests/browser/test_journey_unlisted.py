"""Journey 7: an unlisted invite-only pod doesn't exist for a non-member, on any page they can reach."""

import pytest
from playwright.sync_api import expect

from communities.services.posts import post_create
from microgroups.services.pods import pod_create
from tests.browser.conftest import check_page, off_loop, open_menu
from tests.factories import UserFactory, join

pytestmark = [pytest.mark.browser]

SECRET = "whisper from the quiet garden"


def _setup():
    vera = UserFactory(username="vera", display_name="Vera")
    wes = UserFactory(username="wes", display_name="Wes")
    olga = UserFactory(username="olga", display_name="Olga")
    pod = pod_create(actor=vera, name="Quiet garden", charter="What is said here stays here.",
                     description="Grieving a pet, together.", privacy="invite", is_unlisted=True)
    join(wes, pod)
    hidden = post_create(actor=wes, pod=pod, body=f"A {SECRET}.")
    post_create(actor=wes, body="Hello Commons from Wes")
    pod_create(actor=vera, name="Garden cats", charter="Be kind.", description="Cats in gardens.")
    return wes, olga, pod, hidden


def _not_found(page, path):
    response = page.goto(path)
    assert response.status == 404, path
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
    expect(page.get_by_role("main")).not_to_contain_text("Quiet garden")


def test_a_non_member_gets_404_and_finds_the_unlisted_pod_nowhere(new_page):
    wes, olga, pod, hidden = off_loop(_setup)
    # A member sees it (so the pages below would show it if they leaked it).
    member = new_page(wes)
    member.goto("/pods/")
    expect(member.get_by_role("complementary")).to_contain_text("Quiet garden")
    member.goto(f"/members/{wes.username}/")
    expect(member.get_by_role("main")).to_contain_text(SECRET)

    page = new_page(olga)
    _not_found(page, f"/pods/{pod.slug}/")
    check_page(page)
    for path in (f"/pods/{pod.slug}/join/", f"/pods/{pod.slug}/settings/", f"/posts/{hidden.pk}/"):
        _not_found(page, path)

    # Discovery, and its search: a neighbour with a similar name is found, the unlisted pod is not.
    page.goto("/pods/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Garden cats")
    expect(main).not_to_contain_text("Quiet garden")
    page.get_by_label("Search pods").fill("garden")
    page.get_by_role("button", name="Find pods").click()
    results = page.get_by_role("region", name="Matching pods")
    expect(results.get_by_role("article")).to_have_count(1)
    expect(results).to_contain_text("Garden cats")
    page.get_by_label("Search pods").fill("grieving")
    page.get_by_role("button", name="Find pods").click()
    expect(page.get_by_role("region", name="Matching pods")).to_contain_text("No pods match.")
    check_page(page)

    # The Commons feed and the members' profiles.
    open_menu(page)
    page.get_by_role("link", name="Commons").click()
    feed = page.get_by_role("main")
    expect(feed).to_contain_text("Hello Commons from Wes")
    expect(feed).not_to_contain_text(SECRET)
    check_page(page)
    page.get_by_role("link", name="Wes").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wes")
    expect(page.get_by_role("main")).to_contain_text("Hello Commons from Wes")
    expect(page.get_by_role("main")).not_to_contain_text(SECRET)
    expect(page.get_by_role("main")).not_to_contain_text("Quiet garden")
    check_page(page)
    page.goto("/members/vera/")
    expect(page.get_by_role("main")).not_to_contain_text("Quiet garden")
