"""The benchmark dataset: made by the demo code `seed_demo` runs, at bigger sizes, and reused across runs.

A marker row (`bench_dataset`) records the size, seed and generator version of a finished dataset; a
run whose marker matches reuses it (only pending migrations are applied), anything else rebuilds the
schema from scratch. The database must be empty or a previous bench dataset: the harness refuses to
drop a schema it did not make.

Skew, as in a real community: member activity is Zipf-like (the demo code's `_zipf_pick`), pod sizes
are Pareto-distributed (3 to 40 members), and on top of the demo's uniform pod activity a second pass
concentrates extra posts in a few big open pods. Impressions favour popular posts and active members.

Impressions and activity are the one part not made by the demo code: `metrics.demo.seed_metrics` samples
readers per post from every member in Python (posts × members steps: ~10⁹ at size S), so here they are
generated in SQL with the same shape (unique per member, post and day; most views in the days after
posting; activity wherever a member saw posts), and the rollups are then computed by the metrics app's
own `metrics_backfill`, exactly as seed_demo does.
"""

import json
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from random import Random

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

GENERATOR_VERSION = 4
SEED = 7
DAYS = 90
BIG_PODS = 5  # pods that get the skewed extra activity (the pod feed and websocket benchmarks use the first)
HEAVY_DAY_OFFSET = 100  # days ago: the day that holds one full day's worth of impressions for the rollup timing


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    pods: int
    posts: int
    impressions: int
    heavy_day_impressions: int  # impressions on the one day whose rollup is timed
    extra_comments: int = 0  # on top of the demo's own comments, to reach the comment count
    backfill_days: int = 90  # rollups kept computed (the dashboards' default view reads the last 12 weeks)
    chunk: int = 25_000  # posts generated per seed_content call (bounded memory)


SIZES = {
    "S": Size("S", members=10_000, pods=1_000, posts=100_000, impressions=1_000_000,
              heavy_day_impressions=1_000_000),
    "L": Size("L", members=100_000, pods=10_000, posts=1_000_000, impressions=10_000_000,
              heavy_day_impressions=1_000_000, extra_comments=1_500_000, chunk=50_000),
}


def _log(msg: str) -> None:
    print(f"  [data] {msg}", flush=True)


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def marker() -> dict | None:
    if "bench_dataset" not in _tables():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT size, seed, version, counts, seconds, created_at FROM bench_dataset WHERE id = 1")
        row = cursor.fetchone()
    if not row:
        return None
    counts = json.loads(row[3]) if isinstance(row[3], str) else row[3]  # Django leaves jsonb undecoded
    return {"size": row[0], "seed": row[1], "version": row[2], "counts": counts, "seconds": row[4],
            "created_at": row[5].isoformat()}


def _write_marker(size: Size, seed: int, counts: dict, seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_dataset (id int PRIMARY KEY, size text, seed int, "
                       "version int, counts jsonb, seconds float, created_at timestamptz)")
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute("INSERT INTO bench_dataset VALUES (1, %s, %s, %s, %s, %s, now())",
                       [size.name, seed, GENERATOR_VERSION, json.dumps(counts), seconds])


def _reset_schema() -> None:
    tables = _tables()
    if tables and "bench_dataset" not in tables:
        raise SystemExit(
            f"The database {connection.settings_dict['NAME']!r} holds tables the benchmark did not make; "
            "point DATABASE_URL at an empty database (default: postgres://postgres@127.0.0.1:5432/bench)."
        )
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def ensure(size: Size, *, seed: int = SEED, rebuild: bool = False) -> dict:
    """Reuse the dataset when its marker matches, else build it. Returns the marker plus timings."""
    found = marker()
    if found and not rebuild and (found["size"], found["seed"], found["version"]) == (size.name, seed,
                                                                                          GENERATOR_VERSION):
        _log(f"reusing the size {size.name} dataset made {found['created_at']} (in {found['seconds']:.0f}s)")
        call_command("migrate", "--noinput", verbosity=0)
        ensure_rollups(size.backfill_days)
        return {**found, "reused": True}
    _log(f"building the size {size.name} dataset ({asdict(size)}); this happens once per size")
    began = time.monotonic()
    _reset_schema()
    # An unfinished marker first: an interrupted build is recognised as ours and rebuilt next time.
    _write_marker(Size("incomplete", 0, 0, 0, 0, 0), seed, {}, 0)
    call_command("migrate", "--noinput", verbosity=0)
    timings = _generate(size, seed)
    _timed(timings, "rollups", ensure_rollups, size.backfill_days)
    seconds = time.monotonic() - began
    counts = {**counts_now(), "timings": timings}
    _write_marker(size, seed, counts, seconds)
    _log(f"dataset ready in {seconds:.0f}s: {counts}")
    return {**marker(), "reused": False}


def counts_now() -> dict:
    with connection.cursor() as cursor:
        out = {}
        for name, table in (("members", "communities_user"), ("pods", "microgroups_pod"),
                            ("posts", "communities_post"), ("comments", "communities_comment"),
                            ("reactions", "communities_reaction"), ("impressions", "metrics_impression"),
                            ("activity_days", "metrics_activityday"), ("rollups", "metrics_metricrollup")):
            if table in _tables():
                cursor.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])  # noqa: F541
                estimate = cursor.fetchone()[0]
                if estimate is None or estimate < 2_000_000:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
                    estimate = cursor.fetchone()[0]
                out[name] = int(estimate)
    return out


