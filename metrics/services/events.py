"""Recording impressions and activity without slowing pages down.

Impressions: with Redis, one pipelined SADD per page into a per-day set, flushed by
`metrics.tasks.impressions_flush` with an insert that ignores duplicates; without Redis, that insert
happens at once. Activity: a "seen today" cache key means one write per member, scope and day.
Recording never breaks a page: errors are logged and dropped.
"""

# ruff: noqa: S608 - dirty marks are assembled from table names and integer ids; values are always params.

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from communities.models import Comment, Post, Reaction, User

from ..models import ActivityDay, Impression, ScopeKind
from . import sql

logger = logging.getLogger(__name__)

BUFFER_DAYS_KEY = "metrics:imp:days"
FLUSH_BATCH = 5000
_redis = None


def _buffer_key(day: date) -> str:
    return f"metrics:imp:{day.isoformat()}"


def redis_client():
    """The Redis connection for the impression buffer, or None when REDIS_URL is not set."""
    global _redis
    if not settings.REDIS_URL:
        return None
    if _redis is None:

        _redis = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    return _redis


def impressions_record(*, user, posts: Iterable) -> int:
    """Record that `user` was shown `posts` (already filtered by the feed/page read checks).

    Only published posts count; anonymous visitors are not recorded. Returns how many were recorded.
    """
    if not getattr(user, "is_authenticated", False):
        return 0
    rows = {(post.pk, post.pod_id) for post in posts if post.status == "published"}
    if not rows:
        return 0
    today = timezone.now().date()
    try:
        client = redis_client()
        if client is not None:
            key = _buffer_key(today)
            pipe = client.pipeline(transaction=False)
            pipe.sadd(key, *(f"{user.pk}:{post_id}:{pod_id or 0}" for post_id, pod_id in rows))
            pipe.expire(key, 7 * 86400)
            pipe.sadd(BUFFER_DAYS_KEY, today.isoformat())
            pipe.execute()
        else:
            Impression.objects.bulk_create(
                [Impression(member_id=user.pk, post_id=post_id, pod_id=pod_id, day=today) for post_id, pod_id in rows],
                ignore_conflicts=True,
            )
    except Exception:  # noqa: BLE001 - metrics must never cost a member their page
        logger.exception("impressions_record failed")
        return 0
    return len(rows)


def _parse(raw: bytes, day: date) -> Impression:
    member_id, post_id, pod_id = (int(x) for x in raw.decode().split(":"))
    return Impression(member_id=member_id, post_id=post_id, pod_id=pod_id or None, day=day)


def impressions_flush(*, batch: int = FLUSH_BATCH) -> int:
    """Move buffered impressions from Redis into the table; duplicates (and deleted posts) are dropped.

    A batch is read without removing it, inserted (committed), and only then removed from the set: a
    worker killed in between leaves the batch for the next run, whose insert ignores the rows already
    there (unique per member, post and day). Popping first (SPOP) lost the batch to a SIGKILL
    (tests/faults/test_worker_kills.py). Two flushers may insert the same batch: also harmless.
    """
    client = redis_client()
    if client is None:
        return 0

    today, moved = timezone.now().date(), 0
    for raw_day in sorted(client.smembers(BUFFER_DAYS_KEY)):
        day = date.fromisoformat(raw_day.decode())
        key = _buffer_key(day)
        while items := client.srandmember(key, batch):
            rows = [_parse(item, day) for item in items]
            # Posts and accounts removed since the page was shown would break the foreign keys.
            posts = set(Post.objects.filter(pk__in={r.post_id for r in rows}).values_list("pk", flat=True))
            members = set(User.objects.filter(pk__in={r.member_id for r in rows}).values_list("pk", flat=True))
            kept = [r for r in rows if r.post_id in posts and r.member_id in members]
            Impression.objects.bulk_create(kept, ignore_conflicts=True)  # autocommit: durable before the SREM
            dirty_mark(pod_ids={r.pod_id for r in kept}, member_ids={r.member_id for r in kept}, day=day)
            client.srem(key, *items)
            moved += len(rows)
        if day < today - timedelta(days=1):  # nobody writes to it any more
            client.srem(BUFFER_DAYS_KEY, raw_day)
    return moved


