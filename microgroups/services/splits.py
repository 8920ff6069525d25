"""Splitting a pod that outgrew itself: propose 2–4 sub-pods, then create them and invite people.

Proposals group the pod's members (and the people waiting) on region and on sub-niche tags (their
pets' needs and breeds and their interests that the pod itself doesn't carry). They're recomputed on
confirmation; a fingerprint of what the steward saw guards against confirming a changed proposal.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from communities.models import Pet, Place, Tag

from ..models import Membership, Pod, WaitlistEntry
from ._common import check_steward, notify
from .invites import invite_create
from .pods import pod_create

MIN_GROUP = 3
MAX_GROUPS = 4


@dataclass
class Group:
    label: str
    member_ids: list[int] = field(default_factory=list)
    waiting_ids: list[int] = field(default_factory=list)
    region: Place | None = None
    tag: Tag | None = None

    @property
    def size(self) -> int:
        return len(self.member_ids) + len(self.waiting_ids)


@dataclass
class Proposal:
    basis: str  # "region" or "niche"
    groups: list[Group]

    @property
    def fingerprint(self) -> str:
        raw = self.basis + "|" + "|".join(f"{g.label}:{sorted(g.member_ids + g.waiting_ids)}" for g in self.groups)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def split_offered(pod: Pod) -> bool:
    """Stewards are offered a split when the pod is full or its waitlist passed the threshold."""
    if pod.is_umbrella:
        return False
    waiting = WaitlistEntry.objects.filter(pod=pod).count()
    return pod.member_count >= pod.member_cap or waiting > pod.split_offer_waitlist


def _people(pod: Pod) -> tuple[list[int], list[int]]:
    members = list(Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE).order_by("joined_at", "pk")
                   .values_list("member_id", flat=True))
    waiting = list(WaitlistEntry.objects.filter(pod=pod).order_by("created_at", "pk").values_list("member_id",
                                                                                                  flat=True))
    return members, waiting


def _finish(groups: dict, order: list, members: set[int], fallback: str) -> list[Group]:
    """Keep the biggest groups (at most MAX_GROUPS - 1), fold the rest into one "everyone else" group."""
    kept = [groups[k] for k in order[: MAX_GROUPS - 1] if groups[k].size >= MIN_GROUP]
    placed = {m for g in kept for m in g.member_ids + g.waiting_ids}
    rest = Group(label=fallback)
    for g in groups.values():
        for m in g.member_ids + g.waiting_ids:
            if m not in placed:
                (rest.member_ids if m in members else rest.waiting_ids).append(m)
                placed.add(m)
    if rest.size >= MIN_GROUP:
        kept.append(rest)
    elif kept and rest.size:
        kept[-1].member_ids += rest.member_ids
        kept[-1].waiting_ids += rest.waiting_ids
    return kept if 2 <= len(kept) <= MAX_GROUPS else []


def _by_region(members: list[int], waiting: list[int]) -> list[Group]:
    users = get_user_model().objects.filter(pk__in=members + waiting).select_related("region__parent")
    groups: dict[int | None, Group] = {}
    for u in users:
        place = u.region.parent if u.region_id and u.region.kind == Place.Kind.CITY and u.region.parent_id \
            else u.region
        key = place.pk if place else None
        g = groups.setdefault(key, Group(label=place.name if place else "Anywhere", region=place))
        (g.member_ids if u.pk in set(members) else g.waiting_ids).append(u.pk)
    order = sorted((k for k in groups if k is not None), key=lambda k: (-groups[k].size, groups[k].label))
    groups.setdefault(None, Group(label="Anywhere"))
    return _finish(groups, order, set(members), "Everywhere else")


def _sub_tags(pod: Pod, people: list[int]) -> dict[int, set[int]]:
    """Each person's needs, breeds and interests that the pod's own tags don't already cover."""

    own = set(pod.tags.values_list("pk", flat=True))
    tags: dict[int, set[int]] = {p: set() for p in people}
    for owner_id, breed_id in Pet.objects.filter(owner_id__in=people, breed__isnull=False).values_list("owner_id",
                                                                                                       "breed_id"):
        tags[owner_id].add(breed_id)
    for owner_id, need_id in Pet.needs.through.objects.filter(pet__owner_id__in=people).values_list("pet__owner_id",
                                                                                                    "tag_id"):
        tags[owner_id].add(need_id)
    through = get_user_model().interests.through
    for user_id, tag_id in through.objects.filter(user_id__in=people).values_list("user_id", "tag_id"):
        tags[user_id].add(tag_id)
    return {p: t - own for p, t in tags.items()}


