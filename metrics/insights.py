"""Moderator insights: reads of moderation's queue, reports, log and appeals for the manager dashboard.

Moderation volumes are small next to feed events, so these read moderation's own tables (indexed by
`created_at`) rather than a rollup: four queries for the whole section, whatever the number of scopes.
Definitions are in `metrics.definitions.MODERATION_DEFINITIONS`; every figure here follows them.

A row's place, as in the public transparency report (`moderation.transparency`): a queue item's pod
and region scope (so an item escalated out of its pod counts above it); a log entry's content pod (else
its pod scope) and region. Scope keys as in `selectors`, plus EVERYWHERE: everything; Commons: no pod;
all pods: any pod; a pod: that pod; a region: rows scoped to the region or to a pod under it (the
moderation queue's region filter). Only moderation's own tables are read.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from moderation.models import Appeal, ModerationLogEntry, QueueItem, Report

from .models import ScopeKind

Log = ModerationLogEntry
EVERYWHERE = ("everywhere", 0)
# What a moderator decides on an item or member; rule edits, assignments and automatic steps are not.
DECISIONS = (Log.Action.APPROVE, Log.Action.REMOVE, Log.Action.EDIT_OUT, Log.Action.WARN, Log.Action.MUTE,
             Log.Action.BAN, Log.Action.ESCALATE, Log.Action.APPEAL_GRANTED, Log.Action.APPEAL_DENIED)
SANCTIONS = (Log.Action.EDIT_OUT, Log.Action.WARN, Log.Action.MUTE, Log.Action.BAN)
APPEAL_DECISIONS = (Log.Action.APPEAL_GRANTED, Log.Action.APPEAL_DENIED)
MODERATOR_LIMIT = 100


def in_scope(scope: tuple, pod_id: int | None, region_id: int | None) -> bool:
    kind, scope_id = scope
    if kind == EVERYWHERE[0]:
        return True
    if kind == ScopeKind.COMMONS:
        return pod_id is None
    if kind == ScopeKind.PODS:
        return pod_id is not None
    if kind == ScopeKind.POD:
        return pod_id == scope_id
    return region_id == scope_id


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    """Nearest rank: the smallest value with at least 90% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class ModeratorRow:
    member_id: int
    username: str
    name: str
    actions: int = 0
    by_action: dict = field(default_factory=lambda: defaultdict(int))
    by_scope: dict = field(default_factory=lambda: defaultdict(int))
    overturned: int = 0
    first_seconds: list = field(default_factory=list)  # items this moderator acted on first


def moderator_actions(*, t0: datetime, t1: datetime, scopes: list[tuple]) -> dict[int, ModeratorRow]:
    """Decisions in [t0, t1) per moderator, action and place, with their removals later overturned (one query)."""
    rows = (Log.objects.filter(created_at__gte=t0, created_at__lt=t1, actor__isnull=False, action__in=DECISIONS)
            .annotate(place_pod=Coalesce("content_pod_id", "pod_id"))
            .values("actor_id", "actor__username", "actor__display_name", "action", "place_pod", "region_id")
            .annotate(n=Count("pk", distinct=True),
                      overturned=Count("pk", distinct=True, filter=Q(action=Log.Action.REMOVE,
                                                                     appeals__status=Appeal.Status.GRANTED))))
    out: dict[int, ModeratorRow] = {}
    for r in rows:
        mod = out.setdefault(r["actor_id"], ModeratorRow(r["actor_id"], r["actor__username"],
                                                         r["actor__display_name"] or r["actor__username"]))
        mod.actions += r["n"]
        mod.by_action[r["action"]] += r["n"]
        mod.overturned += r["overturned"]
        for scope in scopes:
            if in_scope(scope, r["place_pod"], r["region_id"]):
                mod.by_scope[scope] += r["n"]
    return out


@dataclass
class ItemTimes:
    pod_id: int | None
    region_id: int | None
    created_at: datetime
    resolved_at: datetime | None
    first_at: datetime | None  # the first moderator decision on it
    first_by: int | None

    @property
    def first_seconds(self) -> float | None:
        return None if self.first_at is None else max((self.first_at - self.created_at).total_seconds(), 0.0)


def queue_items(*, since: datetime, until: datetime) -> list[ItemTimes]:
    """Items open at some moment of [since, until) or created in it, with their first moderator decision
    (one query: the decision comes from a subquery on the log)."""
    first = Log.objects.filter(item_id=OuterRef("pk"), actor__isnull=False, action__in=DECISIONS).order_by(
        "created_at", "id")
    rows = (QueueItem.objects.filter(created_at__lt=until)
            .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
            .annotate(place_pod=F("pod_id"), first_at=Subquery(first.values("created_at")[:1]),
                      first_by=Subquery(first.values("actor_id")[:1]))
            .values_list("place_pod", "region_id", "created_at", "resolved_at", "first_at", "first_by"))
    return [ItemTimes(*row) for row in rows]


def backlog_at(items: list[ItemTimes], moment: datetime, scope: tuple) -> int:
    """Items open at `moment`: created before it and not resolved by then."""
    return sum(1 for i in items if i.created_at < moment and (i.resolved_at is None or i.resolved_at >= moment)
               and in_scope(scope, i.pod_id, i.region_id))


@dataclass
class FirstAction:
    opened: int = 0
    decided: int = 0
    closed_otherwise: int = 0
    waiting: int = 0
    seconds: list = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return median(self.seconds)

    @property
    def p90(self) -> float | None:
        return p90(self.seconds)


def first_actions(items: list[ItemTimes], *, t0: datetime, t1: datetime, scope: tuple) -> FirstAction:
    """Over items created in [t0, t1): how many got a moderator decision (up to now), and how fast."""
    out = FirstAction()
    for i in items:
        if not (t0 <= i.created_at < t1) or not in_scope(scope, i.pod_id, i.region_id):
            continue
        out.opened += 1
        if i.first_at is not None:
            out.decided += 1
            out.seconds.append(i.first_seconds)
        elif i.resolved_at is not None:
            out.closed_otherwise += 1
        else:
            out.waiting += 1
    return out


def reasons_by_place(*, t0: datetime, t1: datetime) -> list[dict]:
    """Reports made in [t0, t1) by reason and place, with how many of them ended in a removal (one query)."""
    return list(Report.objects.filter(created_at__gte=t0, created_at__lt=t1)
                .annotate(place_pod=F("item__pod_id"), place_region=F("item__region_id"))
                .values("reason", "place_pod", "place_region")
                .annotate(n=Count("pk"), removed=Count("pk", filter=Q(item__resolution="removed"))))


def removals_appealed(*, t0: datetime, t1: datetime) -> list[dict]:
    """Removals made in [t0, t1) by place: how many were appealed (whenever), overturned, upheld (one query)."""
    return list(Log.objects.filter(created_at__gte=t0, created_at__lt=t1, action=Log.Action.REMOVE)
                .annotate(place_pod=Coalesce("content_pod_id", "pod_id"))
                .values("place_pod", "region_id")
                .annotate(removals=Count("pk", distinct=True),
                          appealed=Count("pk", distinct=True, filter=Q(appeals__isnull=False)),
                          overturned=Count("pk", distinct=True, filter=Q(appeals__status=Appeal.Status.GRANTED)),
                          upheld=Count("pk", distinct=True, filter=Q(appeals__status=Appeal.Status.DENIED))))