def _seconds_left_today() -> int:
    now = timezone.now()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(int((midnight - now).total_seconds()), 1) + 60


def _seen_key(member_id: int, pod_id: int | None, day: date) -> str:
    return f"metrics:seen:{member_id}:{pod_id or 0}:{day.isoformat()}"


def dirty_mark(*, pod_ids=(), member_ids=(), day: date | None = None, days=(), at: datetime | None = None) -> int:
    """Mark each day of `day` and `days` stale for each pod id (None: the Commons) and for the region of each
    member (their current place, as the region figures count them), in one statement. A renewed mark gets a
    later `marked_at` (`at`, default now; never an earlier one), so a rollup already running leaves it for
    the next run. Returns the marks asked for."""
    marked = sorted({day, *days} - {None})
    pods = sorted({pod_id or 0 for pod_id in pod_ids})
    members = sorted(set(member_ids))
    if not marked or not (pods or members):
        return 0
    parts, params = [], []
    for pod_id in pods:
        for d in marked:
            parts.append("SELECT %s AS k, %s AS i, %s AS d")
            params += [ScopeKind.POD if pod_id else ScopeKind.COMMONS, pod_id, d]
    if members:
        each_day = " UNION ALL ".join("SELECT %s AS d" for _ in marked)
        user = sql.table("communities.User")
        # DISTINCT: members of one region give one row (PostgreSQL refuses to upsert a row twice).
        parts.append(f"SELECT DISTINCT '{ScopeKind.REGION.value}' AS k, {sql.REGION_KEY} AS i, md.d AS d FROM {user} u "
                     f"JOIN {sql.table('communities.Place')} pl ON pl.id = u.region_id CROSS JOIN ({each_day}) md "
                     f"WHERE u.id IN ({sql.id_list(members)}) AND {sql.REGION_KEY} IS NOT NULL")
        params += marked
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT.
    table = sql.table("metrics.DirtyDay")
    sql.execute(f"INSERT INTO {table} (scope_kind, scope_id, day, marked_at) "
                f"SELECT m.k, m.i, m.d, %s FROM ({' UNION '.join(parts)}) m WHERE 1 = 1 "
                f"ON CONFLICT (scope_kind, scope_id, day) DO UPDATE SET marked_at = CASE WHEN "
                f"excluded.marked_at > {table}.marked_at THEN excluded.marked_at ELSE {table}.marked_at END",
                [at or timezone.now(), *params])
    return len(pods) * len(marked) + len(members) * len(marked)


def _utc_day(at) -> date:
    if isinstance(at, datetime):
        return (at.astimezone(UTC) if at.tzinfo else at).date()
    return at


def contribution_mark(*, member_id: int, pod_id: int | None, at) -> None:
    """The `contribution_made` hook: whoever contributes in a scope is active there that day (so
    contributors ⊆ active by construction). Runs inside the writing service's transaction: the
    "seen" key is set only once that commits, so a rolled-back write never hides a later one's row."""
    day = _utc_day(at)
    key = _seen_key(member_id, pod_id, day)
    if day == timezone.now().date() and cache.get(key):
        return
    ActivityDay.objects.bulk_create([ActivityDay(member_id=member_id, pod_id=pod_id, day=day)],
                                    ignore_conflicts=True)
    dirty_mark(pod_ids={pod_id}, member_ids={member_id}, day=day)
    if day == timezone.now().date():
        transaction.on_commit(lambda: cache.set(key, 1, timeout=_seconds_left_today()))


