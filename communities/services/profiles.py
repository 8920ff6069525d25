"""Profile writes: the member's own profile fields, visibilities and onboarding answers."""

import logging
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import hooks
from ..models import Place, Tag, User, Visibility
from .accounts import files_delete_on_commit

logger = logging.getLogger(__name__)
VISIBILITY_FIELDS = ("bio_visibility", "region_visibility", "pets_visibility", "interests_visibility")


def _check_tags(tags, kind: str, field: str) -> list[Tag]:
    tags = list(tags or [])
    if any(t.kind != kind for t in tags):
        raise ValidationError({field: f"Choose {Tag.Kind(kind).label.lower()} tags only."})
    return tags


def _check_region(region: Place | None) -> None:
    if region is not None and not isinstance(region, Place):
        raise ValidationError({"region": "Choose a place from the list."})


@transaction.atomic
def profile_update(*, actor: User, display_name: str, bio: str, region: Place | None, interests,
                   time_zone: str, visibilities: dict[str, str], avatar=None, avatar_clear: bool = False) -> User:
    """Save the actor's own profile. `avatar` is a file already through `images.validate_and_reencode`."""
    _check_region(region)
    interests = _check_tags(interests, Tag.Kind.INTEREST, "interests")
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": "Choose a time zone from the list."})
    for field, value in visibilities.items():
        if field not in VISIBILITY_FIELDS or value not in Visibility.values:
            raise ValidationError({field: "Choose who may see this."})
        setattr(actor, field, value)
    actor.display_name, actor.bio = display_name.strip(), bio.strip()
    actor.region, actor.time_zone = region, time_zone
    if (avatar or avatar_clear) and actor.avatar:
        files_delete_on_commit([actor.avatar])
        actor.avatar = ""
    if avatar:
        actor.avatar.save(avatar.name, avatar, save=False)
    actor.save()
    actor.interests.set(interests)
    return actor


def _refresh_pod_suggestions(member_id: int) -> None:
    """Onboarding answers drive "Pods for you": the pods app recomputes this member's suggestions once
    committed (through `hooks.onboarding_answered`); without it, nothing to do."""
    transaction.on_commit(lambda: hooks.onboarding_answered.call(member_id=member_id))


@transaction.atomic
def onboarding_complete(*, actor: User, region: Place | None, interests) -> User:
    """Save the onboarding answers (pets are added with `pet_create`) and mark the member onboarded."""
    _check_region(region)
    interests = _check_tags(interests, Tag.Kind.INTEREST, "interests")
    actor.region = region
    if actor.onboarded_at is None:
        actor.onboarded_at = timezone.now()
    actor.save(update_fields=["region", "onboarded_at"])
    actor.interests.set(interests)
    _refresh_pod_suggestions(actor.pk)
    return actor
