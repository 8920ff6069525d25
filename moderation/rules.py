"""The rules engine behind `moderation.checks`: compile each scope's rules once, check text against them.

Rules are read from the database once per (rules version, scope) and cached (Django cache for the rows,
a per-process dict for compiled patterns). The version is a database row bumped by every rule change, so
each process sees a change on its next check; no posting path re-reads the rules themselves per post.
Checks needing history (slow mode, caps, new-member approval) cost one indexed query per such rule in the
content's scope chain, and none when there is no rule.
"""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import ngettext

from communities.models import Comment, ContentStatus, Post, User
from communities.policy import pod_roles
from microgroups.models import Pod

from .checks import CheckOutcome, ContentBlocked
from .models import Mute, Rule, RuleHit, RulesVersion, ScopeKind
from .rulekinds import ACTION_STRICTNESS, MATCH_TIMEOUT, SCAN_MAX, compile_pattern, effective_seconds
from .scopes import Scope, moderator_scopes, region_place_ids, scope_for_pod
from .services.queue import queue_item_for_rules

GENERATION_KEY = "moderation:rules:generation"
ROWS_TTL = 24 * 3600
_compiled: dict[tuple, "RuleSet"] = {}
_COMPILED_MAX = 2000


def _cache_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # After an eviction or a flush start from a fresh number, so no stale cached rows are ever reused.
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY) or time.time_ns()
    return generation


def rules_version() -> str:
    """What compiled rule sets are keyed by. The database number (one primary-key read per check) is what
    every process shares, with or without Redis, so a change made in one process is applied by the others
    on their next check. The cache generation makes a flushed cache start over, rows included."""
    number = RulesVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0
    return f"{number}.{_cache_generation()}"


def rules_changed() -> None:
    """Bump the database number inside the changing transaction (this transaction sees its change at once,
    other processes once it commits), and the cache generation now and after commit."""
    if not RulesVersion.objects.filter(pk=1).update(number=F("number") + 1):
        RulesVersion.objects.get_or_create(pk=1, defaults={"number": 1})

    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, time.time_ns(), None)

    bump()
    transaction.on_commit(bump)


@dataclass
class CompiledRule:
    id: int
    kind: str
    title: str
    scope: Scope
    settings: dict
    auto_active: bool = False
    matcher: object = None

    @property
    def scope_label(self) -> str:
        return {"commons": "the Commons", "region": "this region", "pod": "this pod"}[self.scope.kind]


@dataclass
class RuleSet:
    by_kind: dict[str, list[CompiledRule]] = field(default_factory=dict)

    def of(self, kind: str) -> list[CompiledRule]:
        return self.by_kind.get(kind, [])

    @property
    def has_limits(self) -> bool:
        return any(self.of(k) for k in ("links_images", "slow_mode", "new_member", "daily_cap"))


def _load_rows(scope: Scope) -> list[dict]:
    return list(Rule.objects.filter(scope.rows_q(), enabled=True).order_by("id").values(
        "id", "kind", "title", "scope_kind", "region_id", "pod_id", "settings", "auto_active"))


def _compile(rows: list[dict], scope: Scope) -> RuleSet:
    by_scope = {s.kind: s for s in scope.chain()}
    ruleset = RuleSet()
    for row in rows:
        rule = CompiledRule(id=row["id"], kind=row["kind"], title=row["title"], scope=by_scope[row["scope_kind"]],
                            settings=row["settings"], auto_active=row["auto_active"])
        if rule.kind == Rule.Kind.WATCHED_WORD:
            rule.matcher = compile_pattern(rule.settings.get("match", "word"), rule.settings.get("pattern", ""))
        ruleset.by_kind.setdefault(rule.kind, []).append(rule)
    # Strictest watched words first, so a block is raised before lesser actions are recorded.
    ruleset.by_kind.get(Rule.Kind.WATCHED_WORD, []).sort(key=lambda r: -ACTION_STRICTNESS[r.settings["action"]])
    return ruleset


