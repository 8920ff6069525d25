"""Journey 3: a member asks to join a request-only pod; the steward approves; the member reads the feed."""

import re

import pytest
from playwright.sync_api import expect

from communities.services.posts import post_create
from microgroups.models import JoinRequest, Membership
from microgroups.services.pods import pod_create
from tests.browser.conftest import check_page, off_loop, open_composer, open_menu
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser]


def _pod():
    sam = UserFactory(username="sam", display_name="Sam")
    cleo = UserFactory(username="cleo", display_name="Cleo")
    pod = pod_create(actor=sam, name="Reactive dogs in Leeds", charter="No judgement, only tips.",
                     privacy="request", question="What is your dog reacting to?")
    post_create(actor=sam, pod=pod, body="Quiet walking routes thread: add yours.")
    return sam, cleo, pod


def test_member_asks_to_join_and_the_steward_approves_from_settings(new_page):
    sam, cleo, pod = off_loop(_pod)
    member = new_page(cleo)
    member.goto("/pods/")
    check_page(member)
    member.get_by_role("link", name="Reactive dogs in Leeds").click()
    main = member.get_by_role("main")
    expect(main).to_contain_text("This pod's posts are for its members.")
    expect(main).not_to_contain_text("Quiet walking routes")
    check_page(member)

    member.get_by_role("link", name="Ask to join").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Ask to join Reactive dogs in Leeds")
    check_page(member)
    member.get_by_label("What is your dog reacting to?").fill("Bikes, mostly. And other dogs on leads.")
    member.get_by_label("I have read the charter and agree to it").check()
    member.get_by_role("button", name="Send my request").click()
    expect(member.get_by_role("status")).to_contain_text("is with its stewards")
    expect(member.get_by_role("main")).to_contain_text("Your request is with the stewards.")
    check_page(member)

    steward = new_page(sam)
    steward.goto(f"/pods/{pod.slug}/")
    steward.get_by_role("link", name="Pod settings").click()
    expect(steward.get_by_role("heading", level=1)).to_have_text("Reactive dogs in Leeds: settings")
    check_page(steward)
    steward.get_by_role("navigation", name="Settings sections").get_by_role("link", name=re.compile("Requests")).click()
    request_card = steward.get_by_role("article", name="Cleo")
    expect(request_card).to_contain_text("Bikes, mostly.")
    check_page(steward)
    request_card.get_by_role("button", name=re.compile("Approve")).click()
    expect(steward.get_by_role("status")).to_contain_text("Cleo: approved.")
    expect(steward.get_by_role("main")).to_contain_text("No requests waiting")
    check_page(steward)

    open_menu(member)
    member.get_by_role("link", name="Pods", exact=True).click()
    member.get_by_role("complementary").get_by_role("link", name="Reactive dogs in Leeds").click()
    expect(member.get_by_role("region", name="Posts")).to_contain_text("Quiet walking routes thread")
    open_composer(member)
    expect(member.get_by_label("Your post")).to_be_visible()
    check_page(member)
    assert Membership.objects.get(pod=pod, member=cleo).status == "active"
    assert JoinRequest.objects.get(pod=pod, member=cleo).answer == "Bikes, mostly. And other dogs on leads."
