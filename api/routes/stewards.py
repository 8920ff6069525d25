"""A steward's pod: settings, bans, join requests, invites (the settings pages' selectors and services)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status

from communities.policy import policy_for
from microgroups.models import Invite, JoinRequest
from microgroups.selectors import invites_list, join_requests_pending, pod_bans, pod_get_for
from microgroups.services.invites import invite_create, invite_revoke
from microgroups.services.membership import join_request_decide
from microgroups.services.pods import pod_update

from .. import presenters
from ..auth import MODERATE, require_scope
from ..responses import answers
from ..schemas import (
    BanOut,
    DecisionIn,
    Done,
    Id,
    InviteIn,
    InviteOut,
    JoinOut,
    JoinRequestOut,
    PodSettingsIn,
    PodSettingsOut,
)

router = Router(tags=["stewards"])


def _stewarded(request, slug: str):
    """404 for a pod the caller may not know, 403 for one they know but do not steward."""
    require_scope(request, MODERATE)
    pod = pod_get_for(user=request.user, slug=slug)
    policy_for(request.user).check_can_steward(pod)
    return pod


def _settings(pod) -> dict:
    return {"slug": pod.slug, "name": pod.name, "description": pod.description, "privacy": pod.privacy,
            "unlisted": pod.is_unlisted, "member_cap": pod.member_cap, "question": pod.question,
            "welcome_message": pod.welcome_message, "charter_version": pod.charter_version,
            "prompt_text": pod.prompt_text, "prompt_weekday": pod.prompt_weekday,
            "split_offer_waitlist": pod.split_offer_waitlist}


@router.get("/pods/{slug}/settings", response=answers(PodSettingsOut))
def pod_settings(request, slug: str):
    return _settings(_stewarded(request, slug))


# The API's names for the service's fields; null means "leave it" except where null has a meaning.
SETTINGS_FIELDS = {"name": "name", "description": "description", "privacy": "privacy", "unlisted": "is_unlisted",
                   "member_cap": "member_cap", "question": "question", "welcome_message": "welcome_message",
                   "prompt_text": "prompt_text", "prompt_weekday": "prompt_weekday",
                   "split_offer_waitlist": "split_offer_waitlist"}
NULLABLE = {"prompt_weekday"}


@router.patch("/pods/{slug}/settings", response=answers(PodSettingsOut))
def pod_settings_update(request, slug: str, data: PodSettingsIn):
    """Change the fields sent, as the Details section of the settings page does (the same checks:
    the cap never below the members, unlisted only for invite-only pods)."""
    pod = _stewarded(request, slug)
    sent = data.dict(exclude_unset=True)
    changes = {SETTINGS_FIELDS[k]: v for k, v in sent.items() if v is not None or k in NULLABLE}
    return _settings(pod_update(actor=request.user, pod=pod, **changes))


@router.get("/pods/{slug}/bans", response=answers(list[BanOut]))
def ban_list(request, slug: str):
    """Members banned from the pod (the Members section's list)."""
    return [{"member": presenters.member_ref(m.member), "banned_at": m.ended_at, "banned_until": m.banned_until}
            for m in pod_bans(pod=_stewarded(request, slug))]


@router.get("/pods/{slug}/join-requests", response=answers(list[JoinRequestOut]))
def join_request_list(request, slug: str):
    pod = _stewarded(request, slug)
    return [{"id": jr.pk, "member": presenters.member_ref(jr.member), "answer": jr.answer,
             "created_at": jr.created_at} for jr in join_requests_pending(pod=pod)]


@router.post("/pods/{slug}/join-requests/{request_id}", response=answers(JoinOut | Done, extra=(409,)))
def join_request_answer(request, slug: str, request_id: Id, data: DecisionIn):
    """Approve (admit, or waitlist when full) or decline a pending request."""
    pod = _stewarded(request, slug)
    join_request = get_object_or_404(JoinRequest, pk=request_id, pod=pod)
    result = join_request_decide(actor=request.user, join_request=join_request, approve=data.approve)
    return {"status": result.status, "position": result.position} if result else {"ok": True}


def _invite(invite: Invite) -> dict:
    return {"id": invite.pk, "code": invite.code, "created_at": invite.created_at, "expires_at": invite.expires_at,
            "max_uses": invite.max_uses, "uses": invite.uses, "revoked": invite.revoked_at is not None}


@router.get("/pods/{slug}/invites", response=answers(list[InviteOut]))
def invite_list(request, slug: str):
    return [_invite(i) for i in invites_list(pod=_stewarded(request, slug))]


@router.post("/pods/{slug}/invites", response=answers(InviteOut, status=201))
def invite_new(request, slug: str, data: InviteIn):
    pod = _stewarded(request, slug)
    invite = invite_create(actor=request.user, pod=pod, expires_in_days=data.expires_in_days, max_uses=data.max_uses)
    return Status(201, _invite(invite))


@router.delete("/pods/{slug}/invites/{invite_id}", response=answers(Done))
def invite_remove(request, slug: str, invite_id: Id):
    pod = _stewarded(request, slug)
    invite_revoke(actor=request.user, invite=get_object_or_404(Invite, pk=invite_id, pod=pod))
    return {"ok": True}
