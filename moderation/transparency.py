"""Public transparency reports: what moderation did in a place, in counts only.

A report names rules and months, never reporters, moderators, members or removed content. It is the
same for everyone allowed to see the place, so it is cached briefly in the shared cache; a decision
shows within `REPORT_TTL` seconds.
"""

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Appeal, ModerationLogEntry, QueueItem, ScopeKind

REPORT_TTL = 30
MONTHS = 12
DECISION_KINDS = (QueueItem.Kind.HELD, QueueItem.Kind.FLAGGED, QueueItem.Kind.REPORT)
DURATION_SAMPLE = 5000  # the latest decisions are enough for a median


@dataclass
class TransparencyReport:
    place_label: str
    since: object
    months: list = field(default_factory=list)  # [(month date, {rule title: n}, total)]
    rules: list = field(default_factory=list)  # [(rule title, n)] over the whole period
    removal_total: int = 0
    decisions: int = 0
    median_hours: float | None = None
    appeals_upheld: int = 0
    appeals_overturned: int = 0
    appeals_open: int = 0


def _log_q(kind: str, place_id: int | None, prefix: str = "") -> Q:
    """Log rows of one place. A pod: its content, whoever acted. A region: rows scoped to it or to a pod
    under it. The Commons: content that lives in no pod."""
    if kind == ScopeKind.POD:
        return Q(**{f"{prefix}content_pod_id": place_id})
    if kind == ScopeKind.REGION:
        return Q(**{f"{prefix}region_id": place_id})
    return Q(**{f"{prefix}content_pod__isnull": True, f"{prefix}pod__isnull": True})


def _item_q(kind: str, place_id: int | None) -> Q:
    if kind == ScopeKind.POD:
        return Q(pod_id=place_id)
    if kind == ScopeKind.REGION:
        return Q(region_id=place_id)
    return Q(pod__isnull=True)


def _removals(log_q: Q, since) -> list[dict]:
    return list(ModerationLogEntry.objects.filter(log_q, action=ModerationLogEntry.Action.REMOVE,
                                                  created_at__gte=since)
                .annotate(month=TruncMonth("created_at")).values("month", "rule_title")
                .annotate(n=Count("pk")).order_by("month", "rule_title"))


def _median_hours(item_q: Q, since) -> tuple[int, float | None]:
    rows = list(QueueItem.objects.filter(item_q, kind__in=DECISION_KINDS, status=QueueItem.Status.RESOLVED,
                                         resolved_at__gte=since)
                .order_by("-resolved_at").values_list("created_at", "resolved_at")[:DURATION_SAMPLE])
    if not rows:
        return 0, None
    hours = [(resolved - created).total_seconds() / 3600 for created, resolved in rows]
    return len(rows), round(statistics.median(hours), 1)


def _appeals(removal_q: Q, since) -> dict[str, int]:
    counts = Appeal.objects.filter(removal_q, created_at__gte=since).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in counts}


def transparency_report(*, kind: str, place_id: int | None, place_label: str) -> TransparencyReport:
    key = f"moderation:transparency:{kind}:{place_id or 0}"
    report = cache.get(key)
    if report is None:
        report = _build(kind, place_id, place_label)
        cache.set(key, report, REPORT_TTL)
    return report


def _build(kind: str, place_id: int | None, place_label: str) -> TransparencyReport:
    since = (timezone.now() - timedelta(days=31 * MONTHS)).replace(day=1, hour=0, minute=0, second=0,
                                                                  microsecond=0)
    log_q = _log_q(kind, place_id)
    report = TransparencyReport(place_label=place_label, since=since)
    by_month: dict = {}
    by_rule: dict[str, int] = {}
    for row in _removals(log_q, since):
        title = row["rule_title"] or "Other moderator decisions"
        by_month.setdefault(row["month"], {})[title] = row["n"]
        by_rule[title] = by_rule.get(title, 0) + row["n"]
    report.months = [(month, rules, sum(rules.values())) for month, rules in sorted(by_month.items(), reverse=True)]
    report.rules = sorted(by_rule.items(), key=lambda pair: (-pair[1], pair[0]))
    report.removal_total = sum(by_rule.values())
    report.decisions, report.median_hours = _median_hours(_item_q(kind, place_id), since)
    appeals = _appeals(_log_q(kind, place_id, prefix="removal__"), since)
    report.appeals_upheld = appeals.get(Appeal.Status.DENIED, 0)
    report.appeals_overturned = appeals.get(Appeal.Status.GRANTED, 0)
    report.appeals_open = appeals.get(Appeal.Status.OPEN, 0)
    return report
