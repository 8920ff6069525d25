"""Pet writes. Only the owner changes their pets; views look pets up by (id, owner) so others get 404."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import memberpages
from ..models import Pet, Tag, User
from .accounts import files_delete_on_commit

OLDEST_BIRTH_YEAR = 1950  # tortoises and parrots outlive their first owners
MAX_PETS = 50


def _clean(*, species: Tag, breed: Tag | None, birth_year: int | None, needs) -> list[Tag]:
    if species is None or species.kind != Tag.Kind.SPECIES:
        raise ValidationError({"species": "Choose a species from the list."})
    if breed is not None and (breed.kind != Tag.Kind.BREED or breed.species_id != species.pk):
        raise ValidationError({"breed": f"Choose a breed of {species.name.lower()}, or leave it empty."})
    if birth_year is not None and not OLDEST_BIRTH_YEAR <= birth_year <= timezone.now().year:
        raise ValidationError({"birth_year": f"Enter a year between {OLDEST_BIRTH_YEAR} and {timezone.now().year}."})
    needs = list(needs or [])
    if any(t.kind != Tag.Kind.NEED for t in needs):
        raise ValidationError({"needs": "Choose needs from the list."})
    return needs


@transaction.atomic
def pet_create(*, actor: User, name: str, species: Tag, breed: Tag | None = None, birth_year: int | None = None,
               needs=(), photo=None) -> Pet:
    """`photo` is a file already through `images.validate_and_reencode`."""
    needs = _clean(species=species, breed=breed, birth_year=birth_year, needs=needs)
    if not name.strip():
        raise ValidationError({"name": "Give your pet's name."})
    if Pet.objects.filter(owner=actor).count() >= MAX_PETS:
        raise ValidationError(f"A member may list up to {MAX_PETS} pets.")
    pet = Pet(owner=actor, name=name.strip(), species=species, breed=breed, birth_year=birth_year)
    if photo:
        pet.photo.save(photo.name, photo, save=False)
    pet.save()
    pet.needs.set(needs)
    memberpages.forget(actor.pk)  # the composer offers their pets
    return pet


@transaction.atomic
def pet_update(*, actor: User, pet: Pet, name: str, species: Tag, breed: Tag | None = None,
               birth_year: int | None = None, needs=(), photo=None, photo_clear: bool = False) -> Pet:
    if pet.owner_id != actor.pk:
        raise PermissionDenied("Only the owner may change this pet.")
    needs = _clean(species=species, breed=breed, birth_year=birth_year, needs=needs)
    if not name.strip():
        raise ValidationError({"name": "Give your pet's name."})
    pet.name, pet.species, pet.breed, pet.birth_year = name.strip(), species, breed, birth_year
    if (photo or photo_clear) and pet.photo:
        files_delete_on_commit([pet.photo])
        pet.photo = ""
    if photo:
        pet.photo.save(photo.name, photo, save=False)
    pet.save()
    pet.needs.set(needs)
    memberpages.forget(actor.pk)  # the composer offers their pets
    return pet


@transaction.atomic
def pet_delete(*, actor: User, pet: Pet) -> None:
    if pet.owner_id != actor.pk:
        raise PermissionDenied("Only the owner may remove this pet.")
    files_delete_on_commit([pet.photo])
    pet.delete()
    memberpages.forget(actor.pk)
