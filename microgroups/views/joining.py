"""Joining, leaving, requests, the waitlist, invites and charter acknowledgement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error

from ..forms import AcknowledgeForm, RequestForm
from ..models import Pod
from ..selectors import charter_current, pod_get_for, pod_page
from ..services.charter import charter_acknowledge
from ..services.invites import invite_get, invite_is_for, invite_redeem
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
    return render(request, "microgroups/join.html", {
        "pod": pod, "form": form, "mode": mode, "charter": charter_current(pod),
        "action": request.path,
    }, status=status)


def _announce(request, pod, result) -> None:
    messages.success(request, RESULT_MESSAGES[result.status].format(pod=pod.name, position=result.position))


@login_required
def join(request, slug: str):
    """GET: the charter and the agreement step. POST: join, queue, accept a held place or ask."""
    pod = pod_get_for(user=request.user, slug=slug)
    info = pod_page(user=request.user, pod=pod)
    if info.membership:
        return redirect(pod_url(pod))
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
    return redirect(pod_url(pod))


def _post_and_back(request, slug: str, action, done: str):
    pod = pod_get_for(user=request.user, slug=slug)
    try:
        action(actor=request.user, pod=pod)
        messages.success(request, done.format(pod=pod.name))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("/pods/" if pod.is_unlisted else pod_url(pod))


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
    return _post_and_back(request, slug, waitlist_leave, "You left the waitlist of {pod}.")


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
    """An invite link: the pod's card, its charter and the agreement step; errors say what's wrong."""
    inv = invite_get(code=code)
    pod = inv.pod
    if not invite_is_for(inv, request.user) and pod.is_unlisted:

        raise Http404("No invite here.")
    form = AcknowledgeForm(request.POST or None, initial={"version": pod.charter_version})
    problem = inv.problem() or (None if invite_is_for(inv, request.user) else "This invite was made for someone else.")
    if request.method == "POST" and not problem and form.is_valid():
        try:
            result = invite_redeem(actor=request.user, code=code, charter_version=form.cleaned_data["version"])
            _announce(request, pod, result)
            return redirect(pod_url(pod))
        except ValidationError as exc:
            form_add_service_error(form, exc, default_field="acknowledge")
            problem = " ".join(form.errors.pop("code", [])) or None
    status = 410 if problem else (400 if request.method == "POST" else 200)
    return render(request, "microgroups/invite.html", {
        "pod": pod, "invite": inv, "form": form, "problem": problem, "charter": charter_current(pod),
    }, status=status)
