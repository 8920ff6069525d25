"""Periodic moderation work (Celery beat): automatic slow mode, and sweeping the queue."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from communities.models import ContentStatus, Post
from microgroups.models import JoinRequest

from ..models import ModerationLogEntry as Log
from ..models import QueueItem, Report, Rule, RuleHit, ScopeKind
from ..rules import rules_changed
from ..scopes import region_place_ids, scope_for_pod, scope_of_row
from .log import log_write
from .queue import queue_item_open, queue_withdraw

JOIN_REQUEST_WAIT = timedelta(hours=48)
CALM_FACTOR = 0.5  # auto slow mode turns off when both rates fall under half their thresholds


def _posts_q(rule: Rule, prefix: str = "") -> Q:
    if rule.scope_kind == ScopeKind.POD:
        return Q(**{f"{prefix}pod_id": rule.pod_id})
    if rule.scope_kind == ScopeKind.REGION:
        return Q(**{f"{prefix}pod__region_id__in": region_place_ids(rule.region_id)})
    return Q()


def scope_rates(rule: Rule, since) -> tuple[int, int]:
    """Posts, and flags (rule holds/flags plus reports), in the rule's scope since `since`."""
    posts = Post.objects.filter(_posts_q(rule), created_at__gte=since).count()
    hits = RuleHit.objects.filter(created_at__gte=since, outcome__in=["held", "flagged"])
    if rule.scope_kind == ScopeKind.POD:
        hits = hits.filter(content_pod_id=rule.pod_id)
    elif rule.scope_kind == ScopeKind.REGION:
        hits = hits.filter(content_pod__region_id__in=region_place_ids(rule.region_id))
    reports = Report.objects.filter(Q(item__post__isnull=False) & _posts_q(rule, "item__post__")
                                    | Q(item__comment__isnull=False) & _posts_q(rule, "item__comment__post__"),
                                    created_at__gte=since)
    return posts, hits.count() + reports.count()


@transaction.atomic
def auto_slow_mode_update(*, now=None) -> int:
    """Switch automatic slow mode on where a scope runs hot, off where it has calmed. Returns changes."""
    now = now or timezone.now()
    changed = 0
    for rule in Rule.objects.select_for_update().filter(kind=Rule.Kind.SLOW_MODE, enabled=True, settings__auto=True):
        posts, flags = scope_rates(rule, now - timedelta(hours=1))
        s = rule.settings
        hot = posts >= s["auto_posts_per_hour"] or flags >= s["auto_flags_per_hour"]
        calm = posts < s["auto_posts_per_hour"] * CALM_FACTOR and flags < s["auto_flags_per_hour"] * CALM_FACTOR
        if (hot and not rule.auto_active) or (calm and rule.auto_active):
            rule.auto_active, rule.auto_changed_at = not rule.auto_active, now
            rule.save(update_fields=["auto_active", "auto_changed_at"])
            log_write(actor=None, action=Log.Action.AUTO_SLOW, scope=scope_of_row(rule), rule=rule,
                      reason=ngettext("%(n)d post", "%(n)d posts", posts) % {"n": posts} + " and "
                      + ngettext("%(n)d flag", "%(n)d flags", flags) % {"n": flags} + " in the last hour",
                      before="off" if rule.auto_active else "on", after="on" if rule.auto_active else "off")
            changed += 1
    if changed:
        rules_changed()
    return changed


@transaction.atomic
def queue_sweep(*, now=None) -> tuple[int, int]:
    """Open items for join requests waiting too long; close items whose target went away.
    Returns (opened, closed)."""
    now = now or timezone.now()
    opened = 0
    waiting = (JoinRequest.objects.filter(status=JoinRequest.Status.PENDING, created_at__lt=now - JOIN_REQUEST_WAIT)
               .exclude(pk__in=QueueItem.objects.filter(status="open", join_request__isnull=False)
                        .values("join_request_id"))
               .select_related("pod", "member"))
    for request in waiting:
        queue_item_open(kind=QueueItem.Kind.JOIN_REQUEST, scope=scope_for_pod(request.pod), subject=request.member,
                        reason="Join request waiting over 48 hours", join_request=request)
        opened += 1
    gone = QueueItem.objects.filter(status="open").filter(
        Q(join_request__isnull=False) & ~Q(join_request__status=JoinRequest.Status.PENDING)
        | Q(post__status=ContentStatus.DELETED) | Q(comment__status=ContentStatus.DELETED))
    closed = 0
    for item in gone.select_for_update(of=("self",)):
        item.status, item.resolution, item.resolved_at = QueueItem.Status.RESOLVED, "gone", now
        item.save(update_fields=["status", "resolution", "resolved_at"])
        queue_withdraw(item)
        closed += 1
    return opened, closed
