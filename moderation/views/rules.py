"""Rule management: the rules of the scopes I moderate (and those inherited from above, read-only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from common.forms import form_add_service_error
from communities.policy import check_can_edit_rule, check_is_moderator

from .. import selectors
from ..forms import RuleForm
from ..models import Rule
from ..services.rules import rule_create, rule_toggle, rule_update


@login_required
def rule_list(request):
    check_is_moderator(request.user)
    return render(request, "moderation/rules.html", {"groups": selectors.rules_overview(user=request.user),
                                                     "nav_section": "queue"})


@login_required
def rule_new(request):
    check_is_moderator(request.user)
    form = RuleForm(request.POST or None, initial={"kind": request.GET.get("kind")},
                    **selectors.scope_form_kwargs(request.user, selected=request.POST.get("scope")))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule_create(actor=request.user, scope=data["scope"], kind=data["kind"], title=data["title"],
                        settings=form.settings(data["kind"]), enabled=data["enabled"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Rule created.")
            return redirect("moderation:rules")
    return render(request, "moderation/rule_form.html", {"form": form, "nav_section": "queue"},
                  status=400 if form.errors else 200)


def _rule_for_edit(request, rule_id: int) -> Rule:
    rule = get_object_or_404(Rule.objects.select_related("region", "pod"), pk=rule_id)
    check_can_edit_rule(request.user, rule)  # 404 outside my view, 403 when inherited
    return rule


@login_required
def rule_edit(request, rule_id: int):
    rule = _rule_for_edit(request, rule_id)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule_update(actor=request.user, rule=rule, title=data["title"], settings=form.settings(rule.kind),
                        enabled=data["enabled"])
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, "Rule saved.")
            return redirect("moderation:rules")
    return render(request, "moderation/rule_form.html", {"form": form, "rule": rule, "nav_section": "queue"},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def rule_toggle_view(request, rule_id: int):
    rule = _rule_for_edit(request, rule_id)
    try:
        rule = rule_toggle(actor=request.user, rule=rule)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"\u201c{rule.title}\u201d is {'on' if rule.enabled else 'off'}.")
    return redirect("moderation:rules")
