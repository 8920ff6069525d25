""""Pods for you", precomputed: pages read the stored rows in one query, never scored per request.

The hourly task (`suggestions_refresh_changed`) rescores only what changed since the rows were stored:
members whose profile (pets, needs, region, interests, pods they're in or banned from) no longer matches
its stored digest are scored afresh, and every other member is scored against the pods whose digest
(tags, region, joinability, activity and room factors) changed, merged into their stored top rows. The
digests are compared rather than marked by each writer, so no writer (a page, the API, the admin, a
moderator's ban, a pod filling up, a week passing since a pod's last post) can leave a row stale. The
result is what `suggestions_refresh` (everyone, from scratch: the maintenance command) would store.
Scoring from scratch reads only the pods that could make a member's cut (`_ranked`).

A pod scores by how its niche tags meet the member's pets (species, breed, needs), interests and
region, then is adjusted by recent activity and the room left. Each row carries a one-line reason.
Only pods the member can join (or ask to join) are suggested: invite-only pods never are.
"""

import hashlib
from bisect import insort
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain, repeat
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communities.models import Pet, Place, Tag

from ..models import Membership, Pod, PodSuggestion, SuggestionInput

PER_MEMBER = 8
BATCH = 500
MOST_ACTIVE = 1.2  # the activity factor of a pod with a post this week; room's is 1 at most
WEIGHTS = {"need": 4.0, "breed": 3.0, "species": 2.0, "interest": 2.0, "topic": 1.5, "city": 3.0, "region": 1.5}
HALF_POINTS = {kind: int(weight * 2) for kind, weight in WEIGHTS.items()}  # every weight is a multiple of ½


@dataclass
class PodCard:
    pod: Pod
    tags: dict[str, set[int]]  # kind → tag ids
    region_ids: set[int]  # the pod's place and the region it sits in
    activity: float = 1.0  # _activity(pod, now) and _room(pod): the same for every member
    room: float = 1.0
    region_id: int | None = None  # pod.region_id, read for every pod scored (a descriptor call on the model)


@dataclass(frozen=True)
class TagName:
    pk: int
    name: str


@dataclass
class PetFacts:
    """What scoring reads of a pet, as plain values: ten thousand members' pets as model instances, each
    with its needs' related manager, cost more than scoring them."""

    pk: int
    name: str
    species_id: int
    species: TagName
    breed_id: int | None
    breed: TagName | None
    needs: list[TagName]  # in the tags' own order (kind, name), as the pet's page lists them


