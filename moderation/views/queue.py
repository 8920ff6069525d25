"""The queue, one item and its actions, bulk actions, and the log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.policy import check_is_moderator
from petcommunity.parsing import parse_id

from .. import selectors
from ..forms import BulkForm, ItemActionForm, QueueFilterForm
from ..scopes import scope_of_row
from ..services import actions, appeals
from ..services.queue import ClaimConflict, claim_is_fresh, queue_item_claim, queue_item_release

# action name → service call with the action's own form fields
ACTIONS = {
    "approve": lambda u, i, d: actions.item_approve(actor=u, item_id=i, note=d["approve_note"]),
    "remove": lambda u, i, d: actions.item_remove(actor=u, item_id=i, reason=d["remove_reason"],
                                                  rule_id=d["remove_rule"]),
    "edit_out": lambda u, i, d: actions.item_edit_out(actor=u, item_id=i, part=d["edit_out_part"],
                                                      reason=d["edit_out_reason"]),
    "decline_edit": lambda u, i, d: actions.item_decline_edit(actor=u, item_id=i,
                                                              reason=d["decline_edit_reason"]),
    "warn": lambda u, i, d: actions.item_warn(actor=u, item_id=i, message=d["warn_message"]),
    "mute": lambda u, i, d: actions.item_mute(actor=u, item_id=i, hours=d["mute_hours"] or 0,
                                              reason=d["mute_reason"]),
    "ban": lambda u, i, d: actions.item_ban(actor=u, item_id=i, reason=d["ban_reason"]),
    "escalate": lambda u, i, d: actions.item_escalate(actor=u, item_id=i, reason=d["escalate_reason"]),
    "grant": lambda u, i, d: appeals.appeal_decide(actor=u, item_id=i, grant=True, reason=d["appeal_reason"]),
    "deny": lambda u, i, d: appeals.appeal_decide(actor=u, item_id=i, grant=False, reason=d["appeal_reason"]),
}
CLOSING = {"approve", "remove", "decline_edit", "escalate", "grant", "deny"}


@login_required
def queue(request):
    check_is_moderator(request.user)
    choices = selectors.scope_choices(request.user)
    filters = QueueFilterForm(request.GET or None, scope_choices=choices)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = selectors.queue_page(user=request.user, scope=data.get("scope"), kind=data.get("kind"),
                                age=data.get("age"), cursor=request.GET.get("after"))
    return render(request, "moderation/queue.html", {
        "page": page, "filters": filters, "nav_section": "queue", "query": request.GET.copy()})


def _item_page(request, item, form, status=200):
    rules = selectors.rules_in_scope_chain(scope_of_row(item))
    form = form or ItemActionForm(rules=rules)
    return render(request, "moderation/item.html", {
        "item": item, "reports": selectors.item_reports(item), "form": form, "nav_section": "queue",
        "claimed_by_other": claim_is_fresh(item) and item.claimed_by_id != request.user.pk,
    }, status=status)


@login_required
def item_detail(request, item_id: int):
    return _item_page(request, selectors.queue_item_get(user=request.user, item_id=item_id), None)


@login_required
@require_POST
def item_claim(request, item_id: int, release: bool = False):
    selectors.queue_item_get(user=request.user, item_id=item_id)
    try:
        (queue_item_release if release else queue_item_claim)(actor=request.user, item_id=item_id)
    except ClaimConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("moderation:item", item_id=item_id)


@login_required
@require_POST
def item_act(request, item_id: int):
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    action = request.POST.get("action", "")
    form = ItemActionForm(request.POST, rules=selectors.rules_in_scope_chain(scope_of_row(item)))
    if action not in ACTIONS or not form.is_valid():
        return _item_page(request, item, form, status=400)
    try:
        ACTIONS[action](request.user, item_id, form.cleaned_data)
    except ValidationError as exc:
        form_add_service_error(form, exc, prefix=f"{action}_")
        return _item_page(request, item, form, status=400)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return _item_page(request, item, form, status=403)
    messages.success(request, "Done.")
    if action in CLOSING:
        return redirect("moderation:queue")
    return redirect("moderation:item", item_id=item_id)


@login_required
@require_POST
def bulk(request):
    check_is_moderator(request.user)
    form = BulkForm(request.POST, item_ids=[i for i in map(parse_id, request.POST.getlist("items")) if i])
    if not form.is_valid():
        messages.error(request, "Choose items and an action.")
        return redirect("moderation:queue")
    data = form.cleaned_data
    try:
        done, problems = actions.items_bulk(actor=request.user, item_ids=data["items"], action=data["action"],
                                            reason=data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("moderation:queue")
    messages.success(request, f"{done} item{'s' if done != 1 else ''} done.")
    for problem in problems[:10]:
        messages.warning(request, problem)
    return redirect("moderation:queue")


@login_required
def log(request):
    check_is_moderator(request.user)
    page = selectors.log_page(user=request.user, scope=request.GET.get("scope") or None,
                              cursor=request.GET.get("before"))
    return render(request, "moderation/log.html", {"page": page, "nav_section": "queue",
                                                   "choices": selectors.scope_choices(request.user),
                                                   "scope": request.GET.get("scope", "")})
