"""Journey 5: a watched word stops a post with a clear message next to the text, and the text is kept."""

import pytest
from playwright.sync_api import expect

from communities.models import Post
from microgroups.services.pods import pod_create
from moderation.scopes import COMMONS
from moderation.services.rules import rule_create
from tests.browser.conftest import check_page, make_manager, off_loop, open_composer
from tests.factories import UserFactory, join

pytestmark = [pytest.mark.browser]

TYPED = "Try this guaranteed cure for itchy skin!\n\nIt worked for Rex in two days."


def _setup():
    boss = make_manager()
    rule_create(actor=boss, scope=COMMONS, kind="watched_word", title="No miracle cures",
                settings={"match": "phrase", "pattern": "guaranteed cure", "action": "block"})
    dot = UserFactory(username="dot", display_name="Dot")
    pod = pod_create(actor=UserFactory(username="pat"), name="Itchy dogs", charter="Vets first.")
    join(dot, pod)
    return dot, pod


def _assert_blocked(page, body):
    # The message sits next to the text box (its error is announced with it) and says which rule.
    error = page.locator(f"#{body.get_attribute('id')}_error")
    expect(error).to_contain_text("No miracle cures")
    expect(body).to_have_attribute("aria-invalid", "true")
    assert body.get_attribute("aria-describedby").split().count(f"{body.get_attribute('id')}_error") == 1
    expect(body).to_have_value(TYPED)


def test_a_watched_word_blocks_the_post_and_keeps_the_text(new_page):
    dot, pod = off_loop(_setup)
    page = new_page(dot)
    page.goto("/")
    open_composer(page)
    body = page.get_by_label("Your post")
    body.fill(TYPED)
    page.get_by_role("button", name="Post", exact=True).click()
    _assert_blocked(page, page.get_by_label("Your post"))
    expect(page.locator("article.post-card")).to_have_count(0)
    check_page(page)

    # The pod's composer (a full page POST) keeps the text the same way.
    page.goto(f"/pods/{pod.slug}/")
    open_composer(page)
    page.get_by_label("Your post").fill(TYPED)
    page.get_by_role("button", name="Post", exact=True).click()
    _assert_blocked(page, page.get_by_label("Your post"))
    check_page(page)
    # Taking the phrase out lets it through.
    page.get_by_label("Your post").fill("Our vet's oatmeal bath worked for Rex in two days.")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("region", name="Posts")).to_contain_text("oatmeal bath")
    assert list(Post.objects.values_list("body", flat=True)) == ["Our vet's oatmeal bath worked for Rex in two days."]
