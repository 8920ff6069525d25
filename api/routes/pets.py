"""The caller's own pets: list, add, change, remove (the settings page's services). Someone else's pet
is a 404; how pets show to others is the profile's `pets_visibility` (GET /members/{username})."""

from django.core.exceptions import ValidationError
from ninja import Router, Status

from communities.models import Pet, Tag
from communities.selectors.members import pet_own_get, pets_own
from communities.services.pets import pet_create, pet_delete, pet_update

from .. import presenters
from ..auth import READ, WRITE, require_scope
from ..responses import answers
from ..schemas import Done, Id, MyPetOut, PetIn, PetPatchIn

router = Router(tags=["members"])


def _tags(data: dict) -> dict:
    """Slugs → tags; an unknown slug is refused at its field (the service checks the kinds fit)."""
    species = Tag.objects.filter(kind=Tag.Kind.SPECIES, slug=data["species"]).first()
    breed = None
    if data.get("breed"):
        breed = Tag.objects.filter(kind=Tag.Kind.BREED, slug=data["breed"]).first()
        if breed is None:
            raise ValidationError({"breed": "Unknown breed: use a breed tag's slug, or null."})
    wanted = sorted(set(data.get("needs") or []))
    needs = list(Tag.objects.filter(kind=Tag.Kind.NEED, slug__in=wanted))
    if len(needs) != len(wanted):
        raise ValidationError({"needs": "Unknown need: use need tags' slugs."})
    return {"name": data["name"], "species": species, "breed": breed, "birth_year": data.get("birth_year"),
            "needs": needs}


def _out(request, pet: Pet) -> dict:
    return presenters.my_pet(*pet_own_get(owner=request.user, pet_id=pet.pk))


@router.get("/me/pets", response=answers(list[MyPetOut]))
def my_pets(request):
    require_scope(request, READ)
    return [presenters.my_pet(pet, card) for pet, card in pets_own(owner=request.user)]


@router.post("/me/pets", response=answers(MyPetOut, status=201))
def my_pet_add(request, data: PetIn):
    require_scope(request, WRITE)
    pet = pet_create(actor=request.user, **_tags(data.dict()))
    return Status(201, _out(request, pet))


@router.patch("/me/pets/{pet_id}", response=answers(MyPetOut))
def my_pet_change(request, pet_id: Id, data: PetPatchIn):
    """Only the fields sent change."""
    require_scope(request, WRITE)
    pet, _ = pet_own_get(owner=request.user, pet_id=pet_id)
    current = {"name": pet.name, "species": pet.species.slug, "breed": pet.breed.slug if pet.breed_id else None,
               "birth_year": pet.birth_year, "needs": [t.slug for t in pet.needs.all()]}
    sent = data.dict(exclude_unset=True)
    for key in ("name", "species", "needs"):  # these cannot be emptied: null leaves them as they are
        if sent.get(key, "") is None:
            del sent[key]
    pet = pet_update(actor=request.user, pet=pet, **_tags({**current, **sent}))
    return _out(request, pet)


@router.delete("/me/pets/{pet_id}", response=answers(Done))
def my_pet_remove(request, pet_id: Id):
    require_scope(request, WRITE)
    pet, _ = pet_own_get(owner=request.user, pet_id=pet_id)
    pet_delete(actor=request.user, pet=pet)
    return {"ok": True}