def ruleset_for(scope: Scope) -> RuleSet:
    version = rules_version()
    memo_key = (version, scope.key, scope.region_id)
    ruleset = _compiled.get(memo_key)
    if ruleset is not None:
        return ruleset
    rows_key = f"moderation:rules:{version}:{scope.key}:{scope.region_id}"
    rows = cache.get(rows_key)
    if rows is None:
        rows = _load_rows(scope)
        cache.set(rows_key, rows, ROWS_TTL)
    if len(_compiled) > _COMPILED_MAX:
        _compiled.clear()
    ruleset = _compiled[memo_key] = _compile(rows, scope)
    return ruleset


@dataclass
class _Check:
    actor: object
    pod: object
    scope: Scope
    kind: str
    outcome: CheckOutcome
    now: object


def _hit(rule: CompiledRule, outcome: str) -> dict:
    return {"rule_id": rule.id, "rule_kind": rule.kind, "scope_kind": rule.scope.kind,
            "region_id": rule.scope.region_id if rule.scope.kind == ScopeKind.REGION else None,
            "pod_id": rule.scope.pod_id, "outcome": outcome, "title": rule.title}


# Blocked hits have no content, and the posting service's transaction rolls back when the block is
# raised, which would take the hit row with it. So they wait here (per thread, like the connection)
# until the atomic block they were raised in has ended, then are written by `blocked_hits_flush`
# (called after the next successful save, at the end of each request, and by tests).
_pending = threading.local()


def _pending_hits() -> list:
    if not hasattr(_pending, "hits"):
        _pending.hits = []
    return _pending.hits


def blocked_hits_forget() -> None:
    _pending.hits = []


def blocked_hits_flush() -> int:
    """Write the blocked hits whose transaction has ended (rolled back or not). Returns how many."""
    blocks = transaction.get_connection().atomic_blocks
    ready = [(block, row) for block, row in _pending_hits() if block is None or all(b is not block for b in blocks)]
    if not ready:
        return 0
    _pending.hits = [p for p in _pending_hits() if all(p is not r for r in ready)]
    rows = _still_referable([row for _, row in ready])
    for row in rows:
        row.pk = None
    RuleHit.objects.bulk_create(rows)
    return len(rows)


def _still_referable(rows: list[RuleHit]) -> list[RuleHit]:
    """Drop hits whose member, rule or pod went away while they waited (two small queries)."""

    members = set(User.objects.filter(pk__in={r.member_id for r in rows}).values_list("pk", flat=True))
    rules = set(Rule.objects.filter(pk__in={r.rule_id for r in rows}).values_list("pk", flat=True))
    pod_ids = {r.content_pod_id for r in rows} | {r.pod_id for r in rows}
    pods = set(Pod.objects.filter(pk__in=pod_ids - {None}).values_list("pk", flat=True)) if pod_ids - {None} else set()
    return [r for r in rows if r.member_id in members and r.rule_id in rules
            and r.content_pod_id in pods | {None} and r.pod_id in pods | {None}]


def flush_after_request(sender, **kwargs) -> None:
    if _pending_hits():
        try:
            blocked_hits_flush()
        except Exception:  # noqa: BLE001 - a lost metric row must never turn a response into an error
            logging.getLogger(__name__).warning("could not record blocked rule hits", exc_info=True)


def _block(check: _Check, rule: CompiledRule, why: str):
    """Refuse the text; the hit is recorded once the surrounding transaction is over."""
    h = _hit(rule, RuleHit.Outcome.BLOCKED)
    row = RuleHit(rule_id=h["rule_id"], rule_kind=h["rule_kind"], scope_kind=h["scope_kind"], region_id=h["region_id"],
                  pod_id=h["pod_id"], content_pod_id=check.scope.pod_id, outcome=h["outcome"],
                  content_kind=check.kind, member_id=check.actor.pk, created_at=check.now)
    blocks = transaction.get_connection().atomic_blocks
    if blocks:
        _pending_hits().append((blocks[-1], row))
    else:
        row.save()
    raise ContentBlocked(f"Blocked by the rule \u201c{rule.title}\u201d in {rule.scope_label}: {why}",
                         code="rule_blocked")


