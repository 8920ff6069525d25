"""The API's posts carry their pet: given on create (the caller's own pet only), shown on read."""

import pytest

from communities.models import Post, Tag
from tests.factories import PetFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def biscuit(member):
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    breed = TagFactory(kind=Tag.Kind.BREED, slug="maine-coon", name="Maine Coon", species=cat)
    return PetFactory(owner=member, name="Biscuit", species=cat, breed=breed)


def test_a_post_created_about_my_pet_carries_it_and_its_tags_once(api, biscuit):
    response = api.post("/posts", {"body": "Biscuit found the sunny spot #cat", "pet": biscuit.pk})
    assert response.status_code == 201
    body = response.json()
    assert body["pet"] == {"id": biscuit.pk, "name": "Biscuit", "species": "cat", "breed": "maine-coon",
                           "photo": None}
    assert body["tags"] == ["maine-coon", "cat"]  # #cat typed and the pet's species: one tag
    read = api.get(f"/posts/{body['id']}").json()["post"]
    assert read["pet"]["name"] == "Biscuit"
    assert [p["id"] for p in api.get("/feeds/commons", species="cat").json()["items"]] == [body["id"]]


def test_a_post_about_someone_elses_pet_is_refused_at_the_field(api, biscuit):
    mochi = PetFactory(owner=UserFactory(), name="Mochi", species=biscuit.species)
    for pet in (mochi.pk, 2**62):
        response = api.post("/posts", {"body": "Not my cat", "pet": pet})
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "pet", "message": "Choose one of your own pets."}]
    assert not Post.objects.exists()


def test_a_post_about_no_pet_reads_pet_null(api):
    body = api.post("/posts", {"body": "Hello"}).json()
    assert body["pet"] is None and body["tags"] == []
