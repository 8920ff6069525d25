"""Sign-up → verify email → onboarding → "Pods for you", through the test client; logins; reset; logout."""

import re

import pytest
from django.core import mail

from communities.models import Pet, Place, Tag, User
from tests.factories import PlaceFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-enough-pass-42"


@pytest.fixture
def vocab():
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    return {
        "dog": dog, "cat": cat,
        "lab": TagFactory(kind=Tag.Kind.BREED, slug="labrador", name="Labrador", species=dog),
        "senior": TagFactory(kind=Tag.Kind.NEED, slug="senior", name="senior"),
        "hiking": TagFactory(kind=Tag.Kind.INTEREST, slug="hiking", name="hiking"),
        "leeds": PlaceFactory(name="Leeds", slug="leeds", kind=Place.Kind.CITY),
    }


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_signup_verify_onboard_flow(client, vocab):
    response = client.post("/accounts/signup/", {"username": "newbie", "email": "newbie@example.com",
                                                 "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newbie@example.com"]
    user = User.objects.get(username="newbie")
    assert user.onboarded_at is None
    # Verification is mandatory: the member is not signed in yet.
    assert client.get("/settings/profile/").status_code == 302

    confirm_url = link_in(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified is True

    response = client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    assert response["Location"] == "/welcome/"  # not onboarded yet: onboarding first
    page = client.get("/welcome/")
    assert page.status_code == 200 and b"Your pets" in page.content

    response = client.post("/welcome/", {"add_pet": "1", "pet-name": "Bramble", "pet-species": "dog",
                                         "pet-breed": "labrador", "pet-birth_year": "2012",
                                         "pet-needs": ["senior"]})
    assert response.status_code == 302
    pet = Pet.objects.get(owner=user)
    assert (pet.name, pet.species.slug, pet.breed.slug, pet.birth_year) == ("Bramble", "dog", "labrador", 2012)
    assert [t.slug for t in pet.needs.all()] == ["senior"]

    response = client.post("/welcome/", {"finish": "1", "region": "leeds", "interests": ["hiking"]})
    assert response["Location"] == "/welcome/done/"
    user.refresh_from_db()
    assert user.onboarded_at is not None and user.region.slug == "leeds"
    assert [t.slug for t in user.interests.all()] == ["hiking"]
    done = client.get("/welcome/done/")
    assert b'href="/pods/"' in done.content and b"Pods for you" in done.content


def test_onboarding_bad_pet_input_keeps_what_was_typed(client, vocab):
    user = UserFactory(onboarded_at=None)
    client.force_login(user)
    response = client.post("/welcome/", {"add_pet": "1", "pet-name": "Mochi", "pet-species": "cat",
                                         "pet-breed": "labrador", "pet-birth_year": "2999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Labrador is not a breed of cat." in html
    assert "That year has not happened yet." in html or "less than or equal to" in html
    assert 'value="Mochi"' in html
    assert not Pet.objects.filter(owner=user).exists()


def test_onboarding_unknown_region_is_refused_at_the_field(client, vocab):
    client.force_login(UserFactory(onboarded_at=None))
    response = client.post("/welcome/", {"finish": "1", "region": "atlantis", "interests": ["hiking"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert re.search(r'value="hiking"[^>]*checked', html)  # the ticked interest is still ticked


def test_login_by_username_and_by_email(client):
    UserFactory(username="ann", email="ann@example.com")
    response = client.post("/accounts/login/", {"login": "ann", "password": "pw-for-tests-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "ann@example.com", "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert client.get("/settings/profile/").status_code == 200


def test_wrong_password_shows_a_message_and_keeps_the_login(client):
    UserFactory(username="ann")
    response = client.post("/accounts/login/", {"login": "ann", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "not correct" in html and 'value="ann"' in html


def test_logout_needs_post(client):
    client.force_login(UserFactory())
    assert client.get("/accounts/logout/").status_code == 200  # a confirmation page, still signed in
    assert client.get("/settings/profile/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/settings/profile/").status_code == 302


def test_password_reset_sends_an_email_that_works(client):
    UserFactory(username="ann", email="ann@example.com")
    response = client.post("/accounts/password/reset/", {"email": "ann@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    url = link_in(mail.outbox[0])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    response = client.post(response.redirect_chain[-1][0] if response.redirect_chain else url,
                           {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert client.login(username="ann", password=PASSWORD)


def test_password_change_page(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/password/change/")
    assert page.status_code == 200 and b"Change your password" in page.content
    response = client.post("/accounts/password/change/", {"oldpassword": "pw-for-tests-123",
                                                           "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_deleted_prefix_is_reserved_at_signup(client):
    response = client.post("/accounts/signup/", {"username": "deleted-1", "email": "x@example.com",
                                                 "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert "reserved" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_allauth_pages_use_our_layout(client, url):
    html = client.get(url).content.decode()
    assert 'class="site-header"' in html and 'class="card auth-form"' in html
    assert 'class="btn btn-primary"' in html


def test_finishing_onboarding_refreshes_pod_suggestions(vocab, django_capture_on_commit_callbacks):
    from communities.services.profiles import onboarding_complete
    from microgroups.models import PodSuggestion
    from tests.factories import PodFactory

    pod = PodFactory(name="Leeds hikers", region=vocab["leeds"])
    pod.tags.add(vocab["hiking"])
    member = UserFactory(onboarded_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_complete(actor=member, region=vocab["leeds"], interests=[vocab["hiking"]])
    assert list(PodSuggestion.objects.filter(member=member).values_list("pod_id", flat=True)) == [pod.pk]


def test_allauth_rate_limits_failed_logins_per_account(client):
    UserFactory(username="ann")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "ann", "password": "wrong"})
    # Even the right password is refused while the account's failure budget (5 per 5 minutes) is spent:
    # the 429 page, with when to come back (tests/limits/test_login_limits.py has the rest).
    response = client.post("/accounts/login/", {"login": "ann", "password": "pw-for-tests-123"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 300
    assert "You're doing that too often" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_without_mandatory_verification_signup_lands_on_onboarding(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    response = client.post("/accounts/signup/", {"username": "quick", "email": "quick@example.com",
                                                 "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    assert client.get("/welcome/").status_code == 200


def test_times_are_shown_in_the_members_time_zone(client):
    from datetime import UTC, datetime

    from tests.factories import PostFactory

    author = UserFactory(username="author")
    PostFactory(author=author, created_at=datetime(2024, 1, 1, 23, 30, tzinfo=UTC))
    client.force_login(UserFactory(time_zone="Asia/Tokyo"))
    assert "2 Jan 2024" in client.get("/members/author/").content.decode()
    client.force_login(UserFactory(time_zone="UTC"))
    assert "1 Jan 2024" in client.get("/members/author/").content.decode()
