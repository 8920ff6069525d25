"""Posts about a pet: the service sets and checks the pet, tags its species and breed; the species filter
finds the post on / and in a pod; the card shows the pet's chip and each tag once; the composer offers the
author's own pets; the backfill migration sets a pet only where it is certain."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Post, Tag
from communities.selectors import feed
from communities.services.accounts import account_delete
from communities.services.pets import pet_delete
from communities.services.posts import post_create, post_edit
from tests.factories import PetFactory, PodFactory, PostFactory, TagFactory, UserFactory, join

pytestmark = pytest.mark.django_db

backfill_post_pets = importlib.import_module("communities.migrations.0011_post_pet").backfill_post_pets


@pytest.fixture
def cat():
    return TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")


@pytest.fixture
def dog():
    return TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")


@pytest.fixture
def maine_coon(cat):
    return TagFactory(kind=Tag.Kind.BREED, slug="maine-coon", name="Maine Coon", species=cat)


@pytest.fixture
def biscuit(member, cat, maine_coon):
    return PetFactory(owner=member, name="Biscuit", species=cat, breed=maine_coon)


def _tags(post) -> set[tuple[str, str]]:
    return set(post.tags.values_list("kind", "slug"))


# The service ------------------------------------------------------------------------------------------

def test_a_post_about_my_pet_carries_its_species_and_breed_as_tags(member, biscuit):
    post = post_create(actor=member, body="Biscuit caught a moth at last.", pet=biscuit)
    post.refresh_from_db()
    assert post.pet_id == biscuit.pk
    assert _tags(post) == {("species", "cat"), ("breed", "maine-coon")}


def test_the_pet_may_be_given_by_id_and_a_pet_without_breed_adds_only_its_species(member, dog):
    rex = PetFactory(owner=member, name="Rex", species=dog)
    post = post_create(actor=member, body="Rex at the beach #walks", pet=rex.pk)
    assert post.pet_id == rex.pk
    assert _tags(post) == {("species", "dog"), ("topic", "walks")}


@pytest.mark.parametrize("whose", ["someone else's", "missing"])
def test_a_post_about_a_pet_not_mine_is_refused_and_nothing_is_saved(member, other, cat, whose):
    pet_id = PetFactory(owner=other, name="Mochi", species=cat).pk if whose == "someone else's" else 987654
    with pytest.raises(ValidationError) as caught:
        post_create(actor=member, body="Look at Mochi", pet=pet_id)
    assert caught.value.message_dict == {"pet": ["Choose one of your own pets."]}
    assert Post.objects.count() == 0


def test_the_species_filter_finds_a_post_about_a_pet_without_a_hashtag_in_the_commons_and_a_pod(
        member, other, biscuit, dog):
    about = post_create(actor=member, body="Biscuit slept all day.", pet=biscuit)
    post_create(actor=member, body="Cats are great, no pet in particular.")
    pod = PodFactory()
    join(member, pod)
    in_pod = post_create(actor=member, pod=pod, body="Biscuit's first day in the pod.", pet=biscuit)
    assert [p.pk for p in feed(user=other, species="cat").posts] == [about.pk]
    assert feed(user=other, species="dog").posts == []
    assert [p.pk for p in feed(user=other, pod=pod, species="cat").posts] == [in_pod.pk]
    assert [p.pk for p in feed(user=other, topic="maine-coon").posts] == [about.pk]  # the card's breed link


def test_editing_a_post_about_a_pet_keeps_its_pet_tags(member, biscuit):
    post = post_create(actor=member, body="Biscuit #naps", pet=biscuit)
    post_edit(actor=member, post=post, body="Biscuit #zoomies now")
    assert _tags(post) == {("species", "cat"), ("breed", "maine-coon"), ("topic", "zoomies")}


# Pages ------------------------------------------------------------------------------------------------

def test_the_card_shows_the_pet_chip_and_each_tag_once(client, member, other, biscuit):
    post_create(actor=member, body="Biscuit got the zoomies #cat #cat", pet=biscuit)
    client.force_login(other)
    html = client.get("/?species=cat").content.decode()
    card = html.split('class="post-card"')[1].split("</article>")[0]
    assert '<span class="visually-hidden">About </span>Biscuit</span>' in card
    assert '<span class="avatar avatar-sm avatar-initials" aria-hidden="true">B</span>' in card
    assert card.count('class="tag"') == 2  # #cat (species and topic: once) and #maine-coon
    assert card.count('<a class="tag" href="/?species=cat">#cat</a>') == 1
    assert card.count('<a class="tag" href="/?topic=maine-coon">#maine-coon</a>') == 1


def test_a_pod_posts_species_tag_links_to_that_pods_species_filter(client, member, biscuit):
    pod = PodFactory(slug="cat-nappers")
    join(member, pod)
    post_create(actor=member, pod=pod, body="Biscuit naps here too.", pet=biscuit)
    client.force_login(member)
    html = client.get("/pods/cat-nappers/?species=cat").content.decode()
    assert 'href="/pods/cat-nappers/?species=cat">#cat</a>' in html
    assert '<option value="cat" selected>Cat</option>' in html
    assert "Biscuit naps here too." in html
    assert "Biscuit naps here too." not in client.get("/pods/cat-nappers/?species=dog").content.decode()


def test_the_composer_preselects_my_only_pet_and_posts_about_it(client, member, biscuit):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert '<label for="id_pet">About</label>' in html
    assert f'<option value="{biscuit.pk}" selected>Biscuit (cat)</option>' in html
    assert '<option value="">No pet in particular</option>' in html
    response = client.post("/posts/new/", {"body": "Biscuit says hello", "pet": biscuit.pk})
    post = Post.objects.get()
    assert response.status_code == 302 and post.pet_id == biscuit.pk


def test_the_composer_preselects_no_pet_for_a_member_who_shows_pets_to_trusted_members_only(
        client, member, biscuit):
    member.pets_visibility = "trusted"
    member.save(update_fields=["pets_visibility"])
    client.force_login(member)
    html = client.get("/").content.decode()
    assert f'<option value="{biscuit.pk}">Biscuit (cat)</option>' in html  # still offered, not chosen
    assert '<option value="" selected>No pet in particular</option>' in html
    assert "Shows your pet's name and photo on the post to everyone who can read it" in html


def test_the_composer_preselects_nothing_for_two_pets_and_offers_no_pets_to_a_member_without(
        client, member, other, biscuit, cat):
    mochi = PetFactory(owner=member, name="Mochi", species=cat)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert f'<option value="{biscuit.pk}">Biscuit (cat)</option>' in html
    assert f'<option value="{mochi.pk}">Mochi (cat)</option>' in html
    assert '<option value="" selected>No pet in particular</option>' in html
    client.force_login(other)
    assert 'id="id_pet"' not in client.get("/").content.decode()


def test_the_composer_refuses_someone_elses_pet_at_the_field_and_keeps_the_text(client, member, other, cat):
    mochi = PetFactory(owner=other, name="Mochi", species=cat)
    PetFactory(owner=member, name="Biscuit", species=cat)
    client.force_login(member)
    response = client.post("/posts/new/", {"body": "Sneaky post", "pet": mochi.pk})
    html = response.content.decode()
    assert response.status_code == 200 and not Post.objects.exists()
    assert "Select a valid choice." in html and "Sneaky post" in html


# Query counts -----------------------------------------------------------------------------------------

def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _posts_about_pets(n, cat, breed):
    now = timezone.now()
    for i in range(n):
        pet = PetFactory(name=f"Pet {i}", species=cat, breed=breed)
        post = PostFactory(author=pet.owner, pet=pet, created_at=now - timedelta(minutes=i))
        post.tags.add(cat, breed)


def test_a_feed_of_posts_about_pets_costs_the_same_for_5_and_20_cards(client, member, cat, maine_coon,
                                                                     django_assert_num_queries):
    client.force_login(member)
    _posts_about_pets(5, cat, maine_coon)
    five = _count(client, "/?sort=new&species=cat")
    _posts_about_pets(15, cat, maine_coon)
    cache.clear()  # the factories wrote rows without the post services' feed-version bump
    client.get("/?sort=new&species=cat")  # warm, as `_count` was
    with django_assert_num_queries(five):
        response = client.get("/?sort=new&species=cat")
    assert response.content.count(b'class="pill pet-chip"') == 20


# The backfill migration ---------------------------------------------------------------------------------

def test_the_backfill_sets_the_pet_only_when_one_pet_of_that_species_is_named(member, other, cat, dog,
                                                                              maine_coon):
    biscuit = PetFactory(owner=member, name="Biscuit", species=cat, breed=maine_coon)
    rex = PetFactory(owner=member, name="Rex", species=dog)
    two_cats = UserFactory()
    PetFactory(owner=two_cats, name="Tom", species=cat)
    PetFactory(owner=two_cats, name="Jerry", species=cat)

    def post(author, body, *tags):
        p = PostFactory(author=author, body=body)
        p.tags.add(*tags)
        return p

    named = post(member, "biscuit's bowl is empty again #cat", cat)
    not_named = post(member, "Cats are funny #cat", cat)
    plural = post(member, "Biscuits for breakfast #cat", cat)
    untagged = post(member, "Biscuit slept all day")
    wrong_species = post(member, "Biscuit met a dog #dog", dog)
    both_named = post(member, "Biscuit and Rex #cat #dog", cat, dog)
    one_named_of_two = post(member, "Rex dug a hole #cat #dog", cat, dog)
    ambiguous_owner = post(two_cats, "Tom chased Jerry #cat", cat)
    already = post(member, "Biscuit again #cat", cat)
    Post.objects.filter(pk=already.pk).update(pet=rex)

    assert backfill_post_pets(apps) == 2
    pets = dict(Post.objects.values_list("pk", "pet_id"))
    assert pets[named.pk] == biscuit.pk and pets[one_named_of_two.pk] == rex.pk
    for untouched in (not_named, plural, untagged, wrong_species, both_named, ambiguous_owner):
        assert pets[untouched.pk] is None, untouched.body
    assert pets[already.pk] == rex.pk
    assert _tags(named) == {("species", "cat"), ("breed", "maine-coon")}
    assert _tags(not_named) == {("species", "cat")}
    assert backfill_post_pets(apps) == 0  # a second run finds nothing left to do


def test_deleting_the_account_or_the_pet_takes_the_pet_off_its_posts_and_keeps_the_posts(member, biscuit, cat):
    about_biscuit = post_create(actor=member, body="Biscuit in the garden.", pet=biscuit)
    mochi = PetFactory(owner=member, name="Mochi", species=cat)
    about_mochi = post_create(actor=member, body="Mochi on the sofa.", pet=mochi)
    pet_delete(actor=member, pet=mochi)
    about_mochi.refresh_from_db()
    assert about_mochi.pet_id is None and about_mochi.status == "published"
    account_delete(actor=member)
    about_biscuit.refresh_from_db()
    assert about_biscuit.pet_id is None and about_biscuit.body == "Biscuit in the garden."
