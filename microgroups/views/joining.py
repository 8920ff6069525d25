"""Joining, leaving, requests, the waitlist, invites and charter acknowledgement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.policy import can_know_pod

from ..forms import AcknowledgeForm, RequestForm
from ..models import Pod
from ..selectors import charter_current, pod_get_for, pod_get_for_holder, pod_page, pod_standing
from ..services._common import outsider_url, standing_url
from ..services.charter import charter_acknowledge
from ..services.invites import FOR_ANOTHER_EMAIL, FOR_SOMEONE_ELSE, invite_get, invite_redeem, invite_refusal
from ..services.membership import (
    PodFull,
    join_request_withdraw,
    pod_join,
    pod_leave,
    pod_request_join,
    waitlist_accept,
    waitlist_join,
    waitlist_leave,
)
from .pages import pod_url, render_pod

JOIN_SERVICES = {"join": pod_join, "waitlist": waitlist_join, "accept": waitlist_accept}
RESULT_MESSAGES = {
    "joined": "Welcome to {pod}! Say hello to everyone.",
    "waitlisted": "{pod} is full: you're number {position} on the waitlist. We'll tell you when a place opens.",
    "requested": "Your request to join {pod} is with its stewards. We'll tell you what they decide.",
    "already": "You're already a member of {pod}.",
}


def _mode(pod: Pod, info) -> str:
    if pod.privacy == Pod.Privacy.REQUEST and not info.offer_open:
        return "request"
    if info.offer_open:
        return "accept"
    return "join" if pod.has_room else "waitlist"


def _join_page(request, pod, form, mode: str, status: int = 200):
    back = pod_url(pod) if can_know_pod(request.user, pod) else standing_url(pod)
    return render(request, "microgroups/join.html", {
        "pod": pod, "form": form, "mode": mode, "charter": charter_current(pod),
        "action": request.path, "back": back,
    }, status=status)


def _announce(request, pod, result) -> None:
    messages.success(request, RESULT_MESSAGES[result.status].format(pod=pod.name, position=result.position))


def _landing(pod, result) -> str:
    """Where a join lands: the pod once in; where they stand when they wait (an unlisted pod's page
    would be a 404 for them)."""
    return standing_url(pod) if result.status == "waitlisted" else pod_url(pod)


@login_required
def join(request, slug: str):
    """GET: the charter and the agreement step. POST: join, queue, accept a held place or ask. Someone
    holding a place in an unlisted pod reaches it too (to take the place held for them)."""
    pod = pod_get_for_holder(user=request.user, slug=slug)
    info = pod_page(user=request.user, pod=pod)
    if info.membership:
        return redirect(pod_url(pod))
    if not can_know_pod(request.user, pod) and not info.offer_open:
        return redirect(standing_url(pod))  # waiting or invited: nothing to do here yet
    if pod.privacy == Pod.Privacy.INVITE and not info.offer_open:
        raise PermissionDenied("This pod is invite only: ask a steward for an invite link.")
    mode = request.POST.get("mode") if request.method == "POST" else _mode(pod, info)
    form_class = RequestForm if mode == "request" else AcknowledgeForm
    if request.method != "POST":
        return _join_page(request, pod, form_class(initial={"version": pod.charter_version}), mode)
    form = form_class(request.POST)
    if not form.is_valid():
        return _join_page(request, pod, form, mode, status=400)
    return _join_submit(request, pod, form, mode)


def _join_submit(request, pod, form, mode: str):
    version = form.cleaned_data["version"]
    try:
        if mode == "request":
            result = pod_request_join(actor=request.user, pod=pod, answer=form.cleaned_data["answer"],
                                      charter_version=version)
        elif mode in JOIN_SERVICES:
            result = JOIN_SERVICES[mode](actor=request.user, pod=pod, charter_version=version)
        else:
            raise ValidationError("Choose how to join.")
    except PodFull:
        form.add_error(None, "The pod filled up while you were reading. You can join its waitlist instead.")
        return _join_page(request, pod, form, "waitlist", status=409)
    except ValidationError as exc:
        form_add_service_error(form, exc, default_field="acknowledge")
        return _join_page(request, pod, form, mode, status=400)
    _announce(request, pod, result)
    return redirect(_landing(pod, result))


def _post_and_back(request, slug: str, action, done: str, *, find=pod_get_for):
    pod = find(user=request.user, slug=slug)
    try:
        action(actor=request.user, pod=pod)
        messages.success(request, done.format(pod=pod.name))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(outsider_url(pod))


@login_required
@require_POST
def leave(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)
    try:
        pod_leave(actor=request.user, pod=pod)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(pod_url(pod))
    messages.success(request, f"You left {pod.name}.")
    return redirect("/pods/" if pod.is_unlisted else pod_url(pod))


@login_required
@require_POST
def waitlist_off(request, slug: str):
    return _post_and_back(request, slug, waitlist_leave, "You left the waitlist of {pod}.", find=pod_get_for_holder)


@login_required
def standing(request, slug: str):
    """Where I stand in a pod: my waitlist position, a place held for me and until when, my request, an
    invite bound to me. Members go to the pod; people holding nothing in an unlisted pod get its 404."""
    pod = pod_get_for_holder(user=request.user, slug=slug)
    info = pod_standing(user=request.user, pod=pod)
    if info.is_member:
        return redirect(pod_url(pod))
    if not info.holds_anything:
        return redirect(pod_url(pod))  # they know the pod (else the 404 above): its page says how to join
    form = AcknowledgeForm(initial={"version": pod.charter_version}) if info.offer_open else None
    return render(request, "microgroups/standing.html", {
        "pod": pod, "info": info, "form": form, "charter": charter_current(pod) if info.offer_open else None,
    })


@login_required
@require_POST
def request_withdraw(request, slug: str):
    return _post_and_back(request, slug, join_request_withdraw, "Your request to join {pod} was withdrawn.")


@login_required
@require_POST
def acknowledge(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            charter_acknowledge(actor=request.user, pod=pod, version=form.cleaned_data["version"])
            messages.success(request, "Thanks for reading the charter. You can post again.")
            return redirect(pod_url(pod))
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="acknowledge")
    return render_pod(request, pod, ack_form=form, status=400)


@login_required
def invite(request, code: str):
    """An invite link: the pod's card, its charter and the agreement step; errors say what's wrong.

    The wrong account: a member-bound link to an unlisted pod is a 404 (the pod stays unknown); an
    email-bound one says "This invite is for another email address" (naming neither the address nor,
    for an unlisted pod, the pod), so the invitee knows to switch accounts or verify the address."""
    inv = invite_get(code=code)
    pod = inv.pod
    refusal = invite_refusal(inv, request.user)
    if refusal == FOR_SOMEONE_ELSE and pod.is_unlisted:
        raise Http404("No invite here.")
    if refusal == FOR_ANOTHER_EMAIL and pod.is_unlisted and not can_know_pod(request.user, pod):
        return render(request, "microgroups/invite_other_email.html", {"problem": refusal}, status=403)
    form = AcknowledgeForm(request.POST or None, initial={"version": pod.charter_version})
    problem = inv.problem() or refusal
    if request.method == "POST" and not problem and form.is_valid():
        try:
            result = invite_redeem(actor=request.user, code=code, charter_version=form.cleaned_data["version"])
            _announce(request, pod, result)
            return redirect(_landing(pod, result))
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="acknowledge")
            problem = " ".join(form.errors.pop("code", [])) or None
    status = (403 if problem == refusal else 410) if problem else (400 if request.method == "POST" else 200)
    return render(request, "microgroups/invite.html", {
        "pod": pod, "invite": inv, "form": form, "problem": problem, "charter": charter_current(pod),
        "other_email": problem == FOR_ANOTHER_EMAIL,
    }, status=status)