@dataclass
class Profile:
    pets: list[PetFacts] = field(default_factory=list)
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
        self.topic_by_slug = {slug: pk for pk, slug in self.tag_slugs.items()}
        self.pet_tags, self.tag_kinds = {}, {}
        for pk, name, kind in Tag.objects.values_list("pk", "name", "kind"):
            self.pet_tags[pk], self.tag_kinds[pk] = TagName(pk, name), kind
        listed = Pod.objects.filter(is_unlisted=False, is_umbrella=False).exclude(privacy=Pod.Privacy.INVITE)
        # The pods' tags as (pod, tag, kind) rows, not prefetched Tag objects: a member's refresh (onboarding)
        # builds this for every pod, and at 10,000 pods the prefetch's related managers were most of its 1.3 s.
        self.cards, self.by_tag, self.by_place = {}, defaultdict(set), defaultdict(set)
        self.by_own_place = defaultdict(set)  # the pods set in exactly this place
        pod_tags = defaultdict(lambda: defaultdict(set))
        for pod_id, tag_id, kind in Pod.tags.through.objects.filter(pod__in=listed) \
                .values_list("pod_id", "tag_id", "tag__kind"):
            pod_tags[pod_id][kind].add(tag_id)
            self.by_tag[tag_id].add(pod_id)
        # Only what scoring and the digests read: a pod's other columns (dates, its JSON settings) were most
        # of building ten thousand of them, at every onboarding.
        for pod in listed.only("region_id", "last_post_at", "member_count", "member_cap"):
            places = self._up(pod.region_id)
            self.cards[pod.pk] = PodCard(pod=pod, tags=pod_tags[pod.pk], region_ids=places,
                                         activity=_activity(pod, now), room=_room(pod), region_id=pod.region_id)
            # Its own place even when that is a country: `score` counts a pod in the member's own place
            # as near them, so it must be a candidate for them.
            for pid in places | ({pod.region_id} if pod.region_id else set()):
                self.by_place[pid].add(pod.pk)
            self.by_own_place[pod.region_id].add(pod.pk)

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
    """What scoring reads of these members, as plain values."""
    if not member_ids:
        return {}
    lo, hi = min(member_ids), max(member_ids)
    # The hourly run's batches are runs of consecutive member ids: read as a range, not a list of 500 ids,
    # whose preparation (Django's per id, then psycopg splitting the statement) cost more than the queries.
    # Rows of others in the range (deactivated members) are skipped below.
    dense = hi - lo < 2 * len(member_ids)

    def among(field: str) -> dict:
        return {f"{field}__range": (lo, hi)} if dense else {f"{field}__in": member_ids}

    wanted = set(member_ids)
    profiles = {pk: Profile(place_id=region_id, place_name=region_name or "")
                for pk, region_id, region_name in get_user_model().objects.filter(**among("pk"))
                .values_list("pk", "region_id", "region__name") if pk in wanted}
    for p in profiles.values():
        ups = catalog._up(p.place_id) - {p.place_id}
        p.region_id = next(iter(ups), p.place_id)
    needs = defaultdict(list)
    for pet_id, tag_id in Pet.needs.through.objects.filter(**among("pet__owner__id")).values_list("pet_id", "tag_id"):
        needs[pet_id].append(catalog.pet_tags[tag_id])
    tags = catalog.pet_tags
    for pk, owner_id, name, species_id, breed_id in Pet.objects.filter(**among("owner__id")) \
            .order_by("created_at", "id").values_list("pk", "owner_id", "name", "species_id", "breed_id"):
        if owner_id in profiles:
            profiles[owner_id].pets.append(PetFacts(
                pk=pk, name=name, species_id=species_id, species=tags[species_id], breed_id=breed_id,
                breed=tags[breed_id] if breed_id else None, needs=sorted(needs[pk], key=lambda t: (t.name, t.pk))))
    through = get_user_model().interests.through
    for user_id, tag_id in through.objects.filter(**among("user__id")).values_list("user_id", "tag_id"):
        if user_id in profiles:
            profiles[user_id].interest_ids.add(tag_id)
    for member_id, pod_id in Membership.objects.filter(**among("member__id"), status__in=["active", "banned"]) \
            .values_list("member_id", "pod_id"):
        if member_id in profiles:
            profiles[member_id].excluded.add(pod_id)
    return profiles


def _need_phrase(pet: PetFacts, need: TagName) -> str:
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
        for need in pet.needs:
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
    """The pod's score for this member and the reason shown with it; None when it is no fit."""
    pets_species = {p.species_id for p in profile.pets}
    if card.tags["species"] and not card.tags["species"] & pets_species:
        return None  # a cat pod is no use to a dog household
    found = sorted(_matches(card, profile, catalog), key=lambda f: -f[0])
    total = sum(w for w, _ in found)
    reason = found[0][1] if found else ""
    if card.region_id:
        if card.region_id == profile.place_id:
            total += WEIGHTS["city"]
            reason = f"{reason} · near you in {profile.place_name}" if reason else f"near you in {profile.place_name}"
        elif profile.region_id in card.region_ids:
            total += WEIGHTS["region"]
            reason = reason or "in your part of the world"
        else:
            total *= 0.5  # a local pod elsewhere matters less
    if total <= 0 or not reason:
        return None
    return round(total * card.activity * card.room, 3), reason[:200]


