"""Journey: a post about a pet is found by the species filter, without a typed hashtag."""

import re

import pytest
from playwright.sync_api import expect

from communities.models import Post, Tag
from communities.services.posts import post_create
from tests.browser.conftest import check_page, off_loop, open_composer
from tests.factories import PetFactory, TagFactory, UserFactory

pytestmark = [pytest.mark.browser]


def _setup():
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    ada = UserFactory(username="ada", display_name="Ada")
    biscuit = PetFactory(owner=ada, name="Biscuit", species=cat)
    dan = UserFactory(username="dan", display_name="Dan")
    post_create(actor=dan, body="Rex dug up the whole lawn.", pet=PetFactory(owner=dan, name="Rex", species=dog))
    return ada, biscuit


def test_a_post_about_a_pet_is_found_by_the_species_filter(new_page):
    ada, biscuit = off_loop(_setup)
    page = new_page(ada)
    page.goto("/")
    open_composer(page)
    about = page.get_by_label("About")
    expect(about).to_have_value(str(biscuit.pk))  # her only pet, pre-selected
    check_page(page)
    page.get_by_label("Your post").fill("Sunbeam found, nap commenced.")
    page.get_by_role("button", name="Post", exact=True).click()
    card = page.locator("article.post-card", has_text="Sunbeam found, nap commenced.")
    expect(card).to_be_visible()
    expect(page.locator("article.post-card")).to_have_count(2)  # hers (once, live frame or not) and Dan's
    expect(card.locator(".pet-chip")).to_contain_text("About Biscuit")

    # A fresh visit: the filter finds the post by the pet's species; the dog post stays out.
    page.goto("/")
    filters = page.locator("details.disclosure", has_text="Sort and filter")
    if filters.locator("> summary").is_visible() and filters.get_attribute("open") is None:
        filters.locator("> summary").click()  # phones: the filters sit behind a disclosure
    page.get_by_label("Species").select_option("cat")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]species=cat"))
    posts = page.get_by_role("region", name="Posts")
    expect(posts.locator("article.post-card")).to_have_count(1)
    expect(posts).to_contain_text("Sunbeam found, nap commenced.")
    expect(posts).not_to_contain_text("Rex dug up the whole lawn.")
    expect(posts.locator(".pet-chip")).to_contain_text("About Biscuit")
    expect(posts.get_by_role("link", name="#cat")).to_have_count(1)
    check_page(page)
    assert Post.objects.get(body="Sunbeam found, nap commenced.").pet_id == biscuit.pk
