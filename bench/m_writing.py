"""(3) Writing over HTTP as signed-in members (session cookie + CSRF): posts and reactions per second,
and the signed-in feed's p99 while they run against its p99 without them (same round).

Posts are counted in the database (a 200 re-rendering a form error is not a post). Everything the
module writes is removed at the end, so the dataset stays reusable.
"""

import threading
import time
from urllib.parse import quote_plus

from django.db import connection

from .context import Figure
from .sessions import form_headers
from .stats import ratios

S3 = "3 Writing"
WRITERS = 100
TARGET_POSTS = 200
MARK = "Bench write"


def _post_specs(sessions) -> list[dict]:
    body = "body=" + quote_plus(f"{MARK} __N__: a quick update about our walk today #training")
    return [{"method": "POST", "path": "/posts/new/", "headers": form_headers(s), "body": body} for s in sessions]


def _react_specs(sessions, post_ids) -> list[dict]:
    kinds = ["paw", "heart", "helpful", "hug"]
    return [{"method": "POST", "path": f"/posts/{pid}/react/", "headers": form_headers(sessions[i % len(sessions)]),
             "body": f"kind={kinds[i % 4]}"} for i, pid in enumerate(post_ids)]


def _targets(members) -> list[int]:
    from django.core.exceptions import ValidationError

    from communities.services.posts import post_create

    made = []
    for i in range(TARGET_POSTS):
        try:
            made.append(post_create(actor=members[i % len(members)],
                                    body=f"{MARK} target {i}: how are your pets today?").pk)
        except ValidationError:  # a moderation rule (e.g. the daily cap) refused this member: use the others
            continue
    return made


def _count_posts() -> int:
    from communities.models import Post

    return Post.objects.filter(body__startswith=f"{MARK} ", pod__isnull=True).count()


def _parallel(jobs: dict) -> dict:
    results, threads = {}, []
    for name, fn in jobs.items():
        thread = threading.Thread(target=lambda n=name, f=fn: results.__setitem__(n, f()))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return results


def measure(ctx) -> list[Figure]:
    fx = ctx.fixtures
    members = fx.members(WRITERS)
    sessions = [fx.session(m) for m in members]
    targets = _targets(members)
    posting, reacting = _post_specs(sessions), _react_specs(sessions, targets * 2)
    feed = [{"method": "GET", "path": "/", "headers": fx.session(fx.member)}]
    d = ctx.duration
    rows = []
    try:
        ctx.wrk(posting, duration=1, connections=2)
        ctx.wrk(reacting, duration=1, connections=2)
        for _ in range(ctx.rounds):
            row = {"feed_alone": ctx.wrk(feed, duration=d, connections=2)}
            before, began = _count_posts(), time.monotonic()
            row["posting"] = ctx.wrk(posting, duration=d, connections=2)
            row["posts_per_s"] = (_count_posts() - before) / (time.monotonic() - began)
            row["reacting"] = ctx.wrk(reacting, duration=d, connections=2)
            row["mixed"] = _parallel({
                "feed": lambda: ctx.wrk(feed, duration=d, connections=2),
                "posting": lambda: ctx.wrk(posting, duration=d, connections=1),
                "reacting": lambda: ctx.wrk(reacting, duration=d, connections=1),
            })
            rows.append(row)
    finally:
        _cleanup()
    ctx.raw["writing"] = rows
    return _figures(rows)


def _figures(rows) -> list[Figure]:
    alone = [r["feed_alone"]["p99_ms"] for r in rows]
    mixed = [r["mixed"]["feed"]["p99_ms"] for r in rows]
    worse = [x - 1 for x in ratios(mixed, alone)]
    bad = sum(r["posting"]["non_2xx_3xx"] + r["reacting"]["non_2xx_3xx"] for r in rows)
    out = [
        Figure("write.posts_per_s", S3, "Posts created over HTTP (c=2), per second (counted in the database)",
               "posts/s", [r["posts_per_s"] for r in rows]),
        Figure("write.post_p50", S3, "Posting: p50 latency (c=2)", "ms", [r["posting"]["p50_ms"] for r in rows]),
        Figure("write.reactions_per_s", S3, "Reactions over HTTP (c=2), per second", "req/s",
               [r["reacting"]["rps"] for r in rows]),
        Figure("write.react_p50", S3, "Reacting: p50 latency (c=2)", "ms", [r["reacting"]["p50_ms"] for r in rows]),
        Figure("write.feed_p99_alone", S3, "Signed-in feed p99, no writes (c=2)", "ms", alone),
        Figure("write.feed_p99_mixed", S3, "Signed-in feed p99 while posting (c=1) and reacting (c=1) run", "ms",
               mixed),
        Figure("write.feed_p99_worse", S3, "Feed p99 with writes vs without (+x = x·100% worse)", "×", worse,
               "≤ +0.20", None if not worse else sorted(worse)[len(worse) // 2] <= 0.20),
    ]
    if bad:
        out[0].note = f"{bad} write requests answered with an error status"
    return out


def _cleanup() -> None:
    """Remove what the module wrote (cascades to reactions, comments and notifications on those posts)."""
    from communities.models import Post

    Post.objects.filter(body__startswith=f"{MARK} ").delete()
    connection.close()
