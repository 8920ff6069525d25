"""Progressive enhancement: with JavaScript off, a member still posts, reacts, comments and joins a pod."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Comment, Post, Reaction
from microgroups.models import Membership
from microgroups.services.pods import pod_create
from tests.browser.conftest import assert_no_horizontal_scroll, off_loop, open_composer
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser]

# axe-core can't run in a page with JavaScript off (its queue waits on timers that never fire); the same
# templates are checked by the journeys with JavaScript on. Here: the layout, and that everything works.


def test_post_react_comment_and_join_without_javascript(new_page):
    nell = UserFactory(username="nell", display_name="Nell")
    pod = off_loop(lambda: pod_create(actor=UserFactory(username="ray"), name="Rabbit runs", charter="Hay first."))
    page = new_page(nell, javascript=False)
    page.goto("/")
    assert page.evaluate("() => document.documentElement.dataset.streams") is None  # app.js never ran
    open_composer(page)  # a <details>: opens without JavaScript
    page.get_by_label("Your post").fill("No scripts here, just **bunnies**.")
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("article.post-card", has_text="No scripts here, just bunnies.")
    expect(card).to_be_visible()
    assert_no_horizontal_scroll(page)

    # Reacting is a plain form: the page comes back with the count and the pressed state.
    card.get_by_role("button", name=re.compile("^Paw")).click()
    card = page.locator("article.post-card", has_text="No scripts here")
    expect(card.get_by_role("button", name=re.compile("^Paw"))).to_have_accessible_name(re.compile("Paw 1$"))
    expect(card.get_by_role("button", name=re.compile("^Paw"))).to_have_attribute("aria-pressed", "true")

    card.get_by_role("link", name="0 comments").click()
    page.get_by_label("Your comment").fill("Replying without JavaScript.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.get_by_role("region", name=re.compile("Comments"))).to_contain_text("Replying without JavaScript.")
    assert_no_horizontal_scroll(page)

    page.goto(f"/pods/{pod.slug}/join/")
    page.get_by_label("I have read the charter and agree to it").check()
    page.get_by_role("button", name="Join Rabbit runs").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Rabbit runs!")
    assert_no_horizontal_scroll(page)

    post = Post.objects.get(author=nell)
    assert list(Reaction.objects.filter(post=post).values_list("member__username", "kind")) == [("nell", "paw")]
    assert list(Comment.objects.filter(post=post).values_list("body", flat=True)) == ["Replying without JavaScript."]
    assert Membership.objects.filter(pod=pod, member=nell, status="active").count() == 1
