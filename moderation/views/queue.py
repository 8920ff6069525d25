"""The queue (the moderator's desk), one item and its actions, bulk actions, and the log.

Each queue row carries its own forms: approve, remove (a reusable reason or one's own words) and
escalate. They post to the item's `act` URL: with htmx the row is swapped in place (gone when decided,
redrawn with the message at the field when not); without JavaScript the same forms post and redirect
back to the queue, or redraw the queue with the message at the field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.policy import check_is_moderator
from petcommunity.parsing import parse_id

from .. import selectors
from ..forms import BulkForm, ItemActionForm, LogFilterForm, QueueFilterForm
from ..models import QueueItem
from ..scopes import scope_of_row
from ..services import actions, appeals
from ..services.queue import ClaimConflict, claim_is_fresh, queue_item_claim, queue_item_release

# action name → service call with the action's own form fields
ACTIONS = {
    "approve": lambda u, i, d: actions.item_approve(actor=u, item_id=i, note=d["approve_note"]),
    "remove": lambda u, i, d: actions.item_remove(actor=u, item_id=i, reason=d["remove_reason"],
                                                  rule_id=d["remove_rule"], reason_id=d["remove_template"]),
    "edit_out": lambda u, i, d: actions.item_edit_out(actor=u, item_id=i, part=d["edit_out_part"],
                                                      reason=d["edit_out_reason"]),
    "decline_edit": lambda u, i, d: actions.item_decline_edit(actor=u, item_id=i,
                                                              reason=d["decline_edit_reason"]),
    "warn": lambda u, i, d: actions.item_warn(actor=u, item_id=i, message=d["warn_message"]),
    "mute": lambda u, i, d: actions.item_mute(actor=u, item_id=i, hours=d["mute_hours"] or 0,
                                              reason=d["mute_reason"]),
    "ban": lambda u, i, d: actions.item_ban(actor=u, item_id=i, reason=d["ban_reason"], days=d["ban_days"]),
    "escalate": lambda u, i, d: actions.item_escalate(actor=u, item_id=i, reason=d["escalate_reason"]),
    "grant": lambda u, i, d: appeals.appeal_decide(actor=u, item_id=i, grant=True, reason=d["appeal_reason"]),
    "deny": lambda u, i, d: appeals.appeal_decide(actor=u, item_id=i, grant=False, reason=d["appeal_reason"]),
}
CLOSING = {"approve", "remove", "decline_edit", "escalate", "grant", "deny"}
DONE = {"approve": "Approved", "remove": "Removed", "decline_edit": "Edit declined", "escalate": "Escalated",
        "grant": "Appeal granted", "deny": "Appeal denied"}


def _row_form(row, data=None) -> ItemActionForm:
    # One set of forms per row: ids carry the item, so fifty rows never share a label target.
    return ItemActionForm(data, reasons=row.reasons, auto_id=f"q{row.item.pk}-%s")


def _desk(request, items, bound: tuple[int, ItemActionForm] | None = None) -> list:
    rows = selectors.queue_desk(request.user, items)
    for row in rows:
        row.form = bound[1] if bound and bound[0] == row.item.pk else _row_form(row)
    return rows


def _queue_context(request, bound=None) -> dict:
    choices = selectors.queue_scope_choices(request.user, selected=request.GET.get("scope"))
    filters = QueueFilterForm(request.GET or None, scope_choices=choices)
    data = filters.cleaned_data if filters.is_valid() else {}
    page = selectors.queue_page(user=request.user, scope=data.get("scope"), kind=data.get("kind"),
                                age=data.get("age"), cursor=request.GET.get("after"))
    rows = _desk(request, page.items, bound)
    # The bulk bar offers every reason some listed row offers (already fetched with the rows).
    offered = {r.pk: r for row in rows for r in row.reasons}.values()
    bulk_reasons = sorted(offered, key=lambda r: (r.title.lower(), r.pk))
    return {"page": page, "rows": rows, "bulk_reasons": bulk_reasons, "filters": filters, "nav_section": "queue",
            "filter": {k: data.get(k) or "" for k in ("scope", "kind", "age")}, "query": request.GET.copy(),
            "filtered": any(data.get(k) for k in ("scope", "kind", "age"))}


@login_required
def queue(request):
    check_is_moderator(request.user)
    return render(request, "moderation/queue.html", _queue_context(request))


def _render_row(request, row, *, status=200) -> HttpResponse:
    html = render_to_string("moderation/_queue_item.html", {"item": row.item, "row": row}, request=request)
    return HttpResponse(html, status=status)


@login_required
def item_row(request, item_id: int):
    """One row of the desk as this moderator sees it (live rows fetch it when they arrive). Decided
    items answer an empty row, which takes them off the page."""
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    if item.status != QueueItem.Status.OPEN:
        return HttpResponse("")
    row = selectors.queue_desk(request.user, [item])[0]
    row.form = _row_form(row)
    return _render_row(request, row)


def _item_page(request, item, form, status=200):
    rules = selectors.rules_in_scope_chain(scope_of_row(item))
    reasons = selectors.reasons_for_items([item])[item.pk]
    form = form or ItemActionForm(rules=rules, reasons=reasons)
    row = selectors.queue_desk(request.user, [item])[0]
    return render(request, "moderation/item.html", {
        "item": item, "reports": selectors.item_reports(item), "form": form, "nav_section": "queue",
        "history": row.history, "claimed_by_other": claim_is_fresh(item) and item.claimed_by_id != request.user.pk,
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


def _act(request, item_id: int, action: str, form: ItemActionForm) -> int | None:
    """Run the action; None when done, else the error status with the messages on the form."""
    if action not in ACTIONS or not form.is_valid():
        if action not in ACTIONS:
            form.add_error(None, "Choose what to do with this item.")
        return 400
    try:
        ACTIONS[action](request.user, item_id, form.cleaned_data)
    except ValidationError as exc:
        form_add_service_error(form, exc, prefix=f"{action}_")
        return 400
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
        return 403
    return None


@login_required
@require_POST
def item_act(request, item_id: int):
    item = selectors.queue_item_get(user=request.user, item_id=item_id)
    action = request.POST.get("action", "")
    if request.POST.get("desk") == "row":
        return _row_act(request, item, action)
    form = ItemActionForm(request.POST, rules=selectors.rules_in_scope_chain(scope_of_row(item)),
                          reasons=selectors.reasons_for_items([item])[item.pk])
    status = _act(request, item_id, action, form)
    if status:
        return _item_page(request, item, form, status=status)
    messages.success(request, "Done.")
    if action in CLOSING:
        return redirect("moderation:queue")
    return redirect("moderation:item", item_id=item_id)


def _row_act(request, item, action: str):
    """A decision from a queue row. htmx: the row goes (a status line says what was done) or comes back
    with the message at the field and the text kept (htmx swaps only 2xx answers, so that is a 200).
    Without JavaScript: back to the queue, or the queue again with this row's form as it was sent."""
    row = selectors.queue_desk(request.user, [item])[0]
    form = row.form = _row_form(row, request.POST)
    status = _act(request, item.pk, action, form)
    if request.htmx:
        if status is None and action in CLOSING:
            return HttpResponse(render_to_string("moderation/_desk_status.html",
                                                 {"item": item, "done": DONE[action]}))
        if status is None:  # done, and the item stays open: redraw it as it is now
            row = selectors.queue_desk(request.user, [selectors.queue_item_get(user=request.user,
                                                                               item_id=item.pk)])[0]
            row.form = _row_form(row)
        return _render_row(request, row)
    if status is None:
        messages.success(request, f"{DONE.get(action, 'Done')}: item #{item.pk}.")
        return redirect("moderation:queue")
    context = _queue_context(request, bound=(item.pk, form))
    if not any(r.item.pk == item.pk for r in context["rows"]):
        return _item_page(request, item, form, status=status)  # on a later page: its own page says why
    return render(request, "moderation/queue.html", context, status=status)


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
                                            reason=data["reason"], reason_id=data["remove_template"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("moderation:queue")
    messages.success(request, ngettext("%(n)d item done.", "%(n)d items done.", done) % {"n": done})
    for problem in problems[:10]:
        messages.warning(request, problem)
    return redirect("moderation:queue")


@login_required
def log(request):
    check_is_moderator(request.user)
    form = LogFilterForm(request.GET or None,
                         scope_choices=selectors.log_scope_choices(request.user, selected=request.GET.get("scope")),
                         actor_choices=selectors.log_actor_choices(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.LogFilters(scope=data.get("scope") or None, actor_id=data.get("moderator"),
                                   action=data.get("action") or None, since=data.get("since"),
                                   until=data.get("until"))
    page = selectors.log_page(user=request.user, filters=filters, cursor=request.GET.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    return render(request, "moderation/log.html", {"page": page, "form": form, "nav_section": "queue",
                                                   "query": query.urlencode()},
                  status=400 if form.errors else 200)
