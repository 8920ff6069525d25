"""Journey 8: a member edits their comment inline (the text changes in place, marked "edited", the history
keeps the old text), then saves a post from the feed, finds it on /saved/ from the menu, and unsaves it;
without JavaScript the same save toggle is a plain form."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Comment, CommentRevision, SavedPost
from communities.services.comments import comment_create
from communities.services.posts import post_create
from tests.browser.conftest import check_page, off_loop, open_menu
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser]


def _setup():
    ana = UserFactory(username="ana", display_name="Ana")
    cleo = UserFactory(username="cleo", display_name="Cleo")
    post = post_create(actor=ana, body="Which brush works for a long-haired cat?")
    post_create(actor=ana, body="Another post, not saved")
    comment = comment_create(actor=cleo, post=post, body="A slicker brush, every dya")
    return ana, cleo, post, comment


def test_editing_a_comment_inline_and_saving_a_post(new_page):
    ana, cleo, post, comment = off_loop(_setup)
    page = new_page(cleo)
    page.goto(f"/posts/{post.pk}/")
    check_page(page)
    page.evaluate("window.__sameDocument = true")

    # Edit inline: open the disclosure, fix the typo, save. The text changes in place, "edited" appears.
    shown = page.locator(f"#comment-{comment.pk}")
    shown.locator("summary", has_text="Edit").click()
    box = shown.get_by_label("Edit this comment")
    expect(box).to_have_value("A slicker brush, every dya")
    box.fill("A slicker brush, every **day**")
    shown.get_by_role("button", name="Save changes").click()
    body = shown.locator(".comment-body")
    expect(body).to_contain_text("A slicker brush, every day")
    expect(body.locator("strong")).to_have_text("day")
    expect(shown.locator(".comment-edited")).to_have_text("edited")
    expect(shown.locator("details.comment-edit")).not_to_have_attribute("open", re.compile(".*"))
    assert page.evaluate("window.__sameDocument") is True  # htmx, no reload
    check_page(page)

    # The history (the author's page): the current text and the one it replaced.
    page.reload()
    shown.get_by_role("link", name=re.compile("^Edit history")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit comment")
    history = page.get_by_role("region", name="Edit history")
    expect(history).to_contain_text("A slicker brush, every day")
    expect(history).to_contain_text("A slicker brush, every dya")
    check_page(page)
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["A slicker brush, every dya"]
    assert Comment.objects.get(pk=comment.pk).body == "A slicker brush, every **day**"

    # Another reader sees the new text and the marker.
    reader = new_page(ana)
    reader.goto(f"/posts/{post.pk}/")
    expect(reader.locator(f"#comment-{comment.pk} .comment-body")).to_contain_text("every day")
    expect(reader.locator(f"#comment-{comment.pk} .comment-edited")).to_be_visible()
    expect(reader.locator(f"#comment-{comment.pk} details.comment-edit")).to_have_count(0)

    # Save a post from the feed: the toggle flips in place.
    page.goto("/?sort=new")
    page.evaluate("window.__sameDocument = true")
    card = page.locator("article.post-card", has_text="long-haired cat")
    toggle = card.get_by_role("button", name=re.compile("^Save"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    toggle = card.get_by_role("button", name=re.compile("^Saved"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__sameDocument") is True
    check_page(page)

    # Find it from the member menu; only the saved post is there.
    open_menu(page)
    page.get_by_role("link", name="Saved", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved posts")
    expect(page.locator("#saved-count")).to_have_text("1 saved post")
    saved = page.locator("#saved-posts article.post-card")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("long-haired cat")
    check_page(page)

    # Unsave from the list; after a reload the list is empty and says how to save.
    saved.get_by_role("button", name=re.compile("^Saved")).click()
    expect(saved.get_by_role("button", name=re.compile("^Save"))).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Nothing saved yet")
    check_page(page)
    assert not SavedPost.objects.exists()


def test_saving_without_javascript_comes_back_to_the_page(new_page):
    ana, cleo, post, comment = off_loop(_setup)
    page = new_page(cleo, javascript=False)
    page.goto(f"/posts/{post.pk}/")
    page.get_by_role("button", name=re.compile("^Save post")).click()
    expect(page).to_have_url(re.compile(f"/posts/{post.pk}/$"))
    expect(page.get_by_role("button", name=re.compile("^Saved post"))).to_have_attribute("aria-pressed", "true")
    # The edit form is a disclosure too: it opens and posts without JavaScript.
    page.locator(f"#comment-{comment.pk} summary", has_text="Edit").click()
    page.get_by_label("Edit this comment").fill("Every day, gently")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(f"#comment-{comment.pk} .comment-body")).to_contain_text("Every day, gently")
    assert SavedPost.objects.filter(member=cleo, post=post).exists()
