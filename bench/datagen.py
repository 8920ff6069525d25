"""The benchmark dataset, made once per size and reused across runs.

A marker row (`bench_dataset`) records the size, seed and generator version of a finished dataset; a
run whose marker matches reuses it (only pending migrations are applied), anything else rebuilds the
schema from scratch. The database must be empty or a previous bench dataset: the harness refuses to
drop a schema it did not make.

The demo code (`seed_demo`'s functions) makes a small core: vocabulary, places, the manager and
moderators, 60 pods with charters, announcements, polls, rules and a moderation queue. The bulk
(members, pods, posts, comments, reactions, impressions, activity days) is written by PostgreSQL COPY
from seeded generators (bench/bulk.py; posts onwards in two worker processes), with the demo's shapes:
Zipf-like member activity, Pareto pod sizes, a few big open pods with extra posts, impressions favouring
popular posts and active members. The rows depend on the seed and on the day and time of the build (ages
are counted back from it). The rollups are then computed by the metrics app's own `metrics_backfill`,
exactly as seed_demo does.
"""

import json
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from random import Random

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

# 6: the post text pool stops at the demo's distinct texts; 7: comments average comments/posts (the draw's
# mean corrected), posts and impressions generated in ranges with their own seeds
GENERATOR_VERSION = 7
CORE_MEMBERS = 400  # made by the demo code: the manager, moderators, stewards of the core pods
CORE_PODS = 60
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
    comments: int
    heavy_day_impressions: int  # impressions on the one day whose rollup is timed
    backfill_days: int = 90  # rollups kept computed (the dashboards' default view reads the last 12 weeks)
    # Daily rollups kept computed, the last N days: the dashboards' default (weekly) view and the pages the
    # benchmark weighs read none. At L a day costs ~42 s to roll up, so L keeps two weeks of them.
    daily_days: int = 90


