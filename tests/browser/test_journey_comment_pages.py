"""A busy post's comments come a page at a time: "Show more comments" appends the next page in place
(a plain link without JavaScript), a long thread's "Show all replies" opens it in place, and a link to a
comment on a later page lands on it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.selectors import COMMENTS_PAGE_SIZE, REPLIES_SHOWN
from communities.services.posts import post_create
from tests.browser.conftest import assert_no_horizontal_scroll, check_page, off_loop
from tests.factories import CommentFactory, UserFactory

pytestmark = [pytest.mark.browser]


def _busy_post():
    ana, ben = UserFactory(username="ana", display_name="Ana"), UserFactory(username="ben", display_name="Ben")
    post = post_create(actor=ana, body="Show us your cat's favourite box")
    start = timezone.now() - timedelta(days=1)
    comments = [CommentFactory(post=post, author=ben, body=f"Box number {i}", created_at=start + timedelta(minutes=i))
                for i in range(COMMENTS_PAGE_SIZE + 3)]
    thread = comments[0]
    for i in range(REPLIES_SHOWN + 2):
        CommentFactory(post=post, parent=thread, author=ana, body=f"Reply {i}",
                       created_at=thread.created_at + timedelta(seconds=i + 1))
    return ana, post, comments


def test_more_comments_and_replies_open_in_place(new_page):
    ana, post, comments = off_loop(_busy_post)
    page = new_page(ana)
    page.goto(f"/posts/{post.pk}/")
    check_page(page)
    page.evaluate("window.__sameDocument = true")
    tops = page.locator(f"#post-{post.pk}-comments > li.comment")
    expect(tops).to_have_count(COMMENTS_PAGE_SIZE)

    page.get_by_role("link", name="Show more comments (3 more)").click()
    expect(tops).to_have_count(COMMENTS_PAGE_SIZE + 3)
    expect(tops.last).to_contain_text(f"Box number {COMMENTS_PAGE_SIZE + 2}")
    expect(page.get_by_role("link", name=re.compile("^Show more comments"))).to_have_count(0)

    thread = page.locator(f"#comment-{comments[0].pk}")
    expect(thread.locator("ul.comments > li.comment")).to_have_count(REPLIES_SHOWN)
    thread.get_by_role("link", name="Show all replies (2 more)").click()
    thread = page.locator(f"#comment-{comments[0].pk}")
    expect(thread.locator("ul.comments > li.comment")).to_have_count(REPLIES_SHOWN + 2)
    expect(tops).to_have_count(COMMENTS_PAGE_SIZE + 3)  # the rest of the page stays as it was
    assert page.evaluate("window.__sameDocument") is True
    check_page(page)


def test_without_javascript_the_links_open_the_pages_that_hold_the_comments(new_page):
    ana, post, comments = off_loop(_busy_post)
    page = new_page(ana, javascript=False)
    page.goto(f"/posts/{post.pk}/")
    page.get_by_role("link", name="Show more comments (3 more)").click()
    expect(page.get_by_text(f"Box number {COMMENTS_PAGE_SIZE + 2}")).to_be_visible()
    expect(page.get_by_text("Show us your cat's favourite box")).to_be_visible()
    page.get_by_role("link", name="Show earlier comments").click()
    expect(page.locator(f"#post-{post.pk}-comments > li.comment")).to_have_count(COMMENTS_PAGE_SIZE)

    late = comments[COMMENTS_PAGE_SIZE + 1]
    page.goto(late.get_absolute_url())
    expect(page.locator(f"#comment-{late.pk}")).to_contain_text(f"Box number {COMMENTS_PAGE_SIZE + 1}")
    assert_no_horizontal_scroll(page)


def test_an_old_comment_link_without_the_page_finds_the_comment(new_page):
    """Links sent before comments came a page at a time ("/posts/1/#comment-9") still land on the comment."""
    ana, post, comments = off_loop(_busy_post)
    late = comments[COMMENTS_PAGE_SIZE + 2]
    page = new_page(ana)
    page.goto(f"/posts/{post.pk}/#comment-{late.pk}")
    expect(page).to_have_url(re.compile(rf"\?comment={late.pk}#comment-{late.pk}$"))
    expect(page.locator(f"#comment-{late.pk}")).to_be_visible()
