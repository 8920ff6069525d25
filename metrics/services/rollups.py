"""Roll raw events up into `MetricRollup` rows: one aggregate query per figure family and scope kind.

Recomputing a period deletes and re-inserts its rows in one transaction, so a re-run (or a task that
died halfway and ran again) leaves exactly the same numbers.
"""

# ruff: noqa: S608 - queries are assembled from table names and fixed fragments; values are always params.

import logging
import statistics
import time
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from microgroups.models import Membership
from moderation.models import QueueItem

from ..models import InfluencerRollup, MetricRollup, PeriodKind, PodBenchmark, RetentionCohort, ScopeKind
from ..periods import day_start, period_end, previous_start
from . import sql
from .influencers import influencers_compute

logger = logging.getLogger(__name__)

SCOPE_KINDS = [ScopeKind.COMMONS, ScopeKind.PODS, ScopeKind.POD, ScopeKind.REGION]
ALWAYS_WRITTEN = {(ScopeKind.COMMONS, 0), (ScopeKind.PODS, 0)}  # empty periods still get a (zero) row
# Some scopes of a period: scope kind → the pod or region ids to recompute (None: every one of that kind).
Scopes = dict[str, set[int] | None]
STALE_QUEUE_HOURS = 48
BENCHMARK_FIGURES = [
    "impressions", "unique_reach", "active_members", "dau", "stickiness", "members_end", "growth",
    "growth_rate", "interactions", "engagement_rate", "contributors", "participation",
    "contributions_per_active", "inequality", "reply_rate", "median_reply_seconds", "sentiment_mean",
]


class _Rows(dict):
    """(scope kind, scope id) → {field: value}."""

    def put(self, kind: str, result: dict[int, tuple], names: list[str]) -> None:
        for scope_id, values in result.items():
            row = self.setdefault((kind, int(scope_id)), {})
            for name, value in zip(names, values, strict=True):
                row[name] = value


def _reach(rows: _Rows, kind: str, first: date, last: date, ids=None) -> None:
    rows.put(kind, sql.grouped(kind, sql.impressions_src(first, last), "COUNT(*), COUNT(DISTINCT s.member_id)",
                               ids=ids),
             ["impressions", "unique_reach"])
    # One pass over the 28 days ending at `last` (a period is never longer) gives active, WAU and MAU.
    window = sql.activity_src(last - timedelta(days=27), last)
    rows.put(kind, sql.grouped(kind, window, "COUNT(DISTINCT CASE WHEN s.day >= %s THEN s.member_id END), "
                                             "COUNT(DISTINCT CASE WHEN s.day >= %s THEN s.member_id END), "
                                             "COUNT(DISTINCT s.member_id)", [first, last - timedelta(days=6)], ids),
             ["active_members", "wau", "mau"])
    # Σ DAU = distinct (member, day) pairs: a member active in two pods on one day is one "all pods" DAU.
    inner, params = sql.keyed(kind, sql.activity_src(first, last), "s.member_id, s.day", ids=ids)
    rows.put(kind, {r[0]: r[1:] for r in sql.run(f"SELECT k, COUNT(*) FROM (SELECT DISTINCT * FROM ({inner}) d) t "
                                                 f"GROUP BY k", params)}, ["member_days"])


def _engagement(rows: _Rows, kind: str, t0, t1, ids=None) -> None:
    contributions = sql.contributions_src(t0, t1)
    rows.put(kind, sql.grouped(kind, contributions, (
        "SUM(s.is_post), SUM(1 - s.is_post), COUNT(DISTINCT s.member_id), COUNT(s.sentiment), SUM(s.sentiment), "
        "SUM(CASE WHEN s.sentiment > 0.05 THEN 1 ELSE 0 END), SUM(CASE WHEN s.sentiment < -0.05 THEN 1 ELSE 0 END)"
    ), ids=ids), ["posts", "comments", "contributors", "sentiment_count", "sentiment_sum", "sentiment_positive",
         "sentiment_negative"])
    rows.put(kind, sql.grouped(kind, sql.reactions_src(t0, t1), "COUNT(*)", ids=ids), ["reactions"])
    rows.put(kind, sql.grouped(kind, sql.rule_hits_src(t0, t1), "COUNT(*)", ids=ids), ["rule_hits"])
    _top_contributors(rows, kind, contributions, ids)
    _replies(rows, kind, sql.first_replies_src(t0, t1), ids)


