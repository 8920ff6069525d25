"""What members do: report a post, comment or member; appeal a removal of their own content."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from common.forms import form_add_service_error

from .. import selectors
from ..forms import AppealForm, ReportForm
from ..services.appeals import appeal_create, can_appeal
from ..services.reports import report_create


def _next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if ok and target.startswith("/") else fallback  # a path on this site, nothing relative


@login_required
def report(request, kind: str, key: str):
    target = selectors.report_target(user=request.user, kind=kind, key=key)  # 404 when unreadable
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(actor=request.user, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"],
                          **{kind: target})
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Thank you. The moderators will take a look.")
            return HttpResponseRedirect(_next(request))  # not redirect(): a bare word is no view name
    return render(request, "moderation/report_form.html", {"form": form, "kind": kind, "target": target,
                                                           "next": _next(request, "")},
                  status=400 if form.errors else 200)


@login_required
def appeal(request, kind: str, content_id: int):
    content = selectors.appeal_target(user=request.user, kind=kind, content_id=content_id)  # 404 if not theirs
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_create(actor=request.user, text=form.cleaned_data["text"], **{kind: content})
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Your appeal is with the moderators of the scope above.")
            return redirect("home")
    return render(request, "moderation/appeal_form.html", {
        "form": form, "kind": kind, "content": content, "can_appeal": can_appeal(request.user, content),
    }, status=400 if form.errors else 200)
