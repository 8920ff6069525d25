"""Following members: their Commons posts make up the "Following" feed."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Follow, NotificationKind
from ..policy import check_can_act
from .notifications import notification_create


@transaction.atomic
def follow_create(*, actor, followee) -> bool:
    """Follow a member; returns False when already following (a double submit is harmless)."""
    check_can_act(actor)
    if followee.pk == actor.pk:
        raise ValidationError("You can't follow yourself.")
    if followee.deleted_at or not followee.is_active:
        raise ValidationError("This member has left.")
    try:
        with transaction.atomic():
            Follow.objects.create(follower=actor, followee=followee)
    except IntegrityError:
        return False

    notification_create(recipient=followee, kind=NotificationKind.FOLLOW, actor=actor,
                        verb=f"{actor.name} started following you", url=f"/members/{actor.username}/")
    return True


@transaction.atomic
def follow_delete(*, actor, followee) -> bool:
    check_can_act(actor)
    deleted, _ = Follow.objects.filter(follower=actor, followee=followee).delete()
    return bool(deleted)
