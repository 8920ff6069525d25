"""The hourly "Pods for you" run rescores only what changed, and stores what a full refresh would."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from microgroups.models import Membership, Pod, PodSuggestion
from microgroups.services import suggestions
from microgroups.services.suggestions import suggestions_refresh, suggestions_refresh_changed
from tests.factories import PetFactory, PlaceFactory, PodFactory, UserFactory

from .conftest import tag

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(PodSuggestion.objects.values_list("member_id", "pod_id", "score", "reason"))


@pytest.fixture
def town(monkeypatch):
    """40 members with pets and interests, 30 pods with tags, places and activity, from a fixed seed.
    Three suggestions a member, so many members have more candidates than rows."""
    monkeypatch.setattr(suggestions, "PER_MEMBER", 3)
    rnd = random.Random(20)
    region = PlaceFactory(name="Yorkshire", slug="yorkshire", kind="region")
    cities = [PlaceFactory(name=n, slug=n.lower(), parent=region) for n in ("Leeds", "York", "Hull")]
    species = [tag("species", s, s.title()) for s in ("cat", "dog", "rabbit")]
    needs = [tag("need", s, s) for s in ("senior", "reactive", "kidney disease", "blind")]
    breeds = [tag("breed", s, s.title()) for s in ("siamese", "collie")]
    interests = [tag("interest", s, s) for s in ("agility", "hiking", "photography")]
    topics = [tag("topic", s, s) for s in ("hiking", "grooming")]
    now = timezone.now()
    pods = []
    for i in range(30):
        pod = PodFactory(name=f"Pod {i}", region=rnd.choice(cities + [None, None]),
                         member_cap=rnd.choice([5, 10, 50]), member_count=rnd.randint(0, 10),
                         last_post_at=rnd.choice([None, now - timedelta(days=2), now - timedelta(days=20),
                                                  now - timedelta(days=90)]),
                         privacy=rnd.choice(["open", "open", "request"]))
        pod.tags.set(rnd.sample(species, rnd.randint(0, 1)) + rnd.sample(needs + breeds + interests + topics, 2))
        pods.append(pod)
    members = []
    for _ in range(40):
        member = UserFactory(region=rnd.choice(cities + [region, None]))
        member.interests.set(rnd.sample(interests, rnd.randint(0, 2)))
        for _ in range(rnd.randint(0, 2)):
            pet = PetFactory(owner=member, species=rnd.choice(species), breed=rnd.choice(breeds + [None]))
            pet.needs.set(rnd.sample(needs, rnd.randint(0, 2)))
        members.append(member)
    for member in rnd.sample(members, 8):
        Membership.objects.create(member=member, pod=rnd.choice(pods))
    return {"members": members, "pods": pods, "species": species, "needs": needs, "topics": topics,
            "cities": cities, "now": now}


def test_a_changed_pet_and_a_new_pod_store_what_a_full_refresh_would(town):
    now = town["now"]
    suggestions_refresh(now=now)
    changed = town["members"][3]
    pet = PetFactory(owner=changed, name="Pip", species=town["species"][0])
    pet.needs.set(town["needs"][:2])
    new = PodFactory(name="New cats", region=town["cities"][0], member_cap=50, member_count=1, last_post_at=now)
    new.tags.set([town["species"][0], town["needs"][0]])

    rewritten = suggestions_refresh_changed(now=now)
    incremental = _rows()
    assert any(m == changed.pk and p == new.pk for m, p, _, _ in incremental)
    assert 1 <= rewritten < len(town["members"])  # the new pod's takers and Pip's owner, not everyone
    suggestions_refresh(now=now)
    assert incremental == _rows()


def test_nothing_changed_rewrites_nothing(town):
    suggestions_refresh(now=town["now"])
    before = _rows()
    assert suggestions_refresh_changed(now=town["now"]) == 0
    assert _rows() == before


def test_pods_that_fill_up_go_quiet_or_stop_being_joinable_are_rescored(town):
    now = town["now"]
    suggestions_refresh(now=now)
    suggested = PodSuggestion.objects.values_list("pod_id", flat=True)
    first, second, third = Pod.objects.filter(pk__in=suggested).order_by("pk")[:3]
    Pod.objects.filter(pk=first.pk).update(member_count=first.member_cap)
    Pod.objects.filter(pk=second.pk).update(privacy="invite", is_unlisted=True)
    third.delete()
    later = now + timedelta(days=8)  # a week on, pods posted in two days ago are no longer lively
    suggestions_refresh_changed(now=later)
    incremental = _rows()
    assert not any(p in (second.pk, third.pk) for _, p, _, _ in incremental)
    suggestions_refresh(now=later)
    assert incremental == _rows()


def test_joining_a_pod_removes_it_at_the_next_run(town):
    now = town["now"]
    suggestions_refresh(now=now)
    member_id, pod_id = PodSuggestion.objects.values_list("member_id", "pod_id").first()
    Membership.objects.create(member_id=member_id, pod_id=pod_id)
    assert suggestions_refresh_changed(now=now) == 1
    assert not PodSuggestion.objects.filter(member_id=member_id, pod_id=pod_id).exists()
    incremental = _rows()
    suggestions_refresh(now=now)
    assert incremental == _rows()


def test_a_renamed_topic_rescores_everyone(town):
    now = town["now"]
    suggestions_refresh(now=now)
    topic = town["topics"][0]
    topic.slug = "agility"
    topic.save()
    suggestions_refresh_changed(now=now)
    incremental = _rows()
    suggestions_refresh(now=now)
    assert incremental == _rows()



@pytest.mark.parametrize("per_member", [1, 3, 8])
def test_the_ranking_that_skips_pods_by_bound_keeps_what_scoring_every_candidate_keeps(town, monkeypatch,
                                                                                         per_member):
    """`_ranked` (the refresh's way: pods scored from the highest bound their tag and place counts give,
    until none can make the cut) against scoring each candidate: the same pods, scores and reasons, for
    every member, households of one species and of several."""
    monkeypatch.setattr(suggestions, "PER_MEMBER", per_member)
    catalog = suggestions.Catalog(town["now"])
    profiles = suggestions._profiles([m.pk for m in town["members"]], catalog)
    species_counts = [len({pet.species_id for pet in p.pets}) for p in profiles.values()]
    assert species_counts.count(1) >= 15 and species_counts.count(2) >= 3
    for member_id, profile in profiles.items():
        expected = suggestions._top(profile, suggestions._candidates(profile, catalog), catalog)
        assert suggestions._ranked(profile, catalog) == expected, member_id
    assert sum(len(suggestions._ranked(p, catalog)) for p in profiles.values()) >= per_member * 20


def test_profiles_read_as_an_id_range_hold_only_the_members_asked_for(town):
    """The hourly run reads a batch of consecutive ids as a range: a member inside the range who was not
    asked for (deactivated) is left out, and a scattered list reads the same profiles as one by one."""
    catalog = suggestions.Catalog(town["now"])
    members = town["members"]
    every = suggestions._profiles([m.pk for m in members], catalog)
    skipped = next(m for m in members[1:-1] if every[m.pk].pets and every[m.pk].interest_ids)
    asked = [m.pk for m in members if m != skipped]
    ranged = suggestions._profiles(asked, catalog)
    scattered = suggestions._profiles([members[0].pk, members[-1].pk], catalog)
    assert set(ranged) == set(asked) and set(scattered) == {members[0].pk, members[-1].pk}
    for got in (ranged, scattered):
        assert {m: suggestions._profile_digest(p) for m, p in got.items()} == \
            {m: suggestions._profile_digest(every[m]) for m in got}
    assert sum(len(p.pets) for p in ranged.values()) == sum(len(p.pets) for p in every.values()) - len(
        every[skipped.pk].pets)