def _check_mutes(actor, scope: Scope) -> None:
    mute = (Mute.objects.filter(scope.rows_q(), member_id=actor.pk, until__gt=timezone.now())
            .order_by("-until").only("until", "scope_kind").first())
    if mute is not None:
        where = {"commons": "the Commons", "region": "this region", "pod": "this pod"}[mute.scope_kind]
        raise ContentBlocked(f"A moderator muted you in {where} until {date_format(mute.until, 'j M Y, H:i')} UTC.",
                             code="muted")


def _apply_watched(check: _Check, rules: list[CompiledRule]) -> None:
    outcome = check.outcome
    for rule in rules:
        action, text = rule.settings["action"], outcome.body[:SCAN_MAX]
        try:
            found = rule.matcher.search(text, timeout=MATCH_TIMEOUT)
        except TimeoutError:
            # Too slow to decide: let a person read it rather than guess either way.
            found, action = True, "hold"
        if not found:
            continue
        reason = rule.settings.get("reason") or "this text is not allowed here."
        if action == "block":
            _block(check, rule, reason)
        elif action == "hold":
            outcome.status = ContentStatus.HELD
            outcome.hits.append(_hit(rule, RuleHit.Outcome.HELD))
        elif action == "flag":
            outcome.flagged = True
            outcome.hits.append(_hit(rule, RuleHit.Outcome.FLAGGED))
        else:
            replacement = rule.settings.get("replacement") or "***"
            outcome.body = rule.matcher.sub(replacement.replace("\\", "\\\\"), outcome.body, timeout=MATCH_TIMEOUT)
            outcome.hits.append(_hit(rule, RuleHit.Outcome.REPLACED))


def _content_q(scope: Scope, kind: str) -> Q:
    """A member's content inside a scope (a rule's scope covers everything beneath it)."""
    prefix = "" if kind == "post" else "post__"
    if scope.kind == ScopeKind.POD:
        return Q(**{f"{prefix}pod_id": scope.pod_id})
    if scope.kind == ScopeKind.REGION:
        return Q(**{f"{prefix}pod__region_id__in": region_place_ids(scope.region_id)})
    return Q()


def _mine(check: _Check, scope: Scope, kind: str | None = None):
    kind = kind or check.kind
    model = Post if kind == "post" else Comment
    return model.objects.filter(_content_q(scope, kind), author_id=check.actor.pk)


def _apply_links(check: _Check, rules: list[CompiledRule], has_links: bool, has_images: bool) -> None:
    age_days = (check.now - check.actor.date_joined).days
    for rule in rules:
        for what, present in (("links", has_links), ("images", has_images)):
            if not present:
                continue
            days, rung = rule.settings.get(f"{what}_min_age_days") or 0, rule.settings.get(f"{what}_min_rung")
            if age_days < days:
                _block(check, rule, ngettext("%(what)s are allowed here for accounts older than %(n)d day.",
                                             "%(what)s are allowed here for accounts older than %(n)d days.",
                                             days) % {"what": what, "n": days})
            if rung and check.pod is not None and not pod_roles(check.actor).rung_at_least(check.pod.pk, rung):
                _block(check, rule, f"{what} unlock at the {rung} rung here.")


def slow_mode_message(kind: str, seconds: int, wait: int) -> str:
    every = ngettext("one %(kind)s every second", "one %(kind)s every %(n)d seconds", seconds) % {
        "kind": kind, "n": seconds}
    again = ngettext("try again in %(n)d second.", "try again in %(n)d seconds.", wait) % {"n": wait}
    return f"slow mode is on: {every}; {again}"


