"""Assigning, moving and revoking moderators (the Team page and the admin; community managers only).

Every change is logged with its reason. A scope the actor may not assign in answers 404 (the policy's
`check_can_assign_moderators`), the same as one that does not exist. A revocation takes effect at once:
the next request recomputes scopes, and open queue sockets are dropped and re-checked.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.policy import check_can_assign_moderators
from communities.streams import refresh_streams

from ..models import ModerationLogEntry as Log
from ..models import ModeratorAssignment, QueueItem
from ..scopes import Scope, moderator_scopes_forget, scope_of_row
from ..streams import queue_close
from .log import log_write

REASON_MAX = 500


def reason_clean(reason: str | None, *, required: bool) -> str:
    """The reason kept in the log: required on the Team page, never longer than the log keeps."""
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": "Say why: the log keeps the reason with the change."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters (this is {len(reason)})."})
    return reason


def _check_member(member) -> None:
    if not member.is_active or member.deleted_at:
        raise ValidationError({"member": "This account is not active."})


def _label(scope: Scope) -> str:
    return ModeratorAssignment(**scope.model_fields()).scope_label


def _insert(*, actor, member, scope: Scope) -> ModeratorAssignment:
    try:
        with transaction.atomic():
            return ModeratorAssignment.objects.create(member=member, **scope.model_fields(), created_by=actor)
    except IntegrityError:
        raise ValidationError({"scope": "This member already moderates that scope."}) from None


def _release_claims(member_id: int) -> None:
    """Their claims go back to the pool at once: whoever still covers an item may take it."""
    QueueItem.objects.filter(status="open", claimed_by_id=member_id).update(claimed_by=None, claimed_at=None)


@transaction.atomic
def moderator_assign(*, actor, member, scope: Scope, reason: str = "",
                     reason_required: bool = False) -> ModeratorAssignment:
    check_can_assign_moderators(actor, scope)
    reason = reason_clean(reason, required=reason_required)
    _check_member(member)
    assignment = _insert(actor=actor, member=member, scope=scope)
    log_write(actor=actor, action=Log.Action.ASSIGN, scope=scope, subject=member, reason=reason)
    moderator_scopes_forget(member)
    refresh_streams(member.pk)
    return assignment


@transaction.atomic
def moderator_move(*, actor, assignment: ModeratorAssignment, scope: Scope, reason: str) -> ModeratorAssignment:
    """Move a moderator from one scope to another: the old assignment is revoked and a new one made, in
    one transaction, logged once (in the new scope, before → after)."""
    old = ModeratorAssignment.objects.select_for_update(of=("self",)).select_related("member", "region", "pod").get(
        pk=assignment.pk)
    before = scope_of_row(old)
    check_can_assign_moderators(actor, before)
    check_can_assign_moderators(actor, scope)
    reason = reason_clean(reason, required=True)
    if old.revoked_at is not None:
        raise ValidationError("This assignment was revoked already: assign the member again instead.")
    if before.key == scope.key:
        raise ValidationError({"scope": "They moderate that scope already: choose another one."})
    old.revoked_at = timezone.now()
    old.save(update_fields=["revoked_at"])
    moved = _insert(actor=actor, member=old.member, scope=scope)
    _release_claims(old.member_id)
    log_write(actor=actor, action=Log.Action.MOVE, scope=scope, subject=old.member, reason=reason,
              before=old.scope_label, after=_label(scope))
    moderator_scopes_forget(old.member)
    queue_close(old.member_id)
    refresh_streams(old.member_id)
    return moved


@transaction.atomic
def moderator_revoke(*, actor, assignment: ModeratorAssignment, reason: str = "",
                     reason_required: bool = False) -> ModeratorAssignment:
    assignment = (ModeratorAssignment.objects.select_for_update(of=("self",)).select_related("member")
                  .get(pk=assignment.pk))
    scope = scope_of_row(assignment)
    check_can_assign_moderators(actor, scope)
    reason = reason_clean(reason, required=reason_required)
    if assignment.revoked_at is not None:
        return assignment
    assignment.revoked_at = timezone.now()
    assignment.save(update_fields=["revoked_at"])
    _release_claims(assignment.member_id)
    log_write(actor=actor, action=Log.Action.REVOKE, scope=scope, subject=assignment.member, reason=reason)
    moderator_scopes_forget(assignment.member)
    queue_close(assignment.member_id)
    return assignment
