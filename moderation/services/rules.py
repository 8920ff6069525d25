"""Creating, changing and switching rules. A lower scope may add rules and tighten inherited ones,
never loosen them; overlapping rules in one scope are refused with a message naming the other rule."""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communities.policy import check_can_edit_rule, check_can_manage_scope

from ..models import ModerationLogEntry as Log
from ..models import Rule
from ..rulekinds import ACTION_STRICTNESS, CLEANERS, check_not_looser, same_watch
from ..rules import rules_changed
from ..scopes import Scope, scope_of_row
from .log import log_write

SCOPE_WORDS = {"commons": "the Commons", "region": "the region", "pod": "the pod"}


def _rules_at(scopes: list[Scope], kind: str, *, exclude_id: int | None):
    rules = []
    for scope in scopes:
        qs = Rule.objects.filter(kind=kind, **scope.model_fields())
        if exclude_id:
            qs = qs.exclude(pk=exclude_id)
        rules.extend(qs)
    return rules


def _check_watched(scope: Scope, cleaned: dict, enabled: bool, exclude_id: int | None) -> None:
    for other in _rules_at([scope], "watched_word", exclude_id=exclude_id):
        if same_watch(other.settings, cleaned):
            raise ValidationError({"pattern": f"Overlaps the rule \u201c{other.title}\u201d in this scope, which "
                                              f"already watches this; edit that one instead."})
    for other in _rules_at(scope.ancestors(), "watched_word", exclude_id=exclude_id):
        if not other.enabled or not same_watch(other.settings, cleaned):
            continue
        where = SCOPE_WORDS[other.scope_kind]
        if not enabled:
            raise ValidationError({"enabled": f"\u201c{other.title}\u201d from {where} watches this and can't be "
                                              f"switched off here."})
        if ACTION_STRICTNESS[cleaned["action"]] <= ACTION_STRICTNESS[other.settings["action"]]:
            raise ValidationError({"action": f"\u201c{other.title}\u201d from {where} already does "
                                             f"\u201c{other.settings['action']}\u201d for this; here you may only "
                                             f"choose a stricter action."})


def rule_validate(*, scope: Scope, kind: str, settings: dict, enabled: bool, exclude_id: int | None = None) -> dict:
    """Clean the settings for the kind and check them against this scope and the scopes above."""
    if kind not in CLEANERS:
        raise ValidationError({"kind": "Choose a rule kind."})
    cleaned = CLEANERS[kind](settings)
    if kind == "watched_word":
        _check_watched(scope, cleaned, enabled, exclude_id)
        return cleaned
    for other in _rules_at([scope], kind, exclude_id=exclude_id):
        raise ValidationError(f"Overlaps \u201c{other.title}\u201d: this scope already has a "
                              f"{other.get_kind_display().lower()} rule; edit that one instead.")
    if enabled:
        for other in _rules_at(scope.ancestors(), kind, exclude_id=exclude_id):
            if other.enabled:
                check_not_looser(kind, cleaned, other, SCOPE_WORDS[other.scope_kind])
    return cleaned


def _snapshot(rule: Rule) -> str:
    return json.dumps({"title": rule.title, "enabled": rule.enabled, "settings": rule.settings}, sort_keys=True)


@transaction.atomic
def rule_create(*, actor, scope: Scope, kind: str, title: str, settings: dict, enabled: bool = True) -> Rule:
    check_can_manage_scope(actor, scope)
    cleaned = rule_validate(scope=scope, kind=kind, settings=settings, enabled=enabled)
    rule = Rule.objects.create(**scope.model_fields(), kind=kind, title=(title or "").strip()[:80] or kind,
                               settings=cleaned, enabled=enabled, created_by=actor)
    log_write(actor=actor, action=Log.Action.RULE_CREATE, scope=scope, rule=rule, after=_snapshot(rule))
    rules_changed()
    return rule


@transaction.atomic
def rule_update(*, actor, rule: Rule, title: str, settings: dict, enabled: bool) -> Rule:
    check_can_edit_rule(actor, rule)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    scope = scope_of_row(rule)
    cleaned = rule_validate(scope=scope, kind=rule.kind, settings=settings, enabled=enabled, exclude_id=rule.pk)
    before = _snapshot(rule)
    rule.title, rule.settings, rule.enabled = (title or "").strip()[:80] or rule.title, cleaned, enabled
    rule.updated_at = timezone.now()
    rule.save(update_fields=["title", "settings", "enabled", "updated_at"])
    log_write(actor=actor, action=Log.Action.RULE_UPDATE, scope=scope, rule=rule, before=before, after=_snapshot(rule))
    rules_changed()
    return rule


@transaction.atomic
def rule_toggle(*, actor, rule: Rule) -> Rule:
    """Switching a scope's own rule off leaves inherited rules in force; switching on re-validates."""
    check_can_edit_rule(actor, rule)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    scope = scope_of_row(rule)
    if not rule.enabled:
        rule_validate(scope=scope, kind=rule.kind, settings=rule.settings, enabled=True, exclude_id=rule.pk)
    rule.enabled, rule.updated_at = not rule.enabled, timezone.now()
    rule.save(update_fields=["enabled", "updated_at"])
    log_write(actor=actor, action=Log.Action.RULE_TOGGLE, scope=scope, rule=rule,
              before="on" if not rule.enabled else "off", after="on" if rule.enabled else "off")
    rules_changed()
    return rule
