"""Assigning and revoking moderators (community managers only). A revocation takes effect at once:
the next request recomputes scopes, and open queue sockets are dropped and re-checked."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.policy import is_manager
from communities.streams import refresh_streams

from ..models import ModerationLogEntry as Log
from ..models import ModeratorAssignment, QueueItem
from ..scopes import Scope, moderator_scopes_forget, scope_of_row
from ..streams import queue_close
from .log import log_write


def _check_manager(actor) -> None:
    if not is_manager(actor):
        raise PermissionDenied("Only community managers assign moderators.")


@transaction.atomic
def moderator_assign(*, actor, member, scope: Scope) -> ModeratorAssignment:
    _check_manager(actor)
    if not member.is_active or member.deleted_at:
        raise ValidationError({"member": "This account is not active."})
    try:
        with transaction.atomic():
            assignment = ModeratorAssignment.objects.create(member=member, **scope.model_fields(), created_by=actor)
    except IntegrityError:
        raise ValidationError("This member already moderates that scope.") from None
    log_write(actor=actor, action=Log.Action.ASSIGN, scope=scope, subject=member)
    moderator_scopes_forget(member)
    refresh_streams(member.pk)
    return assignment


@transaction.atomic
def moderator_revoke(*, actor, assignment: ModeratorAssignment, reason: str = "") -> ModeratorAssignment:
    _check_manager(actor)
    assignment = ModeratorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.revoked_at is not None:
        return assignment
    assignment.revoked_at = timezone.now()
    assignment.save(update_fields=["revoked_at"])
    # Their claims in this scope go back to the pool at once.

    QueueItem.objects.filter(status="open", claimed_by_id=assignment.member_id).update(claimed_by=None,
                                                                                      claimed_at=None)
    log_write(actor=actor, action=Log.Action.REVOKE, scope=scope_of_row(assignment), subject=assignment.member,
              reason=reason)
    moderator_scopes_forget(assignment.member)
    queue_close(assignment.member_id)
    return assignment
