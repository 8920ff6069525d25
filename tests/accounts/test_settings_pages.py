"""Settings pages: profile edit (avatar via images.py), pets CRUD, bad input, others' pets are 404."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from communities.models import Pet, Place, Tag
from tests.factories import PetFactory, PlaceFactory, PodFactory, PostFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocab():
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    return {"dog": dog, "cat": TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat"),
            "lab": TagFactory(kind=Tag.Kind.BREED, slug="labrador", name="Labrador", species=dog),
            "senior": TagFactory(kind=Tag.Kind.NEED, slug="senior", name="senior"),
            "hiking": TagFactory(kind=Tag.Kind.INTEREST, slug="hiking", name="hiking"),
            "leeds": PlaceFactory(name="Leeds", slug="leeds", kind=Place.Kind.CITY)}


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (53.0, 48.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def profile_data(**over):
    data = {"display_name": "Ann W", "bio": "Dog person", "region": "leeds", "interests": ["hiking"],
            "time_zone": "Europe/London", "bio_visibility": "everyone", "region_visibility": "trusted",
            "pets_visibility": "members", "interests_visibility": "members"}
    return {**data, **over}


def test_profile_edit_saves_fields_avatar_and_visibilities(client, vocab):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/settings/profile/").status_code == 200
    avatar = SimpleUploadedFile("me-at-home.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/settings/profile/", profile_data(avatar=avatar))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.region.slug, user.time_zone) == ("Ann W", "Dog person", "leeds",
                                                                             "Europe/London")
    assert user.region_visibility == "trusted" and user.pets_visibility == "members"
    assert [t.slug for t in user.interests.all()] == ["hiking"]
    assert user.avatar.name.startswith("avatars/") and "me-at-home" not in user.avatar.name
    with user.avatar.open() as f:
        assert dict(Image.open(f).getexif()) == {}


def test_profile_edit_refuses_a_non_image_and_keeps_the_typing(client, vocab):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    fake = SimpleUploadedFile("cat.jpg", b"definitely not a jpeg", content_type="image/jpeg")
    response = client.post("/settings/profile/", profile_data(display_name="After", avatar=fake))
    assert response.status_code == 200
    html = response.content.decode()
    assert "not an image we can read" in html and 'value="After"' in html
    user.refresh_from_db()
    assert user.display_name == "Before" and not user.avatar


def test_profile_edit_refuses_an_oversize_upload(client, vocab, settings):
    settings.AVATAR_MAX_BYTES = 200
    client.force_login(UserFactory())
    big = SimpleUploadedFile("big.jpg", jpeg_with_gps() + b"\0" * 500, content_type="image/jpeg")
    response = client.post("/settings/profile/", profile_data(avatar=big))
    assert response.status_code == 200 and "the limit is" in response.content.decode()


def test_profile_edit_bad_choices_are_reported_at_the_field(client, vocab):
    client.force_login(UserFactory())
    response = client.post("/settings/profile/", profile_data(time_zone="Mars/Olympus", region_visibility="nobody"))
    html = response.content.decode()
    assert response.status_code == 200
    # Once at each field, and once more in the summary at the top of the form that links to it.
    assert html.count('<div class="field-error"') == 2
    assert html.count("Select a valid choice") == 4
    assert html.count('<a href="#id_time_zone">') == 1 and html.count('<a href="#id_region_visibility">') == 1
    assert 'value="Ann W"' in html


def test_pets_crud(client, vocab):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/settings/pets/").status_code == 200
    response = client.post("/settings/pets/", {"name": "Otis", "species": "dog", "breed": "labrador",
                                               "birth_year": "2019", "needs": ["senior"]})
    assert response.status_code == 302
    pet = Pet.objects.get(owner=user)
    assert client.get(f"/settings/pets/{pet.pk}/").status_code == 200
    response = client.post(f"/settings/pets/{pet.pk}/", {"name": "Otis II", "species": "cat"})
    assert response.status_code == 302
    pet.refresh_from_db()
    assert (pet.name, pet.species.slug, pet.breed, list(pet.needs.all())) == ("Otis II", "cat", None, [])
    assert client.get(f"/settings/pets/{pet.pk}/remove/").status_code == 405
    assert client.post(f"/settings/pets/{pet.pk}/remove/").status_code == 302
    assert not Pet.objects.filter(pk=pet.pk).exists()


def test_pet_with_mismatched_breed_or_missing_species_is_refused(client, vocab):
    client.force_login(UserFactory())
    response = client.post("/settings/pets/", {"name": "Pip", "species": "cat", "breed": "labrador"})
    assert "Labrador is not a breed of cat." in response.content.decode()
    response = client.post("/settings/pets/", {"name": "Pip"})
    assert "This field is required." in response.content.decode() and 'value="Pip"' in response.content.decode()
    assert not Pet.objects.exists()


def test_someone_elses_pet_and_unknown_ids_are_404(client, vocab):
    pet = PetFactory(species=vocab["dog"])
    client.force_login(UserFactory())
    assert client.get(f"/settings/pets/{pet.pk}/").status_code == 404
    assert client.post(f"/settings/pets/{pet.pk}/", {"name": "Stolen", "species": "dog"}).status_code == 404
    assert client.post(f"/settings/pets/{pet.pk}/remove/").status_code == 404
    assert client.get("/settings/pets/999999/").status_code == 404
    assert Pet.objects.filter(pk=pet.pk, name=pet.name).exists()


def test_settings_pages_need_login(client):
    for url in ("/settings/profile/", "/settings/pets/", "/settings/delete/", "/welcome/", "/members/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_profile_lists_only_posts_the_viewer_may_read(client, vocab):
    author = UserFactory(username="author")
    open_pod = PodFactory(privacy="open")
    private_pod = PodFactory(privacy="request")
    PostFactory(author=author, body="Hello Commons")
    PostFactory(author=author, body="Open pod chat", pod=open_pod)
    PostFactory(author=author, body="Private pod secret", pod=private_pod)
    PostFactory(author=author, body="Trusted whisper", pod=open_pod, audience="trusted")
    PostFactory(author=author, body="Removed one", status="removed")
    client.force_login(UserFactory())
    html = client.get("/members/author/").content.decode()
    assert "Hello Commons" in html and "Open pod chat" in html
    for hidden in ("Private pod secret", "Trusted whisper", "Removed one"):
        assert hidden not in html


def test_own_profile_shows_edit_link_and_others_show_follow(client, vocab):
    me = UserFactory(username="me")
    UserFactory(username="other")
    client.force_login(me)
    assert 'href="/settings/profile/"' in client.get("/members/me/").content.decode()
    html = client.get("/members/other/").content.decode()
    assert "/members/other/follow/" in html
