""""Pods for you", precomputed: a task scores pods for every member hourly (and for one member after
onboarding or a pet change); pages read the stored rows in one query. Never scored per request.

A pod scores by how its niche tags meet the member's pets (species, breed, needs), interests and
region, then is adjusted by recent activity and the room left. Each row carries a one-line reason.
Only pods the member can join (or ask to join) are suggested: invite-only pods never are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communities.models import Pet, Place, Tag

from ..models import Membership, Pod, PodSuggestion

PER_MEMBER = 8
BATCH = 500
WEIGHTS = {"need": 4.0, "breed": 3.0, "species": 2.0, "interest": 2.0, "topic": 1.5, "city": 3.0, "region": 1.5}


@dataclass
class PodCard:
    pod: Pod
    tags: dict[str, set[int]]  # kind → tag ids
    region_ids: set[int]  # the pod's place and the region it sits in


@dataclass
class Profile:
    pets: list[Pet] = field(default_factory=list)
    interest_ids: set[int] = field(default_factory=set)
    place_id: int | None = None
    region_id: int | None = None
    place_name: str = ""
    excluded: set[int] = field(default_factory=set)  # pods they're in or banned from


class Catalog:
    """Every pod a member could join or ask to join (listed, open or by request; never invite-only or an
    umbrella) with its tags, indexed by tag and place (loaded once per refresh)."""

    def __init__(self, now):
        self.now = now
        self.parents = dict(Place.objects.values_list("pk", "parent_id"))
        self.kinds = dict(Place.objects.values_list("pk", "kind"))
        self.tag_slugs = dict(Tag.objects.filter(kind__in=["interest", "topic"]).values_list("pk", "slug"))
        pods = list(Pod.objects.filter(is_unlisted=False, is_umbrella=False).exclude(privacy=Pod.Privacy.INVITE)
                    .prefetch_related("tags"))
        self.cards, self.by_tag, self.by_place = {}, defaultdict(set), defaultdict(set)
        for pod in pods:
            tags = defaultdict(set)
            for t in pod.tags.all():
                tags[t.kind].add(t.pk)
                self.by_tag[t.pk].add(pod.pk)
            places = self._up(pod.region_id)
            self.cards[pod.pk] = PodCard(pod=pod, tags=tags, region_ids=places)
            for pid in places:
                self.by_place[pid].add(pod.pk)

    def _up(self, place_id) -> set[int]:
        """The place and its region-level ancestor."""
        found = set()
        while place_id is not None and len(found) < 3:
            found.add(place_id)
            if self.kinds.get(place_id) == Place.Kind.REGION:
                break
            place_id = self.parents.get(place_id)
        return {p for p in found if self.kinds.get(p) != Place.Kind.COUNTRY}


def _profiles(member_ids: list[int], catalog: Catalog) -> dict[int, Profile]:
    users = get_user_model().objects.filter(pk__in=member_ids).select_related("region")
    profiles = {u.pk: Profile(place_id=u.region_id, place_name=u.region.name if u.region_id else "") for u in users}
    for p in profiles.values():
        ups = catalog._up(p.place_id) - {p.place_id}
        p.region_id = next(iter(ups), p.place_id)
    pets = Pet.objects.filter(owner_id__in=member_ids).select_related("species", "breed").prefetch_related("needs")
    for pet in pets:
        profiles[pet.owner_id].pets.append(pet)
    through = get_user_model().interests.through
    for user_id, tag_id in through.objects.filter(user_id__in=member_ids).values_list("user_id", "tag_id"):
        profiles[user_id].interest_ids.add(tag_id)
    for member_id, pod_id in Membership.objects.filter(member_id__in=member_ids, status__in=["active", "banned"]) \
            .values_list("member_id", "pod_id"):
        profiles[member_id].excluded.add(pod_id)
    return profiles


def _need_phrase(pet: Pet, need: Tag) -> str:
    species = pet.species.name.lower()
    if " " in need.name:  # "kidney disease": not an adjective
        return f"because {pet.name} lives with {need.name}"
    return f"because {pet.name} is a {need.name} {species}"


def _words(catalog: Catalog, tag_id: int) -> str:
    return catalog.tag_slugs.get(tag_id, "").replace("-", " ")


def _matches(card: PodCard, profile: Profile, catalog: Catalog) -> list[tuple[float, str]]:
    """(weight, reason) for every way the pod meets this member."""
    found = []
    species = card.tags["species"]
    for pet in profile.pets:
        if species and pet.species_id not in species:
            continue  # a senior rabbit says nothing about fit for a cat pod
        for need in pet.needs.all():
            if need.pk in card.tags["need"]:
                found.append((WEIGHTS["need"], _need_phrase(pet, need)))
        if pet.breed_id and pet.breed_id in card.tags["breed"]:
            found.append((WEIGHTS["breed"], f"because {pet.name} is a {pet.breed.name}"))
        if pet.species_id in card.tags["species"]:
            found.append((WEIGHTS["species"], f"because {pet.name} is a {pet.species.name.lower()}"))
    for tag_id in profile.interest_ids & card.tags["interest"]:
        found.append((WEIGHTS["interest"], f"because you're into {_words(catalog, tag_id)}"))
    interest_slugs = {catalog.tag_slugs.get(t) for t in profile.interest_ids}
    for tag_id in card.tags["topic"]:
        if catalog.tag_slugs.get(tag_id) in interest_slugs:
            found.append((WEIGHTS["topic"], f"because you're into {_words(catalog, tag_id)}"))
    return found


def score(card: PodCard, profile: Profile, catalog: Catalog) -> tuple[float, str] | None:
    pets_species = {p.species_id for p in profile.pets}
    if card.tags["species"] and not card.tags["species"] & pets_species:
        return None  # a cat pod is no use to a dog household
    found = sorted(_matches(card, profile, catalog), key=lambda f: -f[0])
    total = sum(w for w, _ in found)
    reason = found[0][1] if found else ""
    pod = card.pod
    if pod.region_id:
        if pod.region_id == profile.place_id:
            total += WEIGHTS["city"]
            reason = f"{reason} · near you in {profile.place_name}" if reason else f"near you in {profile.place_name}"
        elif profile.region_id in card.region_ids:
            total += WEIGHTS["region"]
            reason = reason or "in your part of the world"
        else:
            total *= 0.5  # a local pod elsewhere matters less
    if total <= 0 or not reason:
        return None
    return round(total * _activity(pod, catalog.now) * _room(pod), 3), reason[:200]


def _activity(pod: Pod, now) -> float:
    if pod.last_post_at is None:
        return 0.7
    age = now - pod.last_post_at
    return 1.2 if age <= timedelta(days=7) else 1.0 if age <= timedelta(days=30) else 0.8


def _room(pod: Pod) -> float:
    if pod.member_count >= pod.member_cap:
        return 0.4  # still worth knowing: there's a waitlist
    return 0.7 + 0.3 * (pod.member_cap - pod.member_count) / pod.member_cap


def _candidates(profile: Profile, catalog: Catalog) -> set[int]:
    ids = set()
    tag_ids = set(profile.interest_ids)
    for pet in profile.pets:
        tag_ids |= {pet.species_id, pet.breed_id} | {n.pk for n in pet.needs.all()}
    topic_by_slug = {slug: pk for pk, slug in catalog.tag_slugs.items()}
    tag_ids |= {topic_by_slug.get(catalog.tag_slugs.get(t)) for t in profile.interest_ids}
    for tag_id in tag_ids - {None}:
        ids |= catalog.by_tag.get(tag_id, set())
    ids |= catalog.by_place.get(profile.place_id, set()) | catalog.by_place.get(profile.region_id, set())
    return ids - profile.excluded


def _refresh_batch(member_ids: list[int], catalog: Catalog) -> int:
    rows = []
    for member_id, profile in _profiles(member_ids, catalog).items():
        scored = []
        for pod_id in _candidates(profile, catalog):
            result = score(catalog.cards[pod_id], profile, catalog)
            if result:
                scored.append((result[0], pod_id, result[1]))
        scored.sort(key=lambda r: (-r[0], r[1]))
        rows += [PodSuggestion(member_id=member_id, pod_id=pod_id, score=s, reason=reason, computed_at=catalog.now)
                 for s, pod_id, reason in scored[:PER_MEMBER]]
    with transaction.atomic():  # a re-run replaces, never adds
        PodSuggestion.objects.filter(member_id__in=member_ids).delete()
        PodSuggestion.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def suggestions_refresh(*, now=None) -> int:
    """Everyone (the hourly task), in batches; returns the number of suggestions stored."""
    catalog = Catalog(now or timezone.now())
    ids = list(get_user_model().objects.filter(is_active=True, deleted_at__isnull=True).order_by("pk")
               .values_list("pk", flat=True))
    return sum(_refresh_batch(ids[i:i + BATCH], catalog) for i in range(0, len(ids), BATCH))


def suggestions_refresh_for(member_id: int, *, now=None) -> int:
    """One member, right after onboarding or a pet change."""
    return _refresh_batch([member_id], Catalog(now or timezone.now()))
