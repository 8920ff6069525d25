"""Journey 4: a report reaches a pod moderator live; the removal reaches the author and the open feed."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Post
from communities.services.posts import post_create
from microgroups.services.pods import pod_create
from moderation.models import ModerationLogEntry, QueueItem
from moderation.scopes import scope_for_pod
from moderation.services.assignments import moderator_assign
from moderation.services.queue import queue_item_open
from moderation.services.reasons import removal_reason_create
from tests.browser.conftest import check_page, make_manager, off_loop, wait_for_streams
from tests.factories import UserFactory, join

pytestmark = [pytest.mark.browser]


def _setup():
    sue = UserFactory(username="sue", display_name="Sue")
    abe, rae = UserFactory(username="abe", display_name="Abe"), UserFactory(username="rae", display_name="Rae")
    max_ = UserFactory(username="max", display_name="Max")
    pod = pod_create(actor=sue, name="Cat nutrition", charter="Evidence first.")
    join(abe, pod)
    join(rae, pod)
    moderator_assign(actor=make_manager(), member=max_, scope=scope_for_pod(pod))
    post = post_create(actor=abe, pod=pod, body="Miracle kibble cures everything, DM me to buy.")
    post_create(actor=rae, pod=pod, body="Wet food twice a day works for us.")
    return abe, rae, max_, pod, post


def test_report_reaches_the_moderator_live_and_the_removal_reaches_author_and_feed(new_page):
    abe, rae, max_, pod, post = off_loop(_setup)
    moderator = new_page(max_)
    moderator.goto("/moderation/queue/")
    expect(moderator.get_by_role("main")).to_contain_text("Nothing waiting in your scopes")
    wait_for_streams(moderator)
    check_page(moderator)

    author = new_page(abe)
    author.goto("/")
    wait_for_streams(author)

    reader = new_page(rae)
    reader.goto(f"/pods/{pod.slug}/")
    card = reader.locator(f"#post-{post.pk}")
    card.get_by_role("link", name="Report this post").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Report a post by Abe")
    check_page(reader)
    reader.get_by_label("Spam").check()
    reader.get_by_label("Anything the moderators should know").fill("Selling a miracle cure.")
    reader.get_by_role("button", name="Send report").click()
    expect(reader).to_have_url(re.compile(f"/pods/{pod.slug}/"))
    expect(reader.get_by_role("status")).to_contain_text("The moderators will take a look.")
    wait_for_streams(reader)
    check_page(reader)
    reader.evaluate("window.__sameDocument = true")

    # The item arrives on the moderator's open queue without a reload.
    item = moderator.locator("#queue-items > li.card")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Post by Abe in Cat nutrition")
    expect(moderator.get_by_role("main")).not_to_contain_text("Nothing waiting")
    check_page(moderator)
    item.get_by_role("link", name=re.compile("Post by Abe")).click()
    expect(moderator.get_by_role("heading", level=1)).to_contain_text("Reported")
    check_page(moderator)
    expect(moderator.get_by_role("main")).to_contain_text("Selling a miracle cure.")
    moderator.get_by_role("button", name="Claim it").click()
    expect(moderator.get_by_role("main")).to_contain_text("You are handling this item.")
    moderator.get_by_label("Reason (the author sees it)").fill("Selling things is not allowed here.")
    # The confirm comes from the deferred app.js: text can be on screen before it runs.
    moderator.wait_for_load_state("load")
    dialogs = []
    moderator.once("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    moderator.get_by_role("button", name="Remove", exact=True).click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Moderation queue")
    expect(moderator.get_by_role("status")).to_contain_text("Done.")
    expect(moderator.get_by_role("main")).to_contain_text("Nothing waiting in your scopes")
    assert dialogs and dialogs[0].startswith("Remove this post?")
    check_page(moderator)

    # Gone from the other member's open feed, without a reload; the author hears of it live.
    expect(reader.locator(f"#post-{post.pk}")).to_have_count(0)
    expect(reader.get_by_role("region", name="Posts")).to_contain_text("Wet food twice a day")
    assert reader.evaluate("window.__sameDocument") is True
    badge = author.get_by_role("link", name=re.compile("^Notifications"))
    expect(badge).to_have_accessible_name("Notifications 1 unread")
    badge.click()
    expect(author.get_by_role("main")).to_contain_text(
        "A moderator removed your post: Selling things is not allowed here.")
    check_page(author)

    assert Post.objects.get(pk=post.pk).status == "removed"
    assert QueueItem.objects.get(post=post).resolution == "removed"
    assert ModerationLogEntry.objects.filter(post=post, action="remove", actor=max_).count() == 1


def _desk_setup():
    sue = UserFactory(username="sue", display_name="Sue")
    pod = pod_create(actor=sue, name="Dog agility", charter="Be kind.")
    abe, max_ = UserFactory(username="abe", display_name="Abe"), UserFactory(username="max", display_name="Max")
    join(abe, pod)
    moderator_assign(actor=make_manager(), member=max_, scope=scope_for_pod(pod))
    removal_reason_create(actor=max_, scope=scope_for_pod(pod), title="Selling", text="No selling animals here.")
    items = []
    for body in ("Puppies for sale, DM me", "Weekend course, first come first served"):
        post = post_create(actor=abe, pod=pod, body=body)
        Post.objects.filter(pk=post.pk).update(status="held")
        items.append(queue_item_open(kind="held", scope=scope_for_pod(pod), subject=abe, post=post)[0])
    return sue, max_, items


def test_the_desk_decides_from_the_row_and_the_other_moderators_list_follows_live(new_page):
    sue, max_, items = off_loop(_desk_setup)
    steward = new_page(sue)
    steward.goto("/moderation/queue/")
    wait_for_streams(steward)
    expect(steward.locator("[data-queue-total]")).to_have_text("2")
    moderator = new_page(max_)
    moderator.goto("/moderation/queue/")
    wait_for_streams(moderator)
    check_page(moderator)
    row = moderator.locator(f"#queue-item-{items[0].pk}")
    expect(row).to_contain_text("0 removals")
    row.get_by_label("Removal reason").select_option(label="Selling")
    row.get_by_role("button", name=re.compile("^Remove")).click()
    expect(moderator.locator(f"#queue-item-{items[0].pk}")).to_have_count(0)
    expect(moderator.locator("#desk-status")).to_contain_text(f"Removed: item #{items[0].pk}.")
    expect(moderator.locator("[data-queue-total]")).to_have_text("1")

    # The steward's open list drops the row without a reload; the badge and the total follow it.
    expect(steward.locator(f"#queue-item-{items[0].pk}")).to_have_count(0)
    expect(steward.locator("[data-queue-total]")).to_have_text("1")
    expect(steward.locator("[data-queue-count]").first).to_have_text("1")
    expect(steward.locator(f"#queue-item-{items[1].pk}")).to_be_visible()
    assert Post.objects.get(pk=items[0].post_id).removal_reason == "No selling animals here."