def _timed(timings: dict, name: str, fn, *args, **kwargs):
    began = time.monotonic()
    result = fn(*args, **kwargs)
    timings[name] = round(time.monotonic() - began, 1)
    _log(f"{name}: {timings[name]}s")
    return result


def _generate(size: Size, seed: int) -> dict:
    from communities import demo as community_demo
    from microgroups import demo as pod_demo

    timings: dict[str, float] = {}
    ctx = community_demo.DemoContext(rng=Random(seed), now=timezone.now())
    _timed(timings, "vocabulary", community_demo.seed_vocabulary, ctx)
    _timed(timings, "members", community_demo.seed_members, ctx, size.members)
    _timed(timings, "pods", pod_demo.seed_pods, ctx, size.pods)
    _timed(timings, "posts", _posts, ctx, size)
    if hasattr(community_demo, "seed_engagement"):
        _timed(timings, "engagement", community_demo.seed_engagement, ctx)
    try:
        from moderation import demo as moderation_demo
    except ImportError:
        moderation_demo = None
    if moderation_demo is not None:
        _timed(timings, "moderation", moderation_demo.seed_moderation, ctx)
    if size.extra_comments:
        _timed(timings, "extra_comments", _extra_comments, size.extra_comments, seed)
    if "metrics_impression" in _tables():
        _timed(timings, "impressions", _impressions, size.impressions, seed)
        _timed(timings, "heavy_day", _heavy_day, size.heavy_day_impressions, seed)
        _timed(timings, "activity", _activity)
    else:
        _log("not available yet: impressions (the metrics app has no Impression table)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return timings


def _posts(ctx, size: Size) -> None:
    """The demo's own content code in chunks (bounded memory), then a skewed pass into a few big pods."""
    from communities import demo as community_demo

    all_pods = list(ctx.pods)
    uniform = int(size.posts * 0.85)
    done = 0
    while done < uniform:
        n = min(size.chunk, uniform - done)
        with transaction.atomic():
            community_demo.seed_content(ctx, posts=n, days=DAYS)
        done += n
        _log(f"posts {done}/{size.posts}")
    ctx.pods = big_pods(all_pods)
    with transaction.atomic():
        community_demo.seed_content(ctx, posts=size.posts - uniform, days=DAYS)
    ctx.pods = all_pods


def big_pods(pods: list) -> list:
    """The open pods with the most members (anyone may read them, so anonymous load can too)."""
    open_pods = [p for p in pods if p.privacy == "open"]
    return sorted(open_pods, key=lambda p: (-p.member_count, p.pk))[:BIG_PODS]


def _sql(statements: list[tuple[str, list]]) -> None:
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _extra_comments(count: int, seed: int) -> None:
    """Copies of demo comments onto popular posts (size L asks for more comments than the demo makes)."""
    _sql([
        ("SET max_parallel_workers_per_gather = 0", []),
        ("SELECT setseed(%s)", [seed / 1000]),
        ("CREATE TEMP TABLE bench_c AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, body, body_html, "
         "sentiment, author_id FROM communities_comment ORDER BY id LIMIT 5000", []),
        ("CREATE TEMP TABLE bench_p AS SELECT row_number() OVER (ORDER BY reaction_count DESC, id) - 1 AS i, id, "
         "created_at FROM communities_post WHERE status = 'published'", []),
        ("INSERT INTO communities_comment (post_id, author_id, body, body_html, status, created_at, "
         "removal_reason, sentiment, paw_count, heart_count, helpful_count, hug_count, reaction_count) "
         "SELECT p.id, c.author_id, c.body, c.body_html, 'published', "
         "LEAST(p.created_at + r.minutes * interval '1 minute', now()), '', c.sentiment, 0, 0, 0, 0, 0 "
         "FROM (SELECT floor(power(random(), 2) * (SELECT count(*) FROM bench_p))::int AS pi, "
         "floor(random() * (SELECT count(*) FROM bench_c))::int AS ci, floor(random() * 3000)::int AS minutes "
         "FROM generate_series(1, %s)) r JOIN bench_p p ON p.i = r.pi JOIN bench_c c ON c.i = r.ci", [count]),
        ("UPDATE communities_post p SET comment_count = c.n FROM (SELECT post_id, count(*) AS n FROM "
         "communities_comment WHERE status = 'published' GROUP BY post_id) c WHERE c.post_id = p.id", []),
        ("DROP TABLE bench_c; DROP TABLE bench_p", []),
    ])


def _impression_tables(seed: int) -> list[tuple[str, list]]:
    return [
        ("SET max_parallel_workers_per_gather = 0", []),
        ("SELECT setseed(%s)", [seed / 100]),
        ("CREATE TEMP TABLE IF NOT EXISTS bench_m AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, id "
         "FROM communities_user WHERE password NOT LIKE '!%%'", []),
        ("CREATE TEMP TABLE IF NOT EXISTS bench_ip AS SELECT row_number() OVER (ORDER BY reaction_count DESC, id) "
         "- 1 AS i, id, pod_id, created_at::date AS d FROM communities_post WHERE status = 'published'", []),
    ]


def _impressions(target: int, seed: int) -> None:
    """Impressions over the posts' lifetimes: popular posts and active members far more often
    (power-law picks), most views in the first days after posting. Unique per (member, post, day)."""
    _sql(_impression_tables(seed))
    batch = 500_000
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM metrics_impression WHERE day > CURRENT_DATE - %s", [DAYS + 1])
            have = cursor.fetchone()[0]
        if have >= target:
            break
        n = min(batch, int((target - have) * 1.05) + 10)
        _sql([(
            "INSERT INTO metrics_impression (member_id, post_id, pod_id, day) "
            "SELECT m.id, p.id, p.pod_id, LEAST(p.d + floor(power(r.x, 3) * 20)::int, CURRENT_DATE) "
            "FROM (SELECT floor(power(random(), 2.5) * (SELECT count(*) FROM bench_m))::int AS mi, "
            "floor(power(random(), 1.7) * (SELECT count(*) FROM bench_ip))::int AS pi, random() AS x "
            "FROM generate_series(1, %s)) r JOIN bench_m m ON m.i = r.mi JOIN bench_ip p ON p.i = r.pi "
            "ON CONFLICT DO NOTHING", [n])])
        _log(f"impressions {have + n:,}/{target:,}")


def heavy_day():
    return timezone.now().date() - timedelta(days=HEAVY_DAY_OFFSET)


def _heavy_day(count: int, seed: int) -> None:
    """One full day's worth of impressions on a day outside the 90-day window, for the rollup timing."""
    _sql(_impression_tables(seed) + [(
        "INSERT INTO metrics_impression (member_id, post_id, pod_id, day) "
        "SELECT m.id, p.id, p.pod_id, %s FROM (SELECT "
        "floor(power(random(), 1.5) * (SELECT count(*) FROM bench_m))::int AS mi, "
        "floor(random() * (SELECT count(*) FROM bench_ip))::int AS pi FROM generate_series(1, %s)) r "
        "JOIN bench_m m ON m.i = r.mi JOIN bench_ip p ON p.i = r.pi ON CONFLICT DO NOTHING",
        [heavy_day(), int(count * 1.02)])])


def _activity() -> None:
    """A member who saw posts in a place on a day was active there that day (pods and the Commons)."""
    _sql([
        ("INSERT INTO metrics_activityday (member_id, pod_id, day) SELECT DISTINCT member_id, pod_id, day "
         "FROM metrics_impression WHERE pod_id IS NOT NULL ON CONFLICT DO NOTHING", []),
        ("INSERT INTO metrics_activityday (member_id, pod_id, day) SELECT DISTINCT member_id, NULL::bigint, day "
         "FROM metrics_impression WHERE pod_id IS NULL ON CONFLICT DO NOTHING", []),
    ])


def ensure_rollups(days: int) -> None:
    """Rollups for the last `days` days, as the metrics tasks would have left them: computed once, then
    only the days missing since (a dataset reused on a later day) are backfilled."""
    if "metrics_metricrollup" not in _tables():
        return
    from metrics.models import MetricRollup
    from metrics.services.backfill import metrics_backfill

    today = timezone.now().date()
    first = today - timedelta(days=days)
    have = set(MetricRollup.objects.filter(period="day", scope_kind="commons", start__gte=first)
               .values_list("start", flat=True))
    missing = [first + timedelta(days=i) for i in range(days + 1) if first + timedelta(days=i) not in have]
    if missing:
        began = time.monotonic()
        metrics_backfill(since=missing[0])
        _log(f"rollups backfilled from {missing[0]} in {time.monotonic() - began:.0f}s")
