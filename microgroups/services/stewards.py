"""Invitations to steward: a community manager asks a member to steward a pod of a niche, or to start a
new one prefilled with it. Only the member sees the invitation (the policy's
`check_can_answer_steward_invitation`); they accept (becoming steward) or decline (the manager is told).
Unanswered invitations expire (`steward_invitations_expire`, hourly in beat).

Co-stewards are added and removed in the pod's settings with `pods.membership_set_role` (never the last
steward: a pod always has one).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.models import NotificationKind
from communities.policy import check_can_act, check_can_answer_steward_invitation, check_is_manager, policy_forget
from communities.services.notifications import notification_create

from ..models import Membership, MembershipEvent, Pod, StewardInvitation
from ._common import SYSTEM_USERNAME, access_grew, log_event, notify, stewards_of
from .membership import PodFull, _admit, _check_charter, _lock, is_banned
from .pods import pod_create

INVITATION_DAYS = 14
MESSAGE_MAX = 500
ANSWER_MAX = 300


def invitation_url(invitation: StewardInvitation) -> str:
    return f"/pods/steward-invitations/{invitation.pk}/"


def _text(value: str | None, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({field: f"Keep it under {limit} characters (this is {len(value)})."})
    return value


def _check_invitee(member, pod: Pod | None) -> None:
    if not member.is_active or member.deleted_at or member.username == SYSTEM_USERNAME:
        raise ValidationError({"member": "This account is not active."})
    if pod is None:
        return
    if Membership.objects.filter(pod=pod, member=member, status=Membership.Status.ACTIVE,
                                 role=Membership.Role.STEWARD).exists():
        raise ValidationError({"pod": f"{member.name} already stewards {pod.name}."})
    if is_banned(pod, member):
        raise ValidationError({"pod": f"{member.name} is banned from {pod.name}."})


@transaction.atomic
def steward_invitation_create(*, actor, member, pod: Pod | None = None, niche=None,
                              message: str = "") -> StewardInvitation:
    """Invite `member` to steward `pod`, or (no pod) to start a new pod about `niche`. They get a
    notification and an email whatever their notification choices: it is addressed to them alone."""
    check_can_act(actor)
    check_is_manager(actor)
    message = _text(message, field="message", limit=MESSAGE_MAX)
    if member.pk == actor.pk:
        raise ValidationError({"member": "Invite someone else: managers can steward any pod already."})
    _check_invitee(member, pod)
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = StewardInvitation.objects.create(
                member=member, invited_by=actor, pod=pod, niche=None if pod else niche, message=message,
                created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    except IntegrityError:
        raise ValidationError({"pod": f"An invitation to {member.name} for this is already waiting for their "
                                      "answer."}) from None
    notification_create(recipient=member, kind=NotificationKind.POD, actor=actor, pod=pod, personal=True,
                        url=invitation_url(invitation),
                        verb=f"{actor.name} invites you to steward {invitation.what}")
    return invitation


def _open_locked(actor, invitation: StewardInvitation) -> StewardInvitation:
    """The invitation, locked; 404 for anyone but the invitee; a clear error once answered or expired."""
    check_can_act(actor)
    locked = (StewardInvitation.objects.select_for_update(of=("self",)).select_related("pod", "niche", "invited_by")
              .get(pk=invitation.pk))
    check_can_answer_steward_invitation(actor, locked)
    if locked.status != StewardInvitation.Status.PENDING:
        raise ValidationError(f"You already answered this invitation ({locked.get_status_display().lower()}).")
    if not locked.is_open():
        raise ValidationError("This invitation has expired. Ask a community manager for a new one.")
    return locked


def _tell_inviter(invitation: StewardInvitation, verb: str, *, actor=None, url: str = "") -> None:
    if invitation.invited_by is not None:
        notification_create(recipient=invitation.invited_by, kind=NotificationKind.POD, actor=actor, verb=verb,
                            url=url or f"/members/{invitation.member.username}/")


def _steward_existing(actor, invitation: StewardInvitation, charter_version: int | None) -> Pod:
    """Make the invitee a steward of the invitation's pod, admitting them first if they are not a member
    (whatever its privacy: the manager invited them; its cap still holds)."""
    pod = _lock(invitation.pod)
    if is_banned(pod, actor):
        raise ValidationError("You are banned from this pod, so you can't steward it.")
    version = _check_charter(pod, charter_version)
    membership = Membership.objects.select_for_update().filter(pod=pod, member=actor,
                                                               status=Membership.Status.ACTIVE).first()
    if membership is None:
        try:
            membership = _admit(pod, actor, charter_version=version, actor=invitation.invited_by,
                                reason="invited to steward")
        except PodFull:
            raise ValidationError(f"{pod.name} is full right now: the invitation stays open until a place "
                                  "frees up.") from None
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.STEWARD,
                                                       charter_version_acknowledged=version)
    log_event(pod=pod, member=actor, kind=MembershipEvent.Kind.ROLE, actor=invitation.invited_by,
              from_value=membership.role, to_value=Membership.Role.STEWARD, reason="accepted an invitation to steward")
    for steward in stewards_of(pod).exclude(pk=actor.pk):
        notify(recipient=steward, pod=pod, actor=actor, url=f"/pods/{pod.slug}/settings/stewards/",
               verb=f"{actor.name} is now a co-steward of {pod.name}")
    return pod


def _steward_new(actor, invitation: StewardInvitation, details: dict | None) -> Pod:
    details = dict(details or {})
    if "name" not in details or "charter" not in details:
        raise ValidationError({"name": "Give the pod a name and a charter."})
    return pod_create(actor=actor, vouched=True, **details)


@transaction.atomic
def steward_invitation_accept(*, actor, invitation: StewardInvitation, charter_version: int | None = None,
                              details: dict | None = None) -> Pod:
    """Accept: steward the invited pod (acknowledging its charter), or start the new pod from `details`
    (pod_create's fields, prefilled from the niche on the page). Returns the pod they now steward."""
    invitation = _open_locked(actor, invitation)
    if invitation.pod_id:
        pod = _steward_existing(actor, invitation, charter_version)
    else:
        pod = _steward_new(actor, invitation, details)
    invitation.status, invitation.decided_at, invitation.result_pod = (StewardInvitation.Status.ACCEPTED,
                                                                       timezone.now(), pod)
    invitation.save(update_fields=["status", "decided_at", "result_pod"])
    access_grew(actor)
    policy_forget(actor)  # steward of a pod: pod roles and moderation scopes both change
    _tell_inviter(invitation, f"{actor.name} accepted your invitation: they now steward {pod.name}", actor=actor,
                  url=f"/pods/{pod.slug}/")
    return pod


@transaction.atomic
def steward_invitation_decline(*, actor, invitation: StewardInvitation, answer: str = "") -> StewardInvitation:
    """Decline, optionally saying why; the manager who invited them is told."""
    answer = _text(answer, field="answer", limit=ANSWER_MAX)
    invitation = _open_locked(actor, invitation)
    invitation.status, invitation.decided_at, invitation.answer = (StewardInvitation.Status.DECLINED,
                                                                   timezone.now(), answer)
    invitation.save(update_fields=["status", "decided_at", "answer"])
    said = f': "{answer}"' if answer else ""
    _tell_inviter(invitation, f"{actor.name} declined your invitation to steward {invitation.what}{said}",
                  actor=actor)
    return invitation


@transaction.atomic
def steward_invitations_expire(*, now=None) -> int:
    """Invitations nobody answered in time expire; the manager who sent each is told (periodic task)."""
    now = now or timezone.now()
    due = list(StewardInvitation.objects.select_for_update(skip_locked=True, of=("self",))
               .filter(status=StewardInvitation.Status.PENDING, expires_at__lte=now)
               .select_related("member", "invited_by", "pod", "niche"))
    for invitation in due:
        invitation.status, invitation.decided_at = StewardInvitation.Status.EXPIRED, now
        invitation.save(update_fields=["status", "decided_at"])
        _tell_inviter(invitation, f"Your invitation to {invitation.member.name} to steward {invitation.what} "
                                  "expired without an answer")
    return len(due)