def daily_cap_message(kind: str, cap: int) -> str:
    return ngettext("at most %(n)d %(kind)s a day here; try again tomorrow.",
                    "at most %(n)d %(kind)ss a day here; try again tomorrow.", cap) % {"n": cap, "kind": kind}


def _apply_slow_mode(check: _Check, rules: list[CompiledRule]) -> None:
    for rule in rules:
        seconds = effective_seconds(rule.settings, rule.auto_active)
        if not seconds:
            continue
        last = (_mine(check, rule.scope).filter(created_at__gt=check.now - timedelta(seconds=seconds))
                .order_by("-created_at").values_list("created_at", flat=True).first())
        if last is not None:
            wait = seconds - int((check.now - last).total_seconds())
            _block(check, rule, slow_mode_message(check.kind, seconds, max(wait, 1)))


def _apply_daily_caps(check: _Check, rules: list[CompiledRule]) -> None:
    start = check.now.replace(hour=0, minute=0, second=0, microsecond=0)
    for rule in rules:
        cap = rule.settings.get("posts" if check.kind == "post" else "comments")
        if cap is None:
            continue
        if _mine(check, rule.scope).filter(created_at__gte=start).count() >= cap:
            _block(check, rule, daily_cap_message(check.kind, cap))


def _apply_new_member(check: _Check, rules: list[CompiledRule]) -> None:
    if check.kind != "post":
        return
    for rule in rules:
        first_n = rule.settings.get("first_n") or 0
        done = _mine(check, rule.scope).filter(status=ContentStatus.PUBLISHED).count()
        if done < first_n:
            check.outcome.status = ContentStatus.HELD
            check.outcome.hits.append(_hit(rule, RuleHit.Outcome.HELD))


def evaluate(*, actor, pod, kind, body, has_links, has_images, editing=False) -> CheckOutcome:
    scope = scope_for_pod(pod)
    _check_mutes(actor, scope)
    ruleset = ruleset_for(scope)
    check = _Check(actor=actor, pod=pod, scope=scope, kind=kind, now=timezone.now(),
                   outcome=CheckOutcome(status=ContentStatus.PUBLISHED, body=body))
    _apply_watched(check, ruleset.of(Rule.Kind.WATCHED_WORD))
    # Moderators of the scope are trusted with volume and links; watched words still apply to them.
    if ruleset.has_limits and not moderator_scopes(actor).covers(scope):
        _apply_links(check, ruleset.of(Rule.Kind.LINKS_IMAGES), has_links, has_images)
        if not editing:
            _apply_slow_mode(check, ruleset.of(Rule.Kind.SLOW_MODE))
            _apply_daily_caps(check, ruleset.of(Rule.Kind.DAILY_CAP))
            _apply_new_member(check, ruleset.of(Rule.Kind.NEW_MEMBER))
    return check.outcome


def record_hits(*, outcome, post=None, comment=None) -> None:
    """Store the hits against the saved content; held or flagged content opens a queue item."""
    if _pending_hits():
        blocked_hits_flush()
    if not outcome.hits and not outcome.flagged and outcome.status != ContentStatus.HELD:
        return
    content = post or comment
    content_pod_id = post.pod_id if post is not None else comment.post.pod_id
    RuleHit.objects.bulk_create([
        RuleHit(rule_id=h["rule_id"], rule_kind=h["rule_kind"], scope_kind=h["scope_kind"],
                region_id=h["region_id"], pod_id=h["pod_id"], content_pod_id=content_pod_id, outcome=h["outcome"],
                content_kind="post" if post is not None else "comment", member_id=content.author_id,
                post=post, comment=comment)
        for h in outcome.hits
    ])
    if outcome.status == ContentStatus.HELD or outcome.flagged:

        queue_item_for_rules(post=post, comment=comment, outcome=outcome)
