"""Journey 1: a new visitor signs up, verifies the email, adds a pet, finds a pod that fits it and posts there."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from communities.models import Tag
from microgroups.models import Membership
from microgroups.services.pods import pod_create
from tests.browser.conftest import check_page, off_loop, open_composer, tab_to
from tests.factories import TagFactory, UserFactory

pytestmark = [pytest.mark.browser]


def _pods():
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    diabetic = TagFactory(kind=Tag.Kind.NEED, slug="diabetic", name="diabetic")
    steward = UserFactory(username="stella")
    cats = pod_create(actor=steward, name="Diabetic cats", charter="Be gentle: **no shaming** about insulin.",
                      description="Insulin, diets and good days.", tags=[cat, diabetic])
    dogs = pod_create(actor=steward, name="Dog walkers", charter="Leads on in parks.", tags=[dog])
    return cats, dogs


def test_new_visitor_signs_up_adds_a_pet_joins_a_matching_pod_and_posts(new_page):
    cats, dogs = off_loop(_pods)
    page = new_page()
    page.goto("/")
    check_page(page)
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_title(re.compile("Sign ?up", re.I))
    check_page(page)
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password", exact=True).fill("a-long-Passphrase-42")
    page.get_by_label("Password (again)").fill("a-long-Passphrase-42")
    page.get_by_role("button", name="Sign up").click()

    # Mandatory verification: the confirmation page, then the link from the email.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
    check_page(page)
    assert [m.to for m in mail.outbox] == [["mia@example.com"]]
    path = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(path)
    check_page(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You have confirmed mia@example.com")
    check_page(page)
    page.get_by_label("Login").fill("mia")
    page.get_by_label("Password").fill("a-long-Passphrase-42")
    page.get_by_role("button", name="Sign in").click()

    # Onboarding: add a pet, then finish.
    expect(page.get_by_role("heading", name="Welcome to PetCommunity")).to_be_visible()
    check_page(page)
    page.get_by_label("Name").fill("Mochi")
    page.get_by_label("Species").select_option(label="Cat")
    page.get_by_label("diabetic").check()
    page.get_by_role("button", name="Add this pet").click()
    expect(page.get_by_role("status")).to_contain_text("Mochi is on your profile.")
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("You're all set")
    check_page(page)

    # Pods for you: the diabetic cat pod, for Mochi; never the dog pod.
    page.get_by_role("link", name="Pods for you").click()
    for_you = page.get_by_role("region", name="Pods for you")
    expect(for_you.get_by_role("article")).to_have_count(1)
    expect(for_you).to_contain_text("Diabetic cats")
    expect(for_you).to_contain_text("Because Mochi is a diabetic cat")
    check_page(page)

    for_you.get_by_role("link", name="Diabetic cats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diabetic cats")
    check_page(page)
    page.get_by_role("link", name="Join", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("no shaming")
    check_page(page)
    # Without ticking the charter box the browser holds the form back at the box.
    page.get_by_role("button", name="Join Diabetic cats").click()
    agree = page.get_by_label("I have read the charter and agree to it")
    assert agree.evaluate("el => el.validity.valueMissing") is True
    expect(page).to_have_url(re.compile("/pods/diabetic-cats/join/$"))
    page.get_by_label("I have read the charter and agree to it").check()
    page.get_by_role("button", name="Join Diabetic cats").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome to Diabetic cats!")
    check_page(page)

    # By keyboard: open the composer (collapsed on phones), Tab to it, type, Tab to "Post" and press Enter.
    open_composer(page, keyboard=True)
    tab_to(page, page.get_by_label("Your post"))
    page.keyboard.type("Hello from Mochi and me! First week on insulin.")
    tab_to(page, page.get_by_role("button", name="Post", exact=True))
    page.keyboard.press("Enter")
    feed = page.get_by_role("region", name="Posts")
    expect(feed.locator("article.post-card").first).to_contain_text("First week on insulin")
    check_page(page)
    membership = Membership.objects.get(pod=cats, member__username="mia")
    assert membership.charter_version_acknowledged == cats.charter_version == 1
    assert cats.posts.filter(author__username="mia").count() == 1
    assert not Membership.objects.filter(pod=dogs, member__username="mia").exists()
