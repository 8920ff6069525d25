"""Invitations to steward: a manager's page to send one (from the metrics' micro-influencer table), and
the invitee's page to accept or decline it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from common.forms import form_add_service_error
from communities.models import Tag
from communities.policy import check_is_manager
from communities.selectors import member_named
from petcommunity.parsing import parse_id

from ..forms import AcknowledgeForm, DeclineForm, PodCreateForm, StewardInviteForm, niche_initial
from ..selectors import charter_current, steward_invitation_get, steward_invitations_sent, steward_invite_options
from ..services import stewards as steward_services
from .pages import pod_url


def _niche(raw: str | None):
    if not raw:
        return None
    niche = Tag.objects.filter(pk=parse_id(raw) or 0).first()
    if niche is None:
        raise Http404("No such niche.")
    return niche


@login_required
def steward_invite_new(request):
    """`?member=<username>&niche=<tag id>`: pick a pod of the niche (or a new one) and send."""
    check_is_manager(request.user)  # 403: inviting stewards is the managers'
    data = request.POST if request.method == "POST" else request.GET
    username, niche = (data.get("member") or "").strip(), _niche(data.get("niche"))
    member = member_named(username) if username else None
    if member is None:
        return render(request, "microgroups/steward_invite.html", {
            "username": username, "niche": niche, "unknown": bool(username)}, status=400 if username else 200)
    options = steward_invite_options(member=member, niche=niche)
    form = StewardInviteForm(request.POST or None, options=options, niche=niche)
    if request.method == "POST" and form.is_valid():
        pod = next((p for p in options if p.pk == form.pod_id()), None)
        try:
            steward_services.steward_invitation_create(actor=request.user, member=member, pod=pod, niche=niche,
                                                       message=form.cleaned_data["message"])
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="target")
        else:
            messages.success(request, f"Invitation sent to {member.name}: they have "
                                      f"{steward_services.INVITATION_DAYS} days to answer.")
            query = f"?member={member.username}" + (f"&niche={niche.pk}" if niche else "")
            return redirect(reverse("microgroups:steward_invite_new") + query)
    return render(request, "microgroups/steward_invite.html", {
        "member": member, "niche": niche, "form": form, "sent": steward_invitations_sent(member=member),
    }, status=400 if form.errors else 200)


def _accept_forms(request, invitation, data):
    """The accept form: the pod's charter to acknowledge, or the new pod's details prefilled from the niche."""
    if invitation.pod_id:
        pod = invitation.pod
        return AcknowledgeForm(data, initial={"version": pod.charter_version}), charter_current(pod)
    return PodCreateForm(data, initial=niche_initial(invitation.niche)), None


@login_required
def steward_invitation(request, invitation_id: int):
    invitation = steward_invitation_get(user=request.user, invitation_id=invitation_id)  # 404 unless theirs
    action = request.POST.get("action") if request.method == "POST" else None
    accept, charter = _accept_forms(request, invitation, request.POST if action == "accept" else None)
    decline = DeclineForm(request.POST if action == "decline" else None)
    try:
        if action == "accept" and accept.is_valid():
            pod = steward_services.steward_invitation_accept(actor=request.user, invitation=invitation,
                                                             **_accept_values(invitation, accept))
            messages.success(request, f"You now steward {pod.name}. Its settings are yours to run.")
            return redirect(pod_url(pod))
        if action == "decline" and decline.is_valid():
            steward_services.steward_invitation_decline(actor=request.user, invitation=invitation,
                                                        answer=decline.cleaned_data["answer"])
            messages.success(request, "Declined. The manager who asked has been told.")
            return redirect("home")
    except ValidationError as exc:
        form_add_service_error(accept if action == "accept" else decline, exc)
    return render(request, "microgroups/steward_invitation.html", {
        "invitation": invitation, "accept": accept, "decline": decline, "charter": charter,
        "open": invitation.is_open(),
    }, status=400 if action else 200)


def _accept_values(invitation, form) -> dict:
    if invitation.pod_id:
        return {"charter_version": form.cleaned_data["version"]}
    return {"details": {**form.details(), "charter": form.cleaned_data["charter"], "tags": form.tag_list()}}