def _dependents(*, post_id: int | None, comment_id: int | None) -> set[tuple[int, date]]:
    """(member, day) of what counted with a changed post or comment (one query): a post's author, its
    comments and the reactions on it and on its comments; a comment's author, its reactions, and its post's
    author on the post's day (the first-reply figures)."""
    def pairs(qs, member: str, at: str):
        return qs.order_by().values_list(member, at)

    if post_id is not None:
        parts = [pairs(Post.objects.filter(pk=post_id), "author_id", "created_at"),
                 pairs(Comment.objects.filter(post_id=post_id), "author_id", "created_at"),
                 pairs(Reaction.objects.filter(Q(post_id=post_id) | Q(comment__post_id=post_id)), "member_id",
                       "created_at")]
    elif comment_id is not None:
        parts = [pairs(Comment.objects.filter(pk=comment_id), "author_id", "created_at"),
                 pairs(Comment.objects.filter(pk=comment_id), "post__author_id", "post__created_at"),
                 pairs(Reaction.objects.filter(comment_id=comment_id), "member_id", "created_at")]
    else:
        return set()
    return {(member, _utc_day(at)) for member, at in parts[0].union(*parts[1:], all=True)}


def history_mark(*, pod_id: int | None, at, post_id: int | None = None, comment_id: int | None = None,
                 member_id: int | None = None) -> None:
    """The `history_changed` hook: something counted on `at`'s day changed (deleted, removed, restored,
    taken back); for a post or comment, so did the days of what answered it (see `_dependents`). Marks the
    scope on those days, and the region of each member whose contribution counted there."""
    pairs = _dependents(post_id=post_id, comment_id=comment_id)
    if member_id is not None:
        pairs.add((member_id, _utc_day(at)))
    dirty_mark(pod_ids={pod_id}, day=_utc_day(at), days={d for _, d in pairs})
    by_day: dict[date, set[int]] = {}
    for member, d in pairs:
        by_day.setdefault(d, set()).add(member)
    for d, members in sorted(by_day.items()):
        dirty_mark(member_ids=members, day=d)


class _SeenHere:
    """"Seen today" keys this process found marked, for `SECONDS`: a member's every page in a scope asked
    the cache again (one round trip of the three a kept signed-in page costs). Entries are short-lived
    rather than kept all day so that a mark another process is still writing, and fails, is retried here
    within a minute, as it is at once on that process."""

    SECONDS = 60
    SIZE = 10_000

    def __init__(self):
        self._until: dict[str, float] = {}

    def holds(self, key: str, now: float) -> bool:
        return self._until.get(key, 0.0) > now

    def note(self, key: str, now: float) -> None:
        if len(self._until) >= self.SIZE:
            self._until = {k: t for k, t in self._until.items() if t > now}
            if len(self._until) >= self.SIZE:
                self._until.clear()
        self._until[key] = now + self.SECONDS

    def clear(self) -> None:
        self._until.clear()


seen_here = _SeenHere()


def activity_mark(*, member, pod_id: int | None = None) -> bool:
    """Mark `member` active in the Commons (pod_id None) or a pod today. True when this wrote a row."""
    if not getattr(member, "is_authenticated", False):
        return False
    now = timezone.now()
    today = now.date()
    key = _seen_key(member.pk, pod_id, today)
    if seen_here.holds(key, now.timestamp()):
        return False
    try:
        if not cache.add(key, 1, timeout=_seconds_left_today()):
            seen_here.note(key, now.timestamp())
            return False
    except Exception:  # noqa: BLE001 - as above
        logger.exception("activity_mark: cache unavailable")
        return False
    try:
        ActivityDay.objects.bulk_create([ActivityDay(member_id=member.pk, pod_id=pod_id, day=today)],
                                        ignore_conflicts=True)
        dirty_mark(pod_ids={pod_id}, member_ids={member.pk}, day=today)
    except Exception:  # noqa: BLE001 - as above; forget the key so the next request tries again
        logger.exception("activity_mark failed")
        cache.delete(key)
        return False
    seen_here.note(key, now.timestamp())
    return True
