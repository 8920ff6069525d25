"""Segments: each directory filter returns the concrete expected members, and describes itself."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Place, Tag, Visibility
from communities.segments import SegmentForm, segment_describe, segment_members
from tests.factories import PetFactory, PlaceFactory, PodFactory, TagFactory, UserFactory, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    uk = PlaceFactory(name="United Kingdom", slug="uk", kind=Place.Kind.COUNTRY)
    england = PlaceFactory(name="England", slug="england", kind=Place.Kind.REGION, parent=uk)
    leeds = PlaceFactory(name="Leeds", slug="leeds", kind=Place.Kind.CITY, parent=england)
    bristol = PlaceFactory(name="Bristol", slug="bristol", kind=Place.Kind.CITY, parent=england)
    dog = TagFactory(kind=Tag.Kind.SPECIES, slug="dog", name="Dog")
    cat = TagFactory(kind=Tag.Kind.SPECIES, slug="cat", name="Cat")
    lab = TagFactory(kind=Tag.Kind.BREED, slug="labrador", name="Labrador", species=dog)
    senior = TagFactory(kind=Tag.Kind.NEED, slug="senior", name="senior")
    diabetic = TagFactory(kind=Tag.Kind.NEED, slug="diabetic", name="diabetic")
    hiking = TagFactory(kind=Tag.Kind.INTEREST, slug="hiking", name="hiking")
    agility = TagFactory(kind=Tag.Kind.INTEREST, slug="agility", name="agility")
    now = timezone.now()
    ann = UserFactory(username="ann", display_name="Ann Walsh", region=leeds, last_active_at=now)
    bob = UserFactory(username="bob", display_name="Bob Reid", region=bristol,
                      last_active_at=now - timedelta(days=20))
    cy = UserFactory(username="cy", display_name="Cy", region=uk, last_active_at=now - timedelta(days=100))
    deleted = UserFactory(username="deleted-9", region=leeds, deleted_at=now)
    p = PetFactory(owner=ann, species=dog, breed=lab)
    p.needs.add(senior, diabetic)
    PetFactory(owner=bob, species=dog).needs.add(diabetic)
    PetFactory(owner=bob, species=cat).needs.add(senior)  # senior cat, not a senior dog
    PetFactory(owner=deleted, species=dog).needs.add(senior)
    PetFactory(owner=cy, species=cat)
    ann.interests.add(hiking)
    bob.interests.add(agility)
    return locals()


def names(qs):
    return sorted(qs.values_list("username", flat=True))


def test_each_filter_returns_the_expected_members(world):
    assert names(segment_members({})) == ["ann", "bob", "cy"]
    assert names(segment_members({"q": "walsh"})) == ["ann"]
    assert names(segment_members({"species": "dog"})) == ["ann", "bob"]
    assert names(segment_members({"species": "cat"})) == ["bob", "cy"]
    assert names(segment_members({"breed": "labrador"})) == ["ann"]
    assert names(segment_members({"needs": ["senior"]})) == ["ann", "bob"]
    assert names(segment_members({"species": "dog", "needs": ["senior"]})) == ["ann"]  # same pet
    assert names(segment_members({"needs": ["senior", "diabetic"]})) == ["ann"]
    assert names(segment_members({"region": "england"})) == ["ann", "bob"]
    assert names(segment_members({"region": "uk"})) == ["ann", "bob", "cy"]
    assert names(segment_members({"region": "leeds"})) == ["ann"]
    assert names(segment_members({"interests": ["hiking", "agility"]})) == ["ann", "bob"]
    assert names(segment_members({"interests": ["agility"]})) == ["bob"]
    assert names(segment_members({"active": 7})) == ["ann"]
    assert names(segment_members({"active": 30})) == ["ann", "bob"]
    assert names(segment_members({"species": "dog", "region": "bristol"})) == ["bob"]


def test_viewer_filters_never_match_fields_the_viewer_may_not_see(world):
    ann, bob = world["ann"], world["bob"]
    ann.region_visibility = Visibility.TRUSTED
    ann.save()
    viewer = UserFactory()
    assert names(segment_members({"region": "leeds"}, viewer=viewer)) == []
    assert names(segment_members({"region": "leeds"}, viewer=ann)) == ["ann"]
    assert names(segment_members({"region": "leeds"})) == ["ann"]  # the system sees all
    pod = PodFactory()
    join(ann, pod)
    join(viewer, pod, rung="trusted")
    assert names(segment_members({"region": "leeds"}, viewer=viewer)) == ["ann"]
    assert names(segment_members({"region": "england"}, viewer=UserFactory())) == [bob.username]


def test_describe_reads_like_a_sentence(world):
    assert segment_describe({"species": "dog", "needs": ["senior"], "region": "leeds"}) == (
        "members with senior dogs in Leeds")
    assert segment_describe({}) == "all members"
    assert segment_describe({"breed": "labrador", "interests": ["hiking", "agility"], "active": 7}) == (
        "members with labradors interested in hiking or agility active in the last 7 days")
    assert segment_describe({"needs": ["senior", "diabetic"]}) == "members with senior and diabetic pets"


def test_segment_form_validates_choices_and_keeps_input(world):
    form = SegmentForm({"q": "ann", "species": "cat", "breed": "labrador", "region": "nowhere"})
    assert not form.is_valid()
    assert "breed" in form.errors and "region" in form.errors
    assert form["q"].value() == "ann"
    form = SegmentForm({"species": "dog", "needs": ["senior"], "region": "leeds", "active": "30"})
    assert form.is_valid(), form.errors
    assert form.filters() == {"species": "dog", "needs": ["senior"], "region": "leeds", "active": 30}
    labels = dict(form.fields["region"].choices)
    assert labels["leeds"] == "United Kingdom › England › Leeds"
