"""Retention cohorts: one query per cohort week and scope kind computes all eight weeks at once."""

# ruff: noqa: S608 - queries are assembled from table names and fixed fragments; values are always params.

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import RetentionCohort, ScopeKind
from ..periods import day_start, week_monday
from . import sql

WEEKS = 8
Segment = RetentionCohort.Segment


def _cohort_sources(w0, w1) -> list[tuple[str, str, str, list]]:
    """(scope kind, cohort SELECT member_id, k, activity match on `a`, params) for a cohort week [w0, w1)."""
    user, event = sql.table("communities.User"), sql.table("microgroups.MembershipEvent")
    live = "(u.is_active = %s OR u.deleted_at IS NOT NULL)"
    signed_up = f"u.date_joined >= %s AND u.date_joined < %s AND {live}"
    first_join = (f"SELECT member_id, {{key}} AS k FROM {event} WHERE kind = 'joined' "
                  f"GROUP BY {{group}} HAVING MIN(created_at) >= %s AND MIN(created_at) < %s")
    pod_in_week = (f"EXISTS (SELECT 1 FROM {event} e WHERE e.member_id = u.id AND e.kind = 'joined' "
                   f"AND e.created_at >= %s AND e.created_at < %s)")
    return [
        (ScopeKind.COMMONS, f"SELECT u.id AS member_id, 0 AS k FROM {user} u WHERE {signed_up}",
         "a.pod_id IS NULL", [w0, w1, True]),
        (ScopeKind.REGION, f"SELECT u.id AS member_id, {sql.REGION_KEY} AS k FROM {user} u "
                           f"JOIN {sql.table('communities.Place')} pl ON pl.id = u.region_id "
                           f"WHERE {signed_up} AND {sql.REGION_KEY} IS NOT NULL", "1 = 1", [w0, w1, True]),
        (ScopeKind.POD, first_join.format(key="pod_id", group="pod_id, member_id"), "a.pod_id = c.k", [w0, w1]),
        (ScopeKind.PODS, first_join.format(key="0", group="member_id"), "a.pod_id IS NOT NULL", [w0, w1]),
        # Segments of the Commons cohort: 1 = joined a pod in the sign-up week, 2 = did not. Activity anywhere.
        ("segments", f"SELECT u.id AS member_id, CASE WHEN {pod_in_week} THEN 1 ELSE 2 END AS k FROM {user} u "
                     f"WHERE {signed_up}", "1 = 1", [w0, w1, w0, w1, True]),
    ]


SEGMENTS = "segments"  # the Commons cohorts split by pod joining (scope kind "commons", two segments)


def cohorts_compute(*, week: date, today: date | None = None, scopes: dict | None = None) -> list[RetentionCohort]:
    """One cohort week's rows: every scope, or only `scopes` (scope kind or SEGMENTS → ids or None for all)."""
    today = today or timezone.now().date()
    monday = week_monday(week)
    weeks = [(monday + timedelta(days=7 * k), monday + timedelta(days=7 * k + 7)) for k in range(1, WEEKS + 1)]
    counts = ", ".join("COUNT(DISTINCT CASE WHEN a.day >= %s AND a.day < %s THEN c.member_id END)" for _ in weeks)
    count_params = [d for pair in weeks for d in pair]
    out = []
    for kind, cohort, match, params in _cohort_sources(day_start(monday), day_start(monday + timedelta(days=7))):
        if scopes is not None and kind not in scopes:
            continue
        if scopes is not None and scopes[kind] is not None:
            cohort = f"SELECT * FROM ({cohort}) cf WHERE cf.k IN ({sql.id_list(scopes[kind])})"
        query = (f"SELECT c.k, COUNT(DISTINCT c.member_id), {counts} FROM ({cohort}) c "
                 f"LEFT JOIN {sql.table('metrics.ActivityDay')} a ON a.member_id = c.member_id "
                 f"AND a.day >= %s AND a.day < %s AND {match} GROUP BY c.k")
        for k, size, *retained in sql.run(query, count_params + params + [weeks[0][0], weeks[-1][1]]):
            if not size:
                continue
            scope_kind, scope_id, segment = kind, int(k), Segment.ALL
            if kind == "segments":
                scope_kind, scope_id = ScopeKind.COMMONS, 0
                segment = Segment.POD_JOINERS if k == 1 else Segment.NON_JOINERS
            done = {f"retained_{i + 1}": (n if weeks[i][1] <= today else None) for i, n in enumerate(retained)}
            out.append(RetentionCohort(scope_kind=scope_kind, scope_id=scope_id, segment=segment,
                                       cohort_week=monday, size=size, **done))
    return out


def _cohorts_q(scopes: dict | None) -> Q:
    if scopes is None:
        return Q()
    q = Q(pk__in=[])
    for kind, ids in scopes.items():
        part = (Q(scope_kind=ScopeKind.COMMONS) & ~Q(segment=Segment.ALL) if kind == SEGMENTS
                else Q(scope_kind=kind, segment=Segment.ALL))
        q |= part if ids is None else part & Q(scope_id__in=ids)
    return q


def cohorts_recompute(*, weeks: list[date], today: date | None = None, scopes: dict | None = None) -> int:
    """Replace the cohort rows of these cohort weeks, for every scope or only `scopes` (idempotent)."""
    total = 0
    for week in weeks:
        rows = cohorts_compute(week=week, today=today, scopes=scopes)
        with transaction.atomic():
            RetentionCohort.objects.filter(_cohorts_q(scopes), cohort_week=week_monday(week)).delete()
            RetentionCohort.objects.bulk_create(rows, batch_size=2000)
        total += len(rows)
    return total
