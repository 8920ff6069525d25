"""Journey 2: two members in two browsers; a post and reactions reach the other one without a reload."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Reaction
from communities.services.posts import post_create
from microgroups.services.pods import pod_create
from tests.browser.conftest import check_page, off_loop, open_composer, wait_for_streams
from tests.factories import UserFactory, join

pytestmark = [pytest.mark.browser]


def _pod():
    ana, ben = UserFactory(username="ana", display_name="Ana"), UserFactory(username="ben", display_name="Ben")
    pod = pod_create(actor=ana, name="Senior dogs", charter="Slow walks, kind words.")
    join(ben, pod)
    return ana, ben, pod


def test_a_post_and_reactions_reach_the_other_member_live(new_page):
    ana, ben, pod = off_loop(_pod)
    writer, reader = new_page(ana), new_page(ben)
    for page in (writer, reader):
        page.goto(f"/pods/{pod.slug}/")
        wait_for_streams(page)
        check_page(page)
    # A marker on the reader's window: a reload would wipe it.
    reader.evaluate("window.__sameDocument = true")
    expect(reader.get_by_role("region", name="Posts")).to_contain_text("Nothing here yet")

    open_composer(writer)
    writer.get_by_label("Your post").fill("Biscuit managed the whole park loop today!")
    writer.get_by_role("button", name="Post", exact=True).click()
    card = reader.locator("article.post-card", has_text="Biscuit managed the whole park loop")
    expect(card).to_be_visible()
    expect(card).to_have_class(re.compile("live-new"))
    expect(reader.get_by_role("region", name="Posts")).not_to_contain_text("Nothing here yet")
    assert reader.evaluate("window.__sameDocument") is True
    check_page(reader)

    # Ben reacts (htmx, in place); Ana's count moves without a reload and her own button stays unpressed.
    writer.evaluate("window.__sameDocument = true")
    card.get_by_role("button", name=re.compile("^Paw")).click()
    expect(card.get_by_role("button", name=re.compile("^Paw"))).to_have_attribute("aria-pressed", "true")
    paw = writer.locator("article.post-card").first.get_by_role("button", name=re.compile("^Paw"))
    expect(paw).to_have_accessible_name(re.compile("Paw 1$"))
    expect(paw).to_have_attribute("aria-pressed", "false")
    # And back: Ana's heart reaches Ben.
    writer.locator("article.post-card").first.get_by_role("button", name=re.compile("^Heart")).click()
    expect(card.get_by_role("button", name=re.compile("^Heart"))).to_have_accessible_name(re.compile("Heart 1$"))
    expect(card.get_by_role("button", name=re.compile("^Paw"))).to_have_attribute("aria-pressed", "true")
    assert writer.evaluate("window.__sameDocument") is True
    assert reader.evaluate("window.__sameDocument") is True
    check_page(writer)
    check_page(reader)
    assert sorted(Reaction.objects.values_list("member__username", "kind")) == [("ana", "heart"), ("ben", "paw")]


def test_a_comment_and_a_reaction_reach_the_other_member_on_the_post_page_live(new_page):
    """The post page listens to its pod's feed for that post alone: Ben's comment and his paw reach Ana
    without a reload; a post elsewhere in the pod adds nothing to her page."""
    ana, ben, pod = off_loop(_pod)
    post = off_loop(lambda: post_create(actor=ana, pod=pod, body="Who else walks at dawn?"))
    writer, reader = new_page(ben), new_page(ana)
    for page in (writer, reader):
        page.goto(f"/posts/{post.pk}/")
        wait_for_streams(page)
    reader.evaluate("window.__sameDocument = true")
    expect(reader.locator(f"#post-{post.pk}-comments")).to_contain_text("No comments yet")

    writer.get_by_label("Your comment").fill("Every day at six, with Biscuit.")
    writer.get_by_role("button", name="Comment", exact=True).click()
    comments = reader.locator(f"#post-{post.pk}-comments")
    expect(comments).to_contain_text("Every day at six, with Biscuit.")
    expect(reader.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(comments).not_to_contain_text("No comments yet")
    off_loop(lambda: post_create(actor=ben, pod=pod, body="A separate thread about harnesses"))
    writer.goto(f"/posts/{post.pk}/")
    writer.locator(f"#post-{post.pk}").get_by_role("button", name=re.compile("^Paw")).click()
    expect(reader.locator(f"#post-{post.pk}").get_by_role("button", name=re.compile("^Paw"))).to_have_accessible_name(
        re.compile("Paw 1$"))
    expect(reader.locator("article.post-card")).to_have_count(1)
    assert reader.evaluate("window.__sameDocument") is True
    check_page(reader)
