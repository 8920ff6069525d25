"""The Team page (community managers): moderators and stewards by scope; assign, move and revoke
moderators, each with a reason the log keeps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from common.forms import form_add_service_error
from communities.policy import check_is_manager
from communities.selectors import member_named

from .. import selectors
from ..forms import AssignForm, MoveForm, RevokeForm
from ..services.assignments import moderator_assign, moderator_move, moderator_revoke


def _member(form: AssignForm):
    member = member_named(form.cleaned_data["member"])
    if member is None:
        form.add_error("member", "No active member has that username.")
    return member


@login_required
def team(request):
    check_is_manager(request.user)  # 403: the Team page is the managers'
    form = AssignForm(request.POST or None, **_scope_kwargs(request, request.POST.get("scope")))
    if request.method == "POST" and form.is_valid():
        scope = selectors.scope_get(user=request.user, key=form.cleaned_data["scope"])  # 404: not theirs
        member = _member(form)
        if member is not None and _applied(form, lambda: moderator_assign(
                actor=request.user, member=member, scope=scope, reason=form.cleaned_data["reason"],
                reason_required=True)):
            messages.success(request, f"{member.name} now moderates that scope.")
            return redirect("moderation:team")
    return render(request, "moderation/team.html", {
        "team": selectors.team_overview(cursor=request.GET.get("pods"),
                                        without_steward_only=request.GET.get("steward") == "none"),
        "form": form, "nav_section": "queue",
    }, status=400 if form.errors else 200)


def _scope_kwargs(request, selected: str | None) -> dict:
    """A typed slug becomes its pod's key; keys go as they are to `scope_get` (404 outside my scopes)."""
    kwargs = selectors.scope_form_kwargs(request.user, selected=selected)

    def resolve(text: str, slug: bool) -> str | None:
        if not slug:
            return text
        scope = selectors.scope_resolve(request.user, text, slug=True)
        return scope.key if scope else None

    return {**kwargs, "resolve": resolve}


def _applied(form, call) -> bool:
    try:
        call()
    except ValidationError as exc:
        form_add_service_error(form, exc)
        return False
    return True


@login_required
def assignment(request, assignment_id: int):
    """One assignment: move it to another scope, or revoke it; both need a reason."""
    check_is_manager(request.user)
    row = selectors.assignment_get(user=request.user, assignment_id=assignment_id)  # 404 outside my scopes
    action = request.POST.get("action") if request.method == "POST" else None
    move = MoveForm(request.POST if action == "move" else None,
                    **_scope_kwargs(request, request.POST.get("move-scope")))
    revoke = RevokeForm(request.POST if action == "revoke" else None)
    if action == "move" and move.is_valid():
        scope = selectors.scope_get(user=request.user, key=move.cleaned_data["scope"])
        if _applied(move, lambda: moderator_move(actor=request.user, assignment=row, scope=scope,
                                                 reason=move.cleaned_data["reason"])):
            messages.success(request, f"{row.member.name} moved.")
            return redirect("moderation:team")
    elif action == "revoke" and revoke.is_valid() and _applied(revoke, lambda: moderator_revoke(
            actor=request.user, assignment=row, reason=revoke.cleaned_data["reason"], reason_required=True)):
        messages.success(request, f"{row.member.name} no longer moderates {row.scope_label}.")
        return redirect("moderation:team")
    bad = request.method == "POST"  # a valid action redirected above
    return render(request, "moderation/assignment.html", {
        "assignment": row, "move": move, "revoke": revoke, "nav_section": "queue",
        "history": selectors.assignment_history(member=row.member),
    }, status=400 if bad else 200)
