"""Recording impressions and activity without slowing pages down.

Impressions: with Redis, one pipelined SADD per page into a per-day set, flushed by
`metrics.tasks.impressions_flush` with an insert that ignores duplicates; without Redis, that insert
happens at once. Activity: a "seen today" cache key means one write per member, scope and day.
Recording never breaks a page: errors are logged and dropped.
"""

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..models import ActivityDay, Impression

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
        import redis

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
    from communities.models import Post, User

    today, moved = timezone.now().date(), 0
    for raw_day in sorted(client.smembers(BUFFER_DAYS_KEY)):
        day = date.fromisoformat(raw_day.decode())
        key = _buffer_key(day)
        while items := client.srandmember(key, batch):
            rows = [_parse(item, day) for item in items]
            # Posts and accounts removed since the page was shown would break the foreign keys.
            posts = set(Post.objects.filter(pk__in={r.post_id for r in rows}).values_list("pk", flat=True))
            members = set(User.objects.filter(pk__in={r.member_id for r in rows}).values_list("pk", flat=True))
            Impression.objects.bulk_create([r for r in rows if r.post_id in posts and r.member_id in members],
                                           ignore_conflicts=True)  # autocommit: durable before the SREM
            client.srem(key, *items)
            moved += len(rows)
        if day < today - timedelta(days=1):  # nobody writes to it any more
            client.srem(BUFFER_DAYS_KEY, raw_day)
    return moved


def _seconds_left_today() -> int:
    now = timezone.now()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(int((midnight - now).total_seconds()), 1) + 60


def activity_mark(*, member, pod_id: int | None = None) -> bool:
    """Mark `member` active in the Commons (pod_id None) or a pod today. True when this wrote a row."""
    if not getattr(member, "is_authenticated", False):
        return False
    today = timezone.now().date()
    key = f"metrics:seen:{member.pk}:{pod_id or 0}:{today.isoformat()}"
    try:
        if not cache.add(key, 1, timeout=_seconds_left_today()):
            return False
    except Exception:  # noqa: BLE001 - as above
        logger.exception("activity_mark: cache unavailable")
        return False
    try:
        ActivityDay.objects.bulk_create([ActivityDay(member_id=member.pk, pod_id=pod_id, day=today)],
                                        ignore_conflicts=True)
    except Exception:  # noqa: BLE001 - as above; forget the key so the next request tries again
        logger.exception("activity_mark failed")
        cache.delete(key)
        return False
    return True
