"""Journey: the unlisted-pod waitlist offer accepted. An email-bound invite to a full unlisted pod puts the
invitee on its waitlist; they land on where they stand (never a 404), hear that a place opened, follow the
notification to the offer and take the place."""

import re

import pytest
from playwright.sync_api import expect

from microgroups.models import Membership, WaitlistEntry
from microgroups.services.invites import invite_create
from microgroups.services.membership import pod_leave
from microgroups.services.pods import pod_create
from tests.browser.conftest import check_page, off_loop
from tests.factories import UserFactory, join

pytestmark = [pytest.mark.browser]


def _setup():
    stella = UserFactory(username="stella", display_name="Stella")
    wes = UserFactory(username="wes", display_name="Wes")
    nina = UserFactory(username="nina", display_name="Nina", email="nina@example.com")
    pod = pod_create(actor=stella, name="Quiet garden", charter="What is said here stays here.",
                     description="Grieving a pet, together.", privacy="invite", is_unlisted=True, member_cap=3)
    join(wes, pod)
    join(UserFactory(username="olga", display_name="Olga"), pod)  # full: 3 of 3
    invite = invite_create(actor=stella, pod=pod, email="nina@example.com", max_uses=1)
    return wes, nina, pod, invite


def test_the_unlisted_pod_waitlist_offer_accepted(new_page):
    wes, nina, pod, invite = off_loop(_setup)
    page = new_page(nina)

    page.goto(f"/pods/join/{invite.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're invited to Quiet garden")
    check_page(page)
    page.get_by_label("I have read the charter and agree to it").check()
    page.get_by_role("button", name="Join Quiet garden").click()

    # Full: on the waitlist, and the page says so (not the pod's 404).
    expect(page).to_have_url(re.compile(r"/pods/quiet-garden/standing/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiet garden: where you stand")
    expect(page.get_by_role("status")).to_contain_text("you're number 1 on the waitlist")
    expect(page.get_by_role("main")).to_contain_text("You're number 1 of 1 waiting. Quiet garden is full (3 members).")
    check_page(page)

    off_loop(pod_leave, actor=wes, pod=pod)  # a place opens: held for Nina for 3 days

    page.get_by_role("link", name=re.compile("^Notifications")).click()
    page.get_by_role("link", name="A place opened in Quiet garden: it's held for you for 3 days.").click()
    expect(page).to_have_url(re.compile(r"/pods/quiet-garden/standing/$"))
    offer = page.get_by_role("region", name="A place is held for you")
    expect(offer).to_contain_text(re.compile(r"It's held for you until \d+ \w+ \d{4}, \d\d:\d\d; after that"))
    expect(page.get_by_role("region", name=re.compile("The charter of Quiet garden"))).to_contain_text(
        "What is said here stays here.")
    check_page(page)

    page.get_by_label("I have read the charter and agree to it").check()
    page.get_by_role("button", name="Take your place").click()
    expect(page).to_have_url(re.compile(r"/pods/quiet-garden/$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome to Quiet garden!")
    expect(page.get_by_role("region", name="Membership")).to_contain_text("You're a member")
    check_page(page)

    assert Membership.objects.get(pod=pod, member=nina).status == "active"
    assert not WaitlistEntry.objects.filter(pod=pod).exists()