SIZES = {
    "S": Size("S", members=10_000, pods=1_000, posts=100_000, impressions=1_000_000, comments=300_000,
              heavy_day_impressions=1_000_000),
    "L": Size("L", members=100_000, pods=10_000, posts=1_000_000, impressions=10_000_000, comments=3_000_000,
              heavy_day_impressions=1_000_000, daily_days=14),
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


BUILD_LOCK = 7_004_211  # a pg_advisory_lock key: one check-or-build of the dataset at a time per database


def ensure(size: Size, *, seed: int = SEED, rebuild: bool = False, rollups: bool = True) -> dict:
    """Reuse the dataset when its marker matches, else build it. Returns the marker plus timings.

    Two runs started together on one database take turns: the second waits for the first to finish
    building, then finds its marker, instead of dropping the schema under a build half done."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [BUILD_LOCK])
    try:
        return _ensure(size, seed=seed, rebuild=rebuild, rollups=rollups)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [BUILD_LOCK])


def _ensure(size: Size, *, seed: int, rebuild: bool, rollups: bool) -> dict:
    found = marker()
    if found and not rebuild and (found["size"], found["seed"], found["version"]) == (size.name, seed,
                                                                                          GENERATOR_VERSION):
        _log(f"reusing the size {size.name} dataset made {found['created_at']} (in {found['seconds']:.0f}s)")
        call_command("migrate", "--noinput", verbosity=0)
        if rollups:
            ensure_rollups(size)
        return {**found, "reused": True}
    _log(f"building the size {size.name} dataset ({asdict(size)}); this happens once per size")
    began = time.monotonic()
    _reset_schema()
    # An unfinished marker first: an interrupted build is recognised as ours and rebuilt next time.
    _write_marker(Size("incomplete", 0, 0, 0, 0, 0, 0), seed, {}, 0)
    call_command("migrate", "--noinput", verbosity=0)
    timings = _generate(size, seed)
    # Timed apart from the generation: it is the metrics app's own backfill (20 min at S on this machine,
    # far more at L), and only the dashboards read it, so a run without them leaves it for later.
    if rollups:
        _timed(timings, "rollups", ensure_rollups, size)
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
    """A small core made by the demo code, then the bulk by COPY (bench/bulk.py)."""
    from communities import demo as community_demo
    from microgroups import demo as pod_demo

    from . import bulk

    timings: dict[str, float] = {}
    ctx = community_demo.DemoContext(rng=Random(seed), now=timezone.now())
    _timed(timings, "core", _core, ctx)
    restore = _timed(timings, "drop_indexes", bulk.drop_constraints, bulk.BULK_TABLES)
    gen = bulk.Generator(seed=seed, now=ctx.now, days=DAYS, core=ctx)
    bulk.start_writer()
    try:
        _timed(timings, "members", gen.members, size.members)
        _timed(timings, "pods", gen.pods_, size.pods)
    finally:
        _timed(timings, "copy_drain", bulk.stop_writer)
    # Posts, comments, reactions, tags, impressions and activity days, in worker processes.
    _timed(timings, "content", gen.content, posts=size.posts, comments=size.comments, big_pods=BIG_PODS,
           impressions=size.impressions, heavy=size.heavy_day_impressions, heavy_day=heavy_day())
    _timed(timings, "indexes", bulk.restore, restore)
    bulk.move_sequences(bulk.BULK_TABLES)
    bulk.finish_counts()
    if hasattr(community_demo, "seed_engagement"):
        _timed(timings, "engagement", community_demo.seed_engagement, ctx)
    try:
        from moderation import demo as moderation_demo
    except ImportError:
        moderation_demo = None
    if moderation_demo is not None:
        _timed(timings, "moderation", moderation_demo.seed_moderation, ctx)
    _timed(timings, "analyze", bulk.vacuum_analyze)
    del pod_demo
    return timings


def _core(ctx) -> None:
    from communities import demo as community_demo
    from microgroups import demo as pod_demo

    with transaction.atomic():
        community_demo.seed_vocabulary(ctx)
        community_demo.seed_members(ctx, CORE_MEMBERS)
        pod_demo.seed_pods(ctx, CORE_PODS)


def big_pods(pods: list) -> list:
    """The open pods with the most members (anyone may read them, so anonymous load can too)."""
    open_pods = [p for p in pods if p.privacy == "open"]
    return sorted(open_pods, key=lambda p: (-p.member_count, p.pk))[:BIG_PODS]


def heavy_day():
    """The day a build fills with `heavy_day_impressions`, counted back from the day of the build."""
    return timezone.now().date() - timedelta(days=HEAVY_DAY_OFFSET)


def dataset_heavy_day():
    """The heavy day of the dataset in the database: its busiest day of impressions, since a dataset reused
    on a later day keeps the day it was built with, and `heavy_day()` asked today would name an empty one."""
    from django.db.models import Count

    from metrics.models import Impression

    return (Impression.objects.values("day").annotate(n=Count("*")).order_by("-n", "day")
            .values_list("day", flat=True).first())


def ensure_rollups(size: Size) -> None:
    """Rollups for the last `size.backfill_days` days (daily ones for the last `size.daily_days`), as the
    metrics tasks would have left them: computed once, then only what is missing since (a dataset reused
    on a later day) is backfilled."""
    if "metrics_metricrollup" not in _tables():
        return
    from metrics.models import InfluencerRollup, MetricRollup, PodBenchmark, RetentionCohort
    from metrics.periods import period_start
    from metrics.services.backfill import metrics_backfill

    today = timezone.now().date()
    first, first_daily = today - timedelta(days=size.backfill_days), today - timedelta(days=size.daily_days)
    have = set(MetricRollup.objects.filter(scope_kind="commons", period__in=["day", "week"], start__gte=first)
               .values_list("period", "start"))
    days = [first_daily + timedelta(days=i) for i in range(size.daily_days + 1)]
    weeks = sorted({period_start("week", first + timedelta(days=i)) for i in range(size.backfill_days + 1)})
    missing = [d for d in days if ("day", d) not in have] + [w for w in weeks if w >= first and ("week", w) not in have]
    if missing:
        began = time.monotonic()
        metrics_backfill(since=min(missing), days_since=first_daily)
        # As autovacuum would after so many inserts: without statistics the planner took the rollups as
        # empty and read a pod's series through the wrong index (/metrics/ at L: 65 -> 23 ms of SQL).
        with connection.cursor() as cursor:
            for model in (MetricRollup, RetentionCohort, InfluencerRollup, PodBenchmark):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
        _log(f"rollups backfilled from {min(missing)} in {time.monotonic() - began:.0f}s")