def _activity(pod: Pod, now) -> float:
    if pod.last_post_at is None:
        return 0.7
    age = now - pod.last_post_at
    return MOST_ACTIVE if age <= timedelta(days=7) else 1.0 if age <= timedelta(days=30) else 0.8


def _room(pod: Pod) -> float:
    if pod.member_count >= pod.member_cap:
        return 0.4  # still worth knowing: there's a waitlist
    return 0.7 + 0.3 * (pod.member_cap - pod.member_count) / pod.member_cap


def _candidates(profile: Profile, catalog: Catalog, index=None) -> set[int]:
    """Pods sharing a tag or a place with the member; `index` (by tag, by place) narrows the catalog's."""
    by_tag, by_place = index or (catalog.by_tag, catalog.by_place)
    ids = set()
    tag_ids = set(profile.interest_ids)
    for pet in profile.pets:
        tag_ids |= {pet.species_id, pet.breed_id} | {n.pk for n in pet.needs}
    tag_ids |= {catalog.topic_by_slug.get(catalog.tag_slugs.get(t)) for t in profile.interest_ids}
    for tag_id in tag_ids - {None}:
        ids |= by_tag.get(tag_id, set())
    ids |= by_place.get(profile.place_id, set()) | by_place.get(profile.region_id, set())
    return ids - profile.excluded


