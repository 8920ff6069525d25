"""Set-based SQL shared by the rollups: event sources, scope grouping, and the few dialect differences.

Every source is a SELECT exposing `member_id` and `pod_id` (null = the Commons); `grouped()` wraps it
for one scope kind, so each figure is one aggregate query per scope kind whatever the data size.
Runs on PostgreSQL and SQLite (window functions need SQLite 3.25+).
"""

# ruff: noqa: S608 - queries are assembled from table names and fixed fragments; values are always params.

from datetime import date, datetime

from django.apps import apps
from django.db import connection

from ..models import ScopeKind


def table(label: str) -> str:
    return connection.ops.quote_name(apps.get_model(label)._meta.db_table)


def p(value):
    """Adapt a date or datetime for a raw query (SQLite stores them as text in its own format)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def seconds_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def run(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [p(v) for v in params])
        return cursor.fetchall()


def execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, [p(v) for v in params])
        return cursor.rowcount


def id_list(ids) -> str:
    """Scope ids inlined as integers (int() refuses anything else), so a filter needs no params."""
    return ", ".join(str(int(i)) for i in sorted(ids)) or "NULL"


# A member's region: their place if it is a region, its parent if it is a city (as `Place.region`).
REGION_KEY = "(CASE WHEN pl.kind = 'region' THEN pl.id WHEN pl.kind = 'city' THEN pl.parent_id END)"


def region_join() -> str:
    return (f"JOIN {table('communities.User')} ru ON ru.id = s.member_id "
            f"JOIN {table('communities.Place')} pl ON pl.id = ru.region_id")


def scope_parts(kind: str, ids=None) -> tuple[str | None, str, str]:
    """(group key or None for a single row, WHERE condition, extra JOIN) for a source aliased `s`; with
    `ids`, only those pods or regions (each group's figures are the same either way)."""
    if kind == ScopeKind.COMMONS:
        return None, "s.pod_id IS NULL", ""
    if kind == ScopeKind.PODS:
        return None, "s.pod_id IS NOT NULL", ""
    if kind == ScopeKind.POD:
        return "s.pod_id", "s.pod_id IS NOT NULL" if ids is None else f"s.pod_id IN ({id_list(ids)})", ""
    if ids is None:
        return REGION_KEY, f"{REGION_KEY} IS NOT NULL", region_join()
    return REGION_KEY, f"{REGION_KEY} IN ({id_list(ids)})", region_join()


def grouped(kind: str, src: tuple[str, list], aggs: str, agg_params: list | None = None,
            ids=None) -> dict[int, tuple]:
    """{scope id: aggregate row} for one scope kind (scope id 0 for the Commons and all pods)."""
    key, cond, join = scope_parts(kind, ids)
    sql = f"SELECT {key or '0'}, {aggs} FROM ({src[0]}) s {join} WHERE {cond}"
    if key:
        sql += f" GROUP BY {key}"
    return {row[0]: row[1:] for row in run(sql, (agg_params or []) + src[1])}


def keyed(kind: str, src: tuple[str, list], cols: str, extra_cond: str = "", ids=None) -> tuple[str, list]:
    """The source with a `k` column (the scope id) for nested queries: SELECT k, <cols> ..."""
    key, cond, join = scope_parts(kind, ids)
    where = f"{cond} AND {extra_cond}" if extra_cond else cond
    return f"SELECT {key or '0'} AS k, {cols} FROM ({src[0]}) s {join} WHERE {where}", src[1]


# --- Sources -------------------------------------------------------------------------------------

def impressions_src(first: date, last: date) -> tuple[str, list]:
    return (f"SELECT member_id, pod_id, post_id FROM {table('metrics.Impression')} "
            f"WHERE day >= %s AND day <= %s", [first, last])


def activity_src(first: date, last: date) -> tuple[str, list]:
    return (f"SELECT member_id, pod_id, day FROM {table('metrics.ActivityDay')} "
            f"WHERE day >= %s AND day <= %s", [first, last])


def contributions_src(t0: datetime, t1: datetime) -> tuple[str, list]:
    """Published posts and comments (on published posts) created in [t0, t1)."""
    post, comment = table("communities.Post"), table("communities.Comment")
    sql = (
        f"SELECT p.author_id AS member_id, p.pod_id AS pod_id, 1 AS is_post, p.sentiment AS sentiment "
        f"FROM {post} p WHERE p.created_at >= %s AND p.created_at < %s AND p.status = 'published' "
        f"UNION ALL "
        f"SELECT c.author_id, p.pod_id, 0, c.sentiment FROM {comment} c JOIN {post} p ON p.id = c.post_id "
        f"WHERE c.created_at >= %s AND c.created_at < %s AND c.status = 'published' AND p.status = 'published'"
    )
    return sql, [t0, t1, t0, t1]


def reactions_src(t0: datetime, t1: datetime) -> tuple[str, list]:
    """Reactions made in [t0, t1) on published posts, or published comments of published posts."""
    post, comment, reaction = table("communities.Post"), table("communities.Comment"), table("communities.Reaction")
    sql = (
        f"SELECT r.member_id AS member_id, COALESCE(p1.pod_id, p2.pod_id) AS pod_id FROM {reaction} r "
        f"LEFT JOIN {post} p1 ON p1.id = r.post_id LEFT JOIN {comment} c ON c.id = r.comment_id "
        f"LEFT JOIN {post} p2 ON p2.id = c.post_id "
        f"WHERE r.created_at >= %s AND r.created_at < %s "
        f"AND (p1.status = 'published' OR (c.status = 'published' AND p2.status = 'published'))"
    )
    return sql, [t0, t1]


def first_replies_src(t0: datetime, t1: datetime) -> tuple[str, list]:
    """Posts created in [t0, t1) with the seconds until their first published comment by someone else."""
    post, comment = table("communities.Post"), table("communities.Comment")
    secs = seconds_between("MIN(c.created_at)", "p.created_at")
    sql = (
        f"SELECT p.id AS post_id, p.author_id AS member_id, p.pod_id AS pod_id, {secs} AS secs FROM {post} p "
        f"LEFT JOIN {comment} c ON c.post_id = p.id AND c.author_id <> p.author_id AND c.status = 'published' "
        f"WHERE p.created_at >= %s AND p.created_at < %s AND p.status = 'published' "
        f"GROUP BY p.id, p.author_id, p.pod_id, p.created_at"
    )
    return sql, [t0, t1]


def rule_hits_src(t0: datetime, t1: datetime) -> tuple[str, list]:
    return (f"SELECT member_id, content_pod_id AS pod_id FROM {table('moderation.RuleHit')} "
            f"WHERE created_at >= %s AND created_at < %s", [t0, t1])


LEAVE_KINDS = "('left', 'removed', 'banned')"


def membership_pairs_src(times: list[datetime]) -> tuple[str, list]:
    """One row per (pod, member) with in_<i> = 1 when the member was in the pod just before times[i].

    A pair is a member at T when its latest join before T is later than its latest leave, removal
    or ban before T (robust to a ban of someone who never joined).
    """
    cols, params = [], []
    for i, t in enumerate(times):
        cols.append(
            f"CASE WHEN MAX(CASE WHEN e.kind = 'joined' AND e.created_at < %s THEN e.created_at END) IS NOT NULL "
            f"AND (MAX(CASE WHEN e.kind IN {LEAVE_KINDS} AND e.created_at < %s THEN e.created_at END) IS NULL "
            f"OR MAX(CASE WHEN e.kind = 'joined' AND e.created_at < %s THEN e.created_at END) > "
            f"MAX(CASE WHEN e.kind IN {LEAVE_KINDS} AND e.created_at < %s THEN e.created_at END)) "
            f"THEN 1 ELSE 0 END AS in_{i}"
        )
        params += [t, t, t, t]
    sql = (f"SELECT e.pod_id AS pod_id, e.member_id AS member_id, {', '.join(cols)} "
           f"FROM {table('microgroups.MembershipEvent')} e WHERE e.kind IN ('joined', 'left', 'removed', 'banned') "
           f"AND e.created_at < %s GROUP BY e.pod_id, e.member_id")
    return sql, params + [max(times)]


def commons_members_src() -> tuple[str, list]:
    """Commons members: accounts that are active, or were deleted (they count until `deleted_at`)."""
    return (f"SELECT u.id AS member_id, NULL AS pod_id, u.date_joined AS date_joined, u.deleted_at AS deleted_at "
            f"FROM {table('communities.User')} u WHERE (u.is_active = %s OR u.deleted_at IS NOT NULL)", [True])

