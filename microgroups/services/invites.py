"""Invite links: optional expiry, number of uses, and binding to one email (or one member).

Redemption admits exactly `max_uses` people however many click at once: the use is taken by a
conditional UPDATE (`uses = uses + 1 WHERE uses < max_uses`) inside the transaction that holds the
pod lock, and a redemption that finds no place queues on the waitlist (which also takes a use).
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from communities.policy import check_can_act

from ..models import Invite, Membership, Pod
from ..permissions import usable_invites_q
from ._common import check_steward
from .membership import JoinResult, PodFull, _admit, _check_charter, _enqueue, _lock, is_banned


@transaction.atomic
def invite_create(*, actor, pod: Pod, expires_in_days: int | None = 14, max_uses: int | None = None,
                  email: str = "", for_member=None) -> Invite:
    check_steward(actor, pod)
    if max_uses is not None and not 1 <= max_uses <= 500:
        raise ValidationError({"max_uses": "Between 1 and 500 uses (or leave empty for no limit)."})
    if expires_in_days is not None and not 1 <= expires_in_days <= 365:
        raise ValidationError({"expires_in_days": "Between 1 and 365 days (or leave empty: never expires)."})
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    return Invite.objects.create(pod=pod, code=secrets.token_urlsafe(18), created_by=actor, expires_at=expires_at,
                                 max_uses=max_uses, email=(email or "").strip().lower(), for_member=for_member)


@transaction.atomic
def invite_revoke(*, actor, invite: Invite) -> None:
    check_steward(actor, invite.pod)
    Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


FOR_SOMEONE_ELSE = "This invite was made for someone else."
FOR_ANOTHER_EMAIL = "This invite is for another email address."


def invite_is_for(invite: Invite, user) -> bool:
    """Bound invites work only for their member, or an account holding that email verified."""
    return invite_refusal(invite, user) is None


def invite_refusal(invite: Invite, user) -> str | None:
    """Why this account may not use this invite (None: it may). An email-bound invite says it is for
    another address, never which one; a member-bound one says it was made for someone else."""
    if invite.for_member_id and invite.for_member_id != user.pk:
        return FOR_SOMEONE_ELSE
    if invite.email and not EmailAddress.objects.filter(user=user, email__iexact=invite.email,
                                                        verified=True).exists():
        return FOR_ANOTHER_EMAIL
    return None


def invite_get(*, code: str) -> Invite:
    invite = Invite.objects.select_related("pod").filter(code=code).first()
    if invite is None:
        raise Http404("No invite here.")
    return invite


@transaction.atomic
def invite_redeem(*, actor, code: str, charter_version: int | None) -> JoinResult:
    """Join through an invite. Field errors under "code" (expired, used up, someone else's, another email
    address's) and "acknowledge" (charter); a full pod puts the person on the waitlist (for an unlisted pod
    too: they then see where they stand at `/pods/<slug>/standing/`)."""
    check_can_act(actor)
    invite = invite_get(code=code)
    refusal = invite_refusal(invite, actor)
    if refusal == FOR_SOMEONE_ELSE and invite.pod.is_unlisted:
        raise Http404("No invite here.")  # an unlisted pod stays unknown to the wrong account
    if refusal:
        raise ValidationError({"code": refusal})  # "another email address" names neither address nor pod
    if is_banned(invite.pod, actor):
        raise ValidationError({"code": "You can't join this pod."})
    pod = _lock(invite.pod)
    if Membership.objects.filter(pod=pod, member=actor, status=Membership.Status.ACTIVE).exists():
        return JoinResult("already")
    problem = Invite.objects.get(pk=invite.pk).problem()
    if problem:
        raise ValidationError({"code": problem})
    version = _check_charter(pod, charter_version)
    if not Invite.objects.filter(usable_invites_q(), pk=invite.pk).update(uses=F("uses") + 1):
        raise ValidationError({"code": "This invite has been used up. Ask a steward for a new one."})
    try:
        return JoinResult("joined", _admit(pod, actor, charter_version=version, actor=invite.created_by,
                                           reason="invite"))
    except PodFull:
        return _enqueue(pod, actor)