def _top_contributors(rows: _Rows, kind: str, contributions, ids=None) -> None:
    """Contributions by the top 10% of contributors (⌈n/10⌉ of them: rn ≤ ⌈n/10⌉ ⇔ 10·rn ≤ n + 9)."""
    inner, params = sql.keyed(kind, contributions, "s.member_id", ids=ids)
    query = (
        f"SELECT k, SUM(n) FROM (SELECT k, n, ROW_NUMBER() OVER (PARTITION BY k ORDER BY n DESC, member_id) AS rn, "
        f"COUNT(*) OVER (PARTITION BY k) AS total FROM (SELECT k, member_id, COUNT(*) AS n FROM ({inner}) c "
        f"GROUP BY k, member_id) g) r WHERE rn * 10 <= total + 9 GROUP BY k"
    )
    rows.put(kind, {r[0]: r[1:] for r in sql.run(query, params)}, ["top_contributions"])


def _replies(rows: _Rows, kind: str, first_replies, ids=None) -> None:
    rows.put(kind, sql.grouped(kind, first_replies, "SUM(CASE WHEN s.secs <= 86400 THEN 1 ELSE 0 END)", ids=ids),
             ["posts_replied_24h"])
    inner, params = sql.keyed(kind, first_replies, "s.secs", "s.secs IS NOT NULL", ids=ids)
    query = (
        f"SELECT k, AVG(secs) FROM (SELECT k, secs, ROW_NUMBER() OVER (PARTITION BY k ORDER BY secs) AS rn, "
        f"COUNT(*) OVER (PARTITION BY k) AS n FROM ({inner}) m) r WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY k"
    )
    rows.put(kind, {r[0]: r[1:] for r in sql.run(query, params)}, ["median_reply_seconds"])


def _members(rows: _Rows, kind: str, t0, t1, ids=None) -> None:
    names = ["members_start", "members_end", "joined", "left"]
    if kind in (ScopeKind.COMMONS, ScopeKind.REGION):
        live = "s.date_joined < %s AND (s.deleted_at IS NULL OR s.deleted_at >= %s)"
        aggs = (f"SUM(CASE WHEN {live} THEN 1 ELSE 0 END), SUM(CASE WHEN {live} THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN s.date_joined >= %s AND s.date_joined < %s THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN s.deleted_at >= %s AND s.deleted_at < %s THEN 1 ELSE 0 END)")
        rows.put(kind, sql.grouped(kind, sql.commons_members_src(), aggs, [t0, t0, t1, t1, t0, t1, t0, t1], ids),
                 names)
        return
    pairs, params = sql.membership_pairs_src([t0, t1])
    if kind == ScopeKind.PODS:  # a member counts once, in however many pods
        pairs = (f"SELECT 0 AS pod_id, member_id, MAX(in_0) AS in_0, MAX(in_1) AS in_1 FROM ({pairs}) x "
                 f"GROUP BY member_id")
    only = f"WHERE y.pod_id IN ({sql.id_list(ids)}) " if kind == ScopeKind.POD and ids is not None else ""
    query = (f"SELECT pod_id, SUM(in_0), SUM(in_1), SUM(CASE WHEN in_1 = 1 AND in_0 = 0 THEN 1 ELSE 0 END), "
             f"SUM(CASE WHEN in_0 = 1 AND in_1 = 0 THEN 1 ELSE 0 END) FROM ({pairs}) y {only}GROUP BY pod_id")
    rows.put(kind, {r[0]: r[1:] for r in sql.run(query, params)}, names)


