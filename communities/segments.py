"""Member segments: the directory's filters, reused by managers to address announcements.

A segment is a plain dict of slugs and numbers (JSON-storable on `Post.segment`):
    {"q": "ann", "species": "dog", "breed": "labrador", "needs": ["senior"], "region": "leeds",
     "interests": ["hiking"], "active": 30}
Semantics, chosen so a manager can read them back in `segment_describe`:
- species, breed and needs describe ONE pet ("members with senior dogs" = a pet that is a dog and senior);
  several needs narrow (the same pet has every listed need).
- region matches the place and every place under it (a region includes its cities).
- interests widen (the member has at least one of them).
- active keeps members seen in the last N days.

`viewer` (the directory) restricts each field filter to members whose field the viewer may see, so a
filter can never reveal a hidden region, pet or interest by its results. `viewer=None` is the system
(announcements addressed by a manager), which may match every field.
"""

from datetime import timedelta

from django import forms
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Pet, Place, Tag, User
from .policy import policy_for

ACTIVE_CHOICES = [("", "Any time"), ("7", "Active in the last week"), ("30", "Active in the last month"),
                  ("90", "Active in the last 3 months")]
FILTER_KEYS = ("q", "species", "breed", "needs", "region", "interests", "active")


def place_subtree_ids(slug: str) -> QuerySet:
    """Ids of a place and everything under it (the tree is at most country › region › city)."""
    return Place.objects.filter(Q(slug=slug) | Q(parent__slug=slug) | Q(parent__parent__slug=slug)).values("pk")


def _visible_field_q(viewer, field: str) -> Q:
    return policy_for(viewer).visible_field_q(field)