def _digest(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _profile_digest(profile: Profile) -> str:
    """Everything of the member's that a score or a reason reads."""
    pets = sorted((p.pk, p.name, p.species_id, p.species.name, p.breed_id, p.breed.name if p.breed_id else "",
                   [(n.pk, n.name) for n in p.needs]) for p in profile.pets)
    return _digest((profile.place_id, profile.region_id, profile.place_name, sorted(profile.interest_ids),
                    sorted(profile.excluded), pets))


def _pod_digest(card: PodCard) -> str:
    """Everything of the pod's that a score reads (the activity factor moves with the catalogue's clock, so a
    pod whose last post turns a week or a month old counts as changed)."""
    return _digest((sorted((k, sorted(v)) for k, v in card.tags.items() if v), card.region_id,
                    sorted(card.region_ids), card.activity, card.room))


def _catalog_digest(catalog: Catalog) -> str:
    return _digest(sorted(catalog.tag_slugs.items()))


def _top(profile: Profile, pod_ids, catalog: Catalog) -> list[tuple[float, int, str]]:
    scored = []
    for pod_id in pod_ids:
        result = score(catalog.cards[pod_id], profile, catalog)
        if result:
            scored.append((result[0], pod_id, result[1]))
    scored.sort(key=lambda r: (-r[0], r[1]))
    return scored[:PER_MEMBER]


def _ranked(profile: Profile, catalog: Catalog) -> list[tuple[float, int, str]]:
    """What `_top` gives for every candidate, scoring only the pods that could make the cut.

    Every match weight is a multiple of ½, so counting each pod in the catalogue's index once per half
    point its tags and place could give this member (a C loop: `Counter` over the index's sets) bounds its
    total from above; a pet's species gate only takes away, and a local pod elsewhere counts half. Activity
    and room multiply a total by MOST_ACTIVE at most. Pods are scored (`score`, reasons and all) from the highest
    bound down, until a bound falls below the last score kept. At 10,000 pods a member shares a tag or a
    place with about half of them, and scoring each one was nine tenths of the refresh."""
    near = catalog.by_place.get(profile.place_id, set()) | catalog.by_place.get(profile.region_id, set())
    halves = Counter(chain.from_iterable(_bounds(profile, catalog, near)))
    top: list[tuple[float, int, str]] = []
    last = None  # the sort key of the last kept, once PER_MEMBER are kept
    for pod_id, half in sorted(halves.items(), key=itemgetter(1), reverse=True):
        # The margin covers rounding to the thousandth: a pod scoring as the last one kept, with a lower
        # id, still goes in.
        if last and half * 0.5 * MOST_ACTIVE + 0.002 < -last[0]:
            break  # every pod after this one is bounded lower still
        if pod_id in profile.excluded:
            continue
        card = catalog.cards[pod_id]
        if last:
            bound = half * 0.5 * card.activity * card.room
            if card.region_id and pod_id not in near:
                bound *= 0.5
            if bound + 0.002 < -last[0]:
                continue
        result = score(card, profile, catalog)
        if result and (last is None or (-result[0], pod_id) < last):
            insort(top, (result[0], pod_id, result[1]), key=lambda r: (-r[0], r[1]))
            del top[PER_MEMBER:]
            if len(top) == PER_MEMBER:
                last = (-top[-1][0], top[-1][1])
    return top


def _bounds(profile: Profile, catalog: Catalog, near: set[int]):
    """The catalogue's pod sets this member meets, each repeated once per half point it could give."""
    by_tag, kinds, halves = catalog.by_tag, catalog.tag_kinds, HALF_POINTS

    def sets(tag_ids, kind):
        return (by_tag[t] for t in tag_ids if t in by_tag and kinds.get(t) == kind)

    for pet in profile.pets:
        for pods in sets([n.pk for n in pet.needs], "need"):
            yield from repeat(pods, halves["need"])
        for pods in sets([pet.breed_id], "breed"):
            yield from repeat(pods, halves["breed"])
        for pods in sets([pet.species_id], "species"):
            yield from repeat(pods, halves["species"])
    for pods in sets(profile.interest_ids, "interest"):
        yield from repeat(pods, halves["interest"])
    interest_slugs = {catalog.tag_slugs.get(t) for t in profile.interest_ids}
    for pods in sets([t for t, slug in catalog.tag_slugs.items() if slug in interest_slugs], "topic"):
        yield from repeat(pods, halves["topic"])
    # Near: a region's weight, and a city's for the pods set in the member's own place.
    yield from repeat(near, halves["region"])
    if profile.place_id:
        yield from repeat(catalog.by_own_place.get(profile.place_id, set()), halves["city"] - halves["region"])


def _store(tops: dict[int, list[tuple[float, int, str]]], now) -> int:
    """Replace the rows of these members (a re-run replaces, never adds)."""
    rows = [PodSuggestion(member_id=member_id, pod_id=pod_id, score=s, reason=reason, computed_at=now)
            for member_id, top in tops.items() for s, pod_id, reason in top]
    with transaction.atomic():
        PodSuggestion.objects.filter(member_id__in=list(tops)).delete()
        PodSuggestion.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _remember(digests: dict[str, str], now, *, forget=()) -> None:
    if forget:
        SuggestionInput.objects.filter(key__in=list(forget)).delete()
    SuggestionInput.objects.bulk_create(
        [SuggestionInput(key=k, digest=d, computed_at=now) for k, d in digests.items()], batch_size=1000,
        update_conflicts=True, unique_fields=["key"], update_fields=["digest", "computed_at"])


def _refresh_batch(member_ids: list[int], catalog: Catalog, profiles: dict[int, Profile] | None = None) -> int:
    """Score these members afresh and remember what they were scored from."""
    profiles = profiles if profiles is not None else _profiles(member_ids, catalog)
    tops = {member_id: _ranked(profile, catalog) for member_id, profile in profiles.items()}
    stored = _store(tops, catalog.now)
    _remember_profiles(profiles, catalog.now)
    return stored


def _remember_profiles(profiles: dict[int, Profile], now) -> None:
    """Record what these members were scored from (their digests), as the hourly run compares them."""
    _remember({f"member:{m}": _profile_digest(p) for m, p in profiles.items()}, now)


def _pod_digests(catalog: Catalog) -> dict[str, str]:
    return {f"pod:{pk}": _pod_digest(card) for pk, card in catalog.cards.items()} | \
        {"catalog": _catalog_digest(catalog)}


def _member_ids() -> list[int]:
    return list(get_user_model().objects.filter(is_active=True, deleted_at__isnull=True).order_by("pk")
                .values_list("pk", flat=True))


def suggestions_refresh(*, now=None) -> int:
    """Everyone, from scratch, in batches; returns the number of suggestions stored."""
    catalog = Catalog(now or timezone.now())
    ids = _member_ids()
    stored = sum(_refresh_batch(ids[i:i + BATCH], catalog) for i in range(0, len(ids), BATCH))
    pods = _pod_digests(catalog)
    gone = set(SuggestionInput.objects.filter(key__startswith="pod:").values_list("key", flat=True)) - set(pods)
    _remember(pods, catalog.now, forget=gone)
    return stored


def suggestions_refresh_changed(*, now=None) -> int:
    """The hourly task: rescore only what changed since the rows were stored (see the module docstring);
    returns the number of members whose rows were rewritten."""
    catalog = Catalog(now or timezone.now())
    known = dict(SuggestionInput.objects.values_list("key", "digest"))
    pods = _pod_digests(catalog)
    if known.get("catalog") != pods["catalog"]:
        suggestions_refresh(now=catalog.now)  # the shared vocabulary changed: every reason may read differently
        return len(_member_ids())
    changed = {int(k[4:]) for k, d in pods.items() if k != "catalog" and known.get(k) != d}
    gone = {int(k[4:]) for k in known if k.startswith("pod:") and k not in pods}
    moved = changed | gone
    # The catalog's index narrowed to the changed pods: members are scored against those alone.
    index = ({t: ids & changed for t, ids in catalog.by_tag.items() if ids & changed},
             {p: ids & changed for p, ids in catalog.by_place.items() if ids & changed})
    ids = _member_ids()
    rewritten = 0
    for i in range(0, len(ids), BATCH):
        batch = ids[i:i + BATCH]
        profiles = _profiles(batch, catalog)
        stale = {m for m, p in profiles.items() if known.get(f"member:{m}") != _profile_digest(p)}
        tops = {}
        if changed or gone:
            stored = defaultdict(list)
            for member_id, pod_id, s, reason in PodSuggestion.objects.filter(member_id__in=batch) \
                    .values_list("member_id", "pod_id", "score", "reason"):
                stored[member_id].append((s, pod_id, reason))
            for member_id, profile in profiles.items():
                rows = stored[member_id]
                if member_id in stale:
                    continue
                if any(pod_id in moved for _, pod_id, _ in rows) or (gone and len(rows) < PER_MEMBER):
                    # A stored pod may now score below the member's next best, or have left the catalog
                    # (deleted, made invite-only or an umbrella: a deleted pod's rows are gone already,
                    # leaving its members short).
                    stale.add(member_id)
                    continue
                fresh = _top(profile, _candidates(profile, catalog, index), catalog)
                if fresh:
                    top = sorted(rows + fresh, key=lambda r: (-r[0], r[1]))[:PER_MEMBER]
                    if top != sorted(rows, key=lambda r: (-r[0], r[1])):
                        tops[member_id] = top
        if stale:
            _refresh_batch(sorted(stale), catalog, {m: profiles[m] for m in stale})
        if tops:
            _store(tops, catalog.now)
        rewritten += len(stale) + len(tops)
    _remember({k: d for k, d in pods.items() if known.get(k) != d}, catalog.now, forget={f"pod:{p}" for p in gone})
    return rewritten


def suggestions_refresh_for(member_id: int, *, now=None) -> int:
    """One member, right after onboarding or a pet change. Its rows are scored against the pods as they
    are now, not as the stored pod digests say, so the next hourly run scores the member afresh."""
    catalog = Catalog(now or timezone.now())
    tops = {m: _ranked(p, catalog) for m, p in _profiles([member_id], catalog).items()}
    SuggestionInput.objects.filter(key=f"member:{member_id}").delete()
    return _store(tops, catalog.now)