def _pod_state(rows: _Rows) -> None:
    """Stewards and stale queue items now (for "pods needing attention"); only pods with a row get them."""

    stewards = dict(Membership.objects.filter(status=Membership.Status.ACTIVE, role=Membership.Role.STEWARD)
                    .values_list("pod_id").annotate(n=Count("id")))
    cutoff = timezone.now() - timedelta(hours=STALE_QUEUE_HOURS)
    stale = dict(QueueItem.objects.filter(status=QueueItem.Status.OPEN, pod__isnull=False, created_at__lt=cutoff)
                 .values_list("pod_id").annotate(n=Count("id")))
    for (kind, scope_id), row in rows.items():
        if kind == ScopeKind.POD:
            row["steward_count"] = stewards.get(scope_id, 0)
            row["stale_queue_items"] = stale.get(scope_id, 0)


def rollup_compute(*, period: str, start: date, today: date | None = None,
                   scopes: Scopes | None = None) -> list[MetricRollup]:
    """The rows for one period, computed but not saved: every scope, or only `scopes`."""
    today = today or timezone.now().date()
    end = period_end(period, start)
    last = min(end, today)
    t0, t1 = day_start(start), day_start(last + timedelta(days=1))
    rows = _Rows()
    for kind in SCOPE_KINDS:
        if scopes is not None and kind not in scopes:
            continue
        ids = None if scopes is None else scopes[kind]
        _reach(rows, kind, start, last, ids)
        _engagement(rows, kind, t0, t1, ids)
        _members(rows, kind, t0, t1, ids)
    for key in ALWAYS_WRITTEN:
        if scopes is None or key[0] in scopes:
            rows.setdefault(key, {})
    _pod_state(rows)
    days = (last - start).days + 1
    out = []
    for (kind, scope_id), values in rows.items():
        clean = {k: _number(k, v) for k, v in values.items()}
        row = MetricRollup(scope_kind=kind, scope_id=scope_id, period=period, start=start, end=end, days=days,
                           **clean)
        if (kind, scope_id) in ALWAYS_WRITTEN or _has_data(row):
            out.append(row)
    return out


FLOAT_FIELDS = {"median_reply_seconds", "sentiment_sum"}


def _number(field: str, value):
    """PostgreSQL answers SUM/AVG/EXTRACT with Decimal; SQLite with int/float. Store plain numbers."""
    if field == "median_reply_seconds":
        return None if value is None else float(value)
    return float(value or 0) if field in FLOAT_FIELDS else int(value or 0)


def _has_data(row: MetricRollup) -> bool:
    return any((row.impressions, row.active_members, row.members_start, row.members_end, row.joined, row.left,
                row.interactions, row.rule_hits, row.mau))


def _benchmark(period: str, start: date, rows: list[MetricRollup]) -> PodBenchmark:
    pods = [r for r in rows if r.scope_kind == ScopeKind.POD and r.members_end > 0]
    medians = {}
    for figure in BENCHMARK_FIGURES:
        values = [v for v in (getattr(r, figure) for r in pods) if v is not None]
        medians[figure] = statistics.median(values) if values else None
    medians["retention_w4"] = _median_pod_retention_w4(period, start)
    return PodBenchmark(period=period, start=start, pod_count=len(pods), medians=medians)


def retention_w4_window(period: str, start: date) -> tuple[date, date]:
    """Cohort weeks whose week 4 ([W+28, W+34]) ended in the period (a day: the 7 days ending on it)."""
    end = period_end(period, start)
    first = end - timedelta(days=6) if period == PeriodKind.DAY else start
    return first - timedelta(days=34), end - timedelta(days=34)


