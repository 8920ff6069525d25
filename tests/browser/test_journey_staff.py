"""Journey: a manager appoints a moderator on the Team page; the held post reaches them live; they remove it
from the row with a reusable reason; the author reads the reason and appeals; the pod's public transparency
page counts the removal for an anonymous visitor."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Post
from communities.services.posts import post_create
from microgroups.services.pods import pod_create
from moderation.models import ModerationLogEntry, ModeratorAssignment, QueueItem
from moderation.scopes import scope_for_pod
from moderation.services.reasons import removal_reason_create
from moderation.services.rules import rule_create
from tests.browser.conftest import check_page, make_manager, off_loop, wait_for_streams
from tests.factories import UserFactory, join

pytestmark = [pytest.mark.browser]


def _setup():
    boss = make_manager()
    sue = UserFactory(username="sue", display_name="Sue")
    abe, max_ = UserFactory(username="abe", display_name="Abe"), UserFactory(username="max", display_name="Max")
    pod = pod_create(actor=sue, name="Dog agility", charter="Be kind.")
    join(abe, pod)
    scope = scope_for_pod(pod)
    rule_create(actor=boss, scope=scope, kind="watched_word", title="No selling animals",
                settings={"match": "phrase", "pattern": "for sale", "action": "hold"})
    removal_reason_create(actor=boss, scope=scope, title="Selling", text="No selling animals here.")
    return boss, abe, max_, pod


def test_a_new_moderator_removes_a_held_post_the_author_appeals_and_the_public_page_counts_it(new_page):
    boss, abe, max_, pod = off_loop(_setup)

    manager = new_page(boss)
    manager.goto("/moderation/team/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Team")
    check_page(manager)
    manager.get_by_label("Member (username)").fill("max")
    # A manager's select lists the Commons and regions; any pod is typed by its slug (a datalist suggests).
    manager.get_by_label("Or another pod (its slug)").fill(pod.slug)
    manager.get_by_label("Reason", exact=True).fill("Runs the local agility club.")
    manager.get_by_role("button", name="Assign").click()
    expect(manager.get_by_role("main")).to_contain_text("Max")
    check_page(manager)
    assert ModeratorAssignment.objects.filter(member=max_, pod=pod).count() == 1
    assert ModerationLogEntry.objects.filter(action="assign", actor=boss, pod=pod).count() == 1

    moderator = new_page(max_)
    moderator.goto("/moderation/queue/")
    expect(moderator.get_by_role("main")).to_contain_text("Nothing waiting")
    wait_for_streams(moderator)

    # The watched word holds the post; the item reaches the new moderator's open queue without a reload.
    post = off_loop(post_create, actor=abe, pod=pod, body="Collie puppies for sale, DM me")
    assert Post.objects.get(pk=post.pk).status == "held"
    item = QueueItem.objects.get(post=post)
    row = moderator.locator(f"#queue-item-{item.pk}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Abe")
    check_page(moderator)
    row.get_by_label("Removal reason").select_option(label="Selling")
    row.get_by_role("button", name=re.compile("^Remove")).click()
    expect(moderator.locator(f"#queue-item-{item.pk}")).to_have_count(0)
    expect(moderator.locator("#desk-status")).to_contain_text(f"Removed: item #{item.pk}.")
    assert Post.objects.get(pk=post.pk).status == "removed"

    # The author sees the reason on the post and appeals it.
    author = new_page(abe)
    author.goto(f"/posts/{post.pk}/")
    expect(author.get_by_role("main")).to_contain_text("A moderator removed your post.")
    expect(author.get_by_role("main")).to_contain_text("No selling animals here.")
    check_page(author)
    author.get_by_role("link", name="Appeal the removal").click()
    expect(author.get_by_role("heading", level=1)).to_have_text("Appeal the removal of your post")
    author.get_by_label("Why should the removal be reversed?").fill("They were rehomed for free, not sold.")
    author.get_by_role("button", name="Send appeal").click()
    expect(author.get_by_role("main")).not_to_contain_text("Send appeal")
    check_page(author)
    assert QueueItem.objects.filter(kind="appeal", post=post).count() == 1

    # An anonymous visitor of the open pod reads the count on its public moderation page, never the post.
    visitor = new_page()
    visitor.goto(f"/pods/{pod.slug}/moderation/")
    removed = visitor.locator(".stat-card", has_text="Removed by moderators")
    expect(removed.locator(".stat-value")).to_have_text("1")
    expect(visitor.get_by_role("main")).not_to_contain_text("Collie puppies")
    check_page(visitor)
