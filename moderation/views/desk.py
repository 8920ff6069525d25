"""The desk's own pages: removal reasons (per scope, inherited downward) and a member as moderators see
them (their history in my scopes and the private notes on them)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.policy import check_can_edit_removal_reason, check_can_see_moderator_note, check_is_moderator

from .. import selectors
from ..forms import ModeratorNoteForm, RemovalReasonForm
from ..models import ModeratorNote, RemovalReason
from ..services.notes import moderator_note_create, moderator_note_delete
from ..services.reasons import removal_reason_create, removal_reason_delete, removal_reason_update


def _reasons_page(request, form, status=200):
    return render(request, "moderation/reasons.html", {
        "groups": selectors.removal_reasons_overview(user=request.user), "form": form, "nav_section": "queue"},
        status=status)


@login_required
def reason_list(request):
    """The reasons of my scopes and those inherited from above, and a form for a new one."""
    check_is_moderator(request.user)
    form = RemovalReasonForm(request.POST or None,
                             **selectors.scope_form_kwargs(request.user, selected=request.POST.get("scope")))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            removal_reason_create(actor=request.user, scope=data["scope"], title=data["title"], text=data["text"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"\u201c{data['title'].strip()}\u201d is ready to use.")
            return redirect("moderation:reasons")
    return _reasons_page(request, form, status=400 if form.errors else 200)


def _reason_for_edit(request, reason_id: int) -> RemovalReason:
    reason = get_object_or_404(RemovalReason.objects.select_related("region", "pod"), pk=reason_id)
    check_can_edit_removal_reason(request.user, reason)  # 404 outside my view, 403 when inherited
    return reason


@login_required
def reason_edit(request, reason_id: int):
    reason = _reason_for_edit(request, reason_id)
    form = RemovalReasonForm(request.POST or None, reason=reason)
    if request.method == "POST" and form.is_valid():
        try:
            removal_reason_update(actor=request.user, reason=reason, title=form.cleaned_data["title"],
                                  text=form.cleaned_data["text"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Reason saved.")
            return redirect("moderation:reasons")
    return render(request, "moderation/reason_form.html", {"form": form, "reason": reason, "nav_section": "queue"},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def reason_delete(request, reason_id: int):
    reason = _reason_for_edit(request, reason_id)
    removal_reason_delete(actor=request.user, reason=reason)
    messages.success(request, f"\u201c{reason.title}\u201d deleted; past removals keep their words.")
    return redirect("moderation:reasons")


def _member_page(request, member, form, status=200):
    return render(request, "moderation/member.html", {
        "member": member, "desk": selectors.member_desk(user=request.user, member=member), "form": form,
        "nav_section": "queue"}, status=status)


@login_required
def member_detail(request, username: str):
    check_is_moderator(request.user)
    member = selectors.member_for_desk(username)
    form = ModeratorNoteForm(**selectors.scope_form_kwargs(request.user))
    return _member_page(request, member, form)


@login_required
@require_POST
def member_note_add(request, username: str):
    check_is_moderator(request.user)
    member = selectors.member_for_desk(username)
    form = ModeratorNoteForm(request.POST, **selectors.scope_form_kwargs(request.user,
                                                                         selected=request.POST.get("scope")))
    if form.is_valid():
        try:
            moderator_note_create(actor=request.user, member=member, scope=form.cleaned_data["scope"],
                                  text=form.cleaned_data["text"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Note saved.")
            return redirect("moderation:member", username=member.username)
    return _member_page(request, member, form, status=400)


@login_required
@require_POST
def note_delete(request, note_id: int):
    note = get_object_or_404(ModeratorNote.objects.select_related("member", "pod", "region"), pk=note_id)
    check_can_see_moderator_note(request.user, note)  # 404 before anything else for those who may not see it
    moderator_note_delete(actor=request.user, note=note)
    messages.success(request, "Note deleted.")
    return redirect("moderation:member", username=note.member.username)