def _median_pod_retention_w4(period: str, start: date):
    lo, hi = retention_w4_window(period, start)
    per_pod = (RetentionCohort.objects.filter(scope_kind=ScopeKind.POD, segment=RetentionCohort.Segment.ALL,
                                              cohort_week__gte=lo, cohort_week__lte=hi, retained_4__isnull=False)
               .values("scope_id").annotate(size=Sum("size"), kept=Sum("retained_4")))
    rates = [r["kept"] / r["size"] for r in per_pod if r["size"]]
    return statistics.median(rates) if rates else None


ATTENTION_MIN_IMPRESSIONS = 20
ATTENTION_MIN_SENTIMENT_ITEMS = 3
ATTENTION_SENTIMENT_DROP = 0.2


def _attention(period: str, start: date, rows: list[MetricRollup]) -> None:
    """Flag pods against their previous period's row (already stored: periods are computed in order)."""
    previous = {r.scope_id: r for r in MetricRollup.objects.filter(
        scope_kind=ScopeKind.POD, period=period, start=previous_start(period, start))}
    for row in rows:
        if row.scope_kind != ScopeKind.POD or not row.members_end:
            continue
        reasons, before = [], previous.get(row.scope_id)
        if before and min(row.impressions, before.impressions) >= ATTENTION_MIN_IMPRESSIONS \
                and before.engagement_rate and row.engagement_rate <= 0.8 * before.engagement_rate:
            reasons.append("engagement_falling")
        if before and min(row.sentiment_count, before.sentiment_count) >= ATTENTION_MIN_SENTIMENT_ITEMS \
                and before.sentiment_mean - row.sentiment_mean >= ATTENTION_SENTIMENT_DROP:
            reasons.append("sentiment_drop")
        if row.stale_queue_items:
            reasons.append("stale_queue")
        if row.steward_count == 0:
            reasons.append("no_steward")
        row.attention = ",".join(reasons)


def scopes_q(scopes: Scopes | None) -> Q:
    """The rollup rows of these scopes (every row when `scopes` is None)."""
    if scopes is None:
        return Q()
    q = Q(pk__in=[])
    for kind, ids in scopes.items():
        q |= Q(scope_kind=kind) if ids is None else Q(scope_kind=kind, scope_id__in=ids)
    return q


def _benchmark_rows(period: str, start: date, rows: list[MetricRollup], scopes: Scopes | None) -> list[MetricRollup]:
    """Every pod's row of the period: the ones just computed and, for a partial run, the stored others."""
    if scopes is None or scopes.get(ScopeKind.POD, ()) is None:
        return rows
    kept = MetricRollup.objects.filter(scope_kind=ScopeKind.POD, period=period, start=start).exclude(
        scope_id__in=scopes.get(ScopeKind.POD) or ())
    return rows + list(kept)


def rollup_period(*, period: str, start: date, today: date | None = None, scopes: Scopes | None = None,
                  influencers: bool = True) -> int:
    """Recompute one period for every scope (or only `scopes`); replaces those rows, and the all-pods
    medians when pods were among them. Returns the number of rows written."""
    began = time.monotonic()
    rows = rollup_compute(period=period, start=start, today=today, scopes=scopes)
    _attention(period, start, rows)
    pods_changed = scopes is None or ScopeKind.POD in scopes
    benchmark = _benchmark(period, start, _benchmark_rows(period, start, rows, scopes)) if pods_changed else None
    ranked = influencers and period != PeriodKind.DAY
    ranking = influencers_compute(period=period, start=start, today=today) if ranked else []
    with transaction.atomic():
        MetricRollup.objects.filter(scopes_q(scopes), period=period, start=start).delete()
        MetricRollup.objects.bulk_create(rows, batch_size=2000)
        if benchmark is not None:
            PodBenchmark.objects.filter(period=period, start=start).delete()
            benchmark.save()
        if ranked:
            InfluencerRollup.objects.filter(period=period, start=start).delete()
            InfluencerRollup.objects.bulk_create(ranking, batch_size=2000)
    logger.info("metrics rollup %s %s: %d rows in %.2fs", period, start, len(rows), time.monotonic() - began)
    return len(rows)
