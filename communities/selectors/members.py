"""Reads for profile pages and the member directory.

Both return plain cards holding ONLY what the viewer may see: hidden fields never reach a template,
so no template mistake can leak them. Field visibility is decided by `permissions.can_see_field`.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode

from ..models import Pet, Place, Post, Tag, User
from ..models.members import directory_name
from ..policy import can_see_field, readable_posts_q
from ..segments import segment_members

DIRECTORY_PAGE_SIZE = 24
PROFILE_POSTS = 10


@dataclass
class PetCard:
    id: int
    name: str
    species: str
    breed: str
    age: str
    needs: list[str]
    photo_url: str


@dataclass
class MemberCard:
    member: User
    region: str | None = None  # None: hidden from this viewer (or not set)
    pets: list[PetCard] | None = None
    interests: list[str] | None = None


@dataclass
class Profile(MemberCard):
    bio: str | None = None
    posts: list[Post] = field(default_factory=list)
    is_self: bool = False


def place_label(place: Place | None) -> str | None:
    """"Leeds, England" (the place and its parent) from a place loaded with select_related("parent")."""
    if place is None:
        return None
    return f"{place.name}, {place.parent.name}" if place.parent_id else place.name


def _age(birth_year: int | None) -> str:
    if not birth_year:
        return ""
    years = timezone.now().year - birth_year
    return "under a year" if years < 1 else f"{years} year{'s' if years != 1 else ''}"


def _pet_card(pet: Pet, *, with_needs: bool) -> PetCard:
    return PetCard(id=pet.pk, name=pet.name, species=pet.species.name, breed=pet.breed.name if pet.breed else "",
                   age=_age(pet.birth_year), needs=[t.name for t in pet.needs.all()] if with_needs else [],
                   photo_url=pet.photo.url if pet.photo else "")


def _fill_card(card: MemberCard, viewer, *, with_needs: bool) -> MemberCard:
    m = card.member
    if can_see_field(viewer, m, m.region_visibility):
        card.region = place_label(m.region)
    if can_see_field(viewer, m, m.pets_visibility):
        card.pets = [_pet_card(p, with_needs=with_needs) for p in m.pets.all()]
    if can_see_field(viewer, m, m.interests_visibility):
        card.interests = [t.name for t in m.interests.all()]
    return card


def _members_with_profile(*, with_needs: bool = False):
    pets = Pet.objects.select_related("species", "breed")
    if with_needs:
        pets = pets.prefetch_related("needs")
    return (User.objects.select_related("region__parent")
            .prefetch_related(Prefetch("pets", queryset=pets), Prefetch("interests", queryset=Tag.objects.all())))


def member_named(username: str) -> User | None:
    """The active member a staff form names by username (case-insensitive, a leading "@" allowed)."""
    return User.objects.filter(username__iexact=username.strip().lstrip("@"), is_active=True,
                               deleted_at__isnull=True).first()


def profile_get(*, viewer, username: str) -> Profile:
    """A member's profile as `viewer` may see it; unknown, inactive and deleted members are a 404."""
    member = (_members_with_profile(with_needs=True)
              .filter(is_active=True, deleted_at__isnull=True, username=username).first())
    if member is None:
        raise Http404("No member here.")
    profile = _fill_card(Profile(member=member), viewer, with_needs=True)
    if can_see_field(viewer, member, member.bio_visibility):
        profile.bio = member.bio
    profile.is_self = getattr(viewer, "pk", None) == member.pk
    # "Posts by": only what this viewer may read anyway (private and trusted-only pod posts stay hidden).
    profile.posts = list(Post.objects.filter(readable_posts_q(viewer), author=member)
                         .select_related("pod").order_by("-created_at", "-id")[:PROFILE_POSTS])
    return profile


@dataclass
class DirectoryPage:
    cards: list[MemberCard]
    next_cursor: str | None


def directory_page(*, viewer, filters: dict, cursor: str | None = None,
                   page_size: int = DIRECTORY_PAGE_SIZE) -> DirectoryPage:
    """One page of the directory, alphabetical by shown name, keyset-paginated on (name, id).

    Filters only match fields the viewer may see (see `segment_members(viewer=...)`).
    Queries: members, pets, interests, plus the viewer's roles: constant whatever the page length.
    """
    ids = segment_members(filters, viewer=viewer).values("pk")
    qs = _members_with_profile().filter(pk__in=ids).annotate(sort_name=directory_name())
    after = cursor_decode(cursor)
    if after:
        qs = qs.filter(Q(sort_name__gt=after[0]) | Q(sort_name=after[0], pk__gt=after[1]))
    rows = list(qs.order_by("sort_name", "pk")[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    cards = [_fill_card(MemberCard(member=m), viewer, with_needs=False) for m in rows]
    return DirectoryPage(cards=cards, next_cursor=cursor_encode(rows[-1].sort_name, rows[-1].pk) if more else None)


def pets_own(*, owner: User) -> list[tuple[Pet, PetCard]]:
    """The member's own pets with every field (their settings and the API's /me/pets), each with the
    card the profile shows (3 queries)."""
    pets = owner.pets.select_related("species", "breed").prefetch_related("needs")
    return [(pet, _pet_card(pet, with_needs=True)) for pet in pets]


def pet_own_get(*, owner: User, pet_id: int) -> tuple[Pet, PetCard]:
    """One of the member's pets; someone else's (or none) is a 404."""
    pet = (Pet.objects.select_related("species", "breed").prefetch_related("needs")
           .filter(owner=owner, pk=pet_id).first())
    if pet is None:
        raise Http404("No pet here.")
    return pet, _pet_card(pet, with_needs=True)