def _by_niche(pod: Pod, members: list[int], waiting: list[int]) -> list[Group]:
    """Greedy: the sub-niche most people share takes them, then the next among the rest, and so on."""
    tags = _sub_tags(pod, members + waiting)
    names = {t.pk: t for t in Tag.objects.filter(pk__in={t for ts in tags.values() for t in ts})}
    left, groups, order = list(members + waiting), {}, []
    while left and len(order) < MAX_GROUPS - 1:
        counts = Counter(t for p in left for t in tags[p])
        if not counts:
            break
        tag_id, n = min(counts.items(), key=lambda kv: (-kv[1], names[kv[0]].name))
        if n < MIN_GROUP:
            break
        g = groups[tag_id] = Group(label=names[tag_id].name.capitalize(), tag=names[tag_id])
        for p in [p for p in left if tag_id in tags[p]]:
            (g.member_ids if p in set(members) else g.waiting_ids).append(p)
        left = [p for p in left if tag_id not in tags[p]]
        order.append(tag_id)
    groups[None] = Group(label="Everyone else", member_ids=[p for p in left if p in set(members)],
                         waiting_ids=[p for p in left if p not in set(members)])
    return _finish(groups, order, set(members), "Everyone else")


def split_proposals(pod: Pod) -> list[Proposal]:
    """The ways this pod could split (by region, by sub-niche), each with 2–4 groups; may be empty."""
    members, waiting = _people(pod)
    found = []
    for basis, groups in (("region", _by_region(members, waiting)), ("niche", _by_niche(pod, members, waiting))):
        if groups:
            found.append(Proposal(basis=basis, groups=groups))
    return found


def _child_slug(pod: Pod, label: str) -> str:
    base = f"{pod.slug}-{slugify(label)}"[:74] or pod.slug[:74]
    slug, n = base, 2
    while Pod.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def split_confirm(*, actor, pod: Pod, basis: str, fingerprint: str) -> list[Pod]:
    """Create the child pods, invite each person to the one that fits (a single-use invite bound to
    them, and a notification), and keep the parent as an umbrella listing its children."""

    check_steward(actor, pod)
    locked = Pod.objects.select_for_update().get(pk=pod.pk)
    if locked.is_umbrella:
        raise ValidationError("This pod has already been split.")
    if not split_offered(locked):
        raise ValidationError("A split is offered when the pod is full or its waitlist is long.")
    proposal = next((p for p in split_proposals(locked) if p.basis == basis), None)
    if proposal is None or proposal.fingerprint != fingerprint:
        raise ValidationError("The pod changed since you looked: please review the new proposal.")
    charter = locked.charters.order_by("-version").first()
    parent_tags = list(locked.tags.all())
    children = []
    for group in proposal.groups:
        child = _create_child(actor, locked, group, charter.body if charter else "Be kind.", parent_tags, pod_create)
        _invite_group(actor, child, group)
        children.append(child)
    Pod.objects.filter(pk=locked.pk).update(is_umbrella=True)
    pod.is_umbrella = True
    return children


def _create_child(actor, parent: Pod, group: Group, charter: str, parent_tags: list, pod_create) -> Pod:
    tags = parent_tags + ([group.tag] if group.tag else [])
    return pod_create(
        actor=actor, name=f"{parent.name} · {group.label}"[:80], slug=_child_slug(parent, group.label),
        charter=charter, description=parent.description, privacy=parent.privacy, is_unlisted=parent.is_unlisted,
        member_cap=parent.member_cap, question=parent.question, welcome_message=parent.welcome_message,
        prompt_text=parent.prompt_text, prompt_weekday=parent.prompt_weekday,
        region=group.region or parent.region, tags=tags, parent=parent,
    )


def _invite_group(actor, child: Pod, group: Group) -> None:
    people = get_user_model().objects.filter(pk__in=group.member_ids + group.waiting_ids).exclude(pk=actor.pk)
    for person in people:
        invite = invite_create(actor=actor, pod=child, expires_in_days=30, max_uses=1, for_member=person)
        notify(recipient=person, pod=child, actor=actor, url=f"/pods/join/{invite.code}/",
               verb=f"{child.parent.name} is splitting: you're invited to {child.name}")