def segment_members(filters: dict, *, viewer=None) -> QuerySet[User]:
    """Active, undeleted members matching `filters` (unknown keys and empty values are ignored)."""
    f = {k: v for k, v in (filters or {}).items() if k in FILTER_KEYS and v not in (None, "", [], ())}
    # Accounts nobody can sign in to (the pods' system author, deleted members) are not members to list.
    qs = User.objects.filter(is_active=True, deleted_at__isnull=True).exclude(
        password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if f.get("q"):
        qs = qs.filter(Q(display_name__icontains=f["q"]) | Q(username__icontains=f["q"]))
    if any(k in f for k in ("species", "breed", "needs")):
        pets = Pet.objects.all()
        if f.get("species"):
            pets = pets.filter(species__slug=f["species"])
        if f.get("breed"):
            pets = pets.filter(breed__slug=f["breed"], breed__kind=Tag.Kind.BREED)
        for need in f.get("needs", []):
            pets = pets.filter(needs__slug=need, needs__kind=Tag.Kind.NEED)  # one join per need: all of them
        qs = qs.filter(Q(pk__in=pets.values("owner_id")) & _visible_field_q(viewer, "pets"))
    if f.get("region"):
        qs = qs.filter(Q(region__in=place_subtree_ids(f["region"])) & _visible_field_q(viewer, "region"))
    if f.get("interests"):
        with_interest = User.interests.through.objects.filter(
            tag__slug__in=list(f["interests"]), tag__kind=Tag.Kind.INTEREST).values("user_id")
        qs = qs.filter(Q(pk__in=with_interest) & _visible_field_q(viewer, "interests"))
    if f.get("active"):
        qs = qs.filter(last_active_at__gte=timezone.now() - timedelta(days=int(f["active"])))
    return qs


def _plural(name: str) -> str:
    lower = name.lower()
    if lower.endswith(("fish", "sheep")):
        return lower
    if lower.endswith(("s", "x", "sh", "ch")):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    return lower + "s"


def _or_list(names: list[str], joiner: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {joiner} " + names[-1]


def segment_describe(filters: dict) -> str:
    """A sentence a manager can check before sending: "members with senior dogs in Leeds"."""
    f = {k: v for k, v in (filters or {}).items() if k in FILTER_KEYS and v not in (None, "", [], ())}
    slugs = [f.get("species"), f.get("breed"), *f.get("needs", []), *f.get("interests", [])]
    names = {(t.kind, t.slug): t.name for t in Tag.objects.filter(slug__in=[s for s in slugs if s])}
    parts = ["members"]
    if f.get("q"):
        parts.append(f"named “{f['q']}”")
    if any(k in f for k in ("species", "breed", "needs")):
        needs = [names.get((Tag.Kind.NEED, s), s) for s in f.get("needs", [])]
        if f.get("breed"):
            animal = _plural(names.get((Tag.Kind.BREED, f["breed"]), f["breed"]))
        elif f.get("species"):
            animal = _plural(names.get((Tag.Kind.SPECIES, f["species"]), f["species"]))
        else:
            animal = "pets"
        parts.append(f"with {_or_list(needs, 'and')} {animal}" if needs else f"with {animal}")
    if f.get("region"):
        place = Place.objects.filter(slug=f["region"]).values_list("name", flat=True).first()
        parts.append(f"in {place or f['region']}")
    if f.get("interests"):
        parts.append("interested in " + _or_list([names.get((Tag.Kind.INTEREST, s), s) for s in f["interests"]], "or"))
    if f.get("active"):
        parts.append(f"active in the last {int(f['active'])} days")
    return " ".join(parts) if len(parts) > 1 else "all members"


VOCAB_CACHE_SECONDS = 600


def _cached(name: str, build):
    """Vocabulary choices change rarely (managers edit them in the admin, which calls vocab_forget), so
    forms reuse them from the cache instead of costing five queries on every directory page."""
    key = f"vocab:{cache.get_or_set('vocab:version', 1, None)}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, VOCAB_CACHE_SECONDS)
    return value


def vocab_forget() -> None:
    """Drop cached choices after a Tag or Place changes."""
    try:
        cache.incr("vocab:version")
    except ValueError:
        cache.set("vocab:version", 2, None)


def place_choices() -> list[tuple[str, str]]:
    """Every place as "Country › Region › City", in tree order (one query, cached)."""
    return _cached("places", _place_choices)


def _place_choices() -> list[tuple[str, str]]:
    places = list(Place.objects.only("pk", "name", "slug", "parent_id"))
    by_id = {p.pk: p for p in places}

    def path(p: Place) -> str:
        names, seen = [p.name], {p.pk}
        while p.parent_id and p.parent_id in by_id and p.parent_id not in seen:
            p = by_id[p.parent_id]
            names.insert(0, p.name)
            seen.add(p.pk)
        return " › ".join(names)

    return sorted(((p.slug, path(p)) for p in places), key=lambda c: c[1].lower())


def tag_choices(kind: str) -> list[tuple[str, str]]:
    return _cached(f"tags:{kind}", lambda: list(
        Tag.objects.filter(kind=kind).order_by("name").values_list("slug", "name")))


def breed_choices() -> list:
    """Breeds grouped under their species (rendered as <optgroup>s), so the list reads filtered by species."""
    return _cached("breeds", _breed_choices)


def _breed_choices() -> list:
    groups: dict[str, list[tuple[str, str]]] = {}
    for slug, name, species in (Tag.objects.filter(kind=Tag.Kind.BREED).order_by("species__name", "name")
                                .values_list("slug", "name", "species__name")):
        groups.setdefault(species or "Other", []).append((slug, name))
    return list(groups.items())


class SegmentForm(forms.Form):
    """The directory's filter form; managers use the same form to address announcements."""

    q = forms.CharField(label="Name", required=False, max_length=60)
    species = forms.ChoiceField(label="Species", required=False)
    breed = forms.ChoiceField(label="Breed", required=False)
    needs = forms.MultipleChoiceField(label="Needs or conditions", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    region = forms.ChoiceField(label="Region", required=False, help_text="Includes every place inside it.")
    interests = forms.MultipleChoiceField(label="Interests", required=False, widget=forms.CheckboxSelectMultiple)
    active = forms.ChoiceField(label="Activity", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["species"].choices = [("", "Any species"), *tag_choices(Tag.Kind.SPECIES)]
        self.fields["breed"].choices = [("", "Any breed"), *breed_choices()]
        self.fields["needs"].choices = tag_choices(Tag.Kind.NEED)
        self.fields["region"].choices = [("", "Anywhere"), *place_choices()]
        self.fields["interests"].choices = tag_choices(Tag.Kind.INTEREST)

    def clean_active(self):
        value = self.cleaned_data.get("active")
        return int(value) if value else None

    def clean(self):
        data = super().clean()
        species, breed = data.get("species"), data.get("breed")
        if species and breed and not Tag.objects.filter(kind=Tag.Kind.BREED, slug=breed,
                                                        species__slug=species).exists():
            self.add_error("breed", "That breed is not a breed of the chosen species.")
        return data

    def filters(self) -> dict:
        """The cleaned filters without empty values: what `segment_members` and `Post.segment` take."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", [], ())}
