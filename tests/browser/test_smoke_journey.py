import pytest

from tests.browser.conftest import check_page
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.browser]


def test_visitor_reads_the_commons_and_a_member_sees_it_live(new_page):
    author = UserFactory(username="writer")
    PostFactory(author=author, body="First post in the **Commons**")
    reader = UserFactory(username="reader")
    page = new_page(reader)
    page.goto("/")
    assert page.locator("article.post-card").first.inner_text().count("First post in the Commons") == 1
    page.wait_for_function("document.documentElement.dataset.streams === 'open'")
    check_page(page)
