"""(4) Dashboards read rollups: `/metrics/` and a pod's insights page, p95 over HTTP and database time
in-process, against computing the same figures from raw events with the metrics app's own
`rollup_compute` (what the rollup task runs). Then the rollup of one full day's impressions and the
15-minute task (`rollup_recent`) with nothing marked dirty and after one pod's day changed."""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .context import Figure, skipped
from .stats import summary

S4 = "4 Dashboards"


def _available() -> str | None:
    try:
        from metrics import dashboards  # noqa: F401
        from metrics.services.backfill import rollup_recent  # noqa: F401
        from metrics.services.rollups import rollup_compute, rollup_period  # noqa: F401
    except ImportError as exc:
        return f"metrics dashboards/rollups ({exc})"
    return None


def _db_ms(client: Client, path: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return sum(float(q["time"]) for q in ctx.captured_queries) * 1000, len(ctx.captured_queries), response.status_code


def _raw_seconds() -> tuple[float, str]:
    """The dashboard's default view (weekly figures, 12 weeks) computed from raw events instead."""
    from metrics.forms import RangeForm
    from metrics.periods import periods_between
    from metrics.services.rollups import rollup_compute

    period, start, end, *_ = RangeForm(None, today=timezone.now().date()).values()
    began = time.monotonic()
    starts = list(periods_between(period, start, end))
    for s in starts:
        rollup_compute(period=period, start=s)
    return time.monotonic() - began, f"{len(starts)} {period} periods"


def _steward(pod):
    from communities.models import User
    from microgroups.models import Membership

    ids = Membership.objects.filter(pod=pod, role="steward", status="active").values("member_id")
    return User.objects.filter(pk__in=ids).order_by("pk").first()


def measure(ctx) -> list[Figure]:
    missing = _available()
    if missing:
        return [skipped("dash.all", S4, "Dashboards", missing)]
    fx = ctx.fixtures
    steward = _steward(fx.pod) or fx.manager
    pages = {"broad": ("/metrics/", fx.manager), "pod": (f"/pods/{fx.pod.slug}/insights/", steward)}
    out, raw = [], {}
    for name, (path, user) in pages.items():
        client = Client()
        client.force_login(user)
        # Two loads to warm: a member's first load in 15 minutes writes their activity time, which moves
        # their navigation version (communities.auth_backend), so the second reads their row and bar afresh.
        _db_ms(client, path)
        _db_ms(client, path)
        db = [_db_ms(client, path) for _ in range(ctx.rounds)]
        status = db[0][2]
        specs = [{"method": "GET", "path": path, "headers": fx.session(user)}]
        ctx.wrk(specs, duration=1, connections=2)
        runs = [ctx.wrk(specs, duration=ctx.duration, connections=2) for _ in range(ctx.rounds)]
        raw[name] = {"db": db, "http": runs}
        label = "/metrics/ (managers)" if name == "broad" else "Pod insights (a steward)"
        budget = 100 if name == "broad" else 20
        db_ms = [d[0] for d in db]
        out.append(Figure(f"dash.{name}.p95", S4, f"{label}: p95 over HTTP (c=2)" + ("" if status == 200 else
                          f" — HTTP {status}"), "ms", [r["p95_ms"] for r in runs]))
        out.append(Figure(f"dash.{name}.db_ms", S4, f"{label}: database time per page ({db[0][1]} queries)", "ms",
                          db_ms, f"≤ {budget} ms", summary(db_ms)["median"] <= budget))
    out += _versus_raw(ctx, out)
    out += _rollup_timings(ctx)
    ctx.raw["dashboards"] = raw
    return out


def _versus_raw(ctx, figures: list[Figure]) -> list[Figure]:
    seconds, what = [], ""
    for _ in range(1 if ctx.quick else min(ctx.rounds, 3)):  # one round is ~12 min at L
        s, what = _raw_seconds()
        seconds.append(s * 1000)
    raw_ms = summary(seconds)["median"]
    out = [Figure("dash.raw_ms", S4, f"Same figures from raw events (rollup_compute over {what}, every scope)",
                  "ms", seconds)]
    for name, label in (("broad", "/metrics/"), ("pod", "Pod insights")):
        page_ms = next(f.values for f in figures if f.id == f"dash.{name}.db_ms")
        speedup = [raw_ms / ms for ms in page_ms if ms]
        out.append(Figure(f"dash.{name}.vs_raw", S4, f"{label} from rollups vs from raw events (database time)",
                          "×", speedup, "≥ 20×", summary(speedup)["median"] >= 20 if speedup else None))
    return out


def _timed(func) -> float:
    began = time.monotonic()
    func()
    return time.monotonic() - began


def _rollup_timings(ctx) -> list[Figure]:
    from metrics.models import Impression
    from metrics.services.backfill import rollup_recent
    from metrics.services.events import dirty_mark
    from metrics.services.rollups import rollup_period
    from microgroups.models import Membership

    from .datagen import dataset_heavy_day

    day = dataset_heavy_day()
    volume = Impression.objects.filter(day=day).count()
    heavy = [_timed(lambda: rollup_period(period="day", start=day)) for _ in range(1 if ctx.quick else
                                                                                     min(ctx.rounds, 3))]
    rollup_recent()  # settle: marks left by the dataset and the pages above, and the run's bookmark
    idle = [_timed(rollup_recent) for _ in range(ctx.rounds)]
    # One pod's day changed (a post there today): its pod, its author's region and all pods are marked.
    pod = ctx.fixtures.pod
    author = Membership.objects.filter(pod=pod, status="active").order_by("pk").values_list("member_id",
                                                                                          flat=True).first()
    today = timezone.now().date()
    one_pod = []
    for _ in range(1 if ctx.quick else min(ctx.rounds, 3)):
        dirty_mark(pod_ids={pod.pk}, member_ids={author} if author else (), day=today)
        one_pod.append(_timed(rollup_recent))
    return [
        Figure("dash.rollup_day", S4, f"Rollup of one day holding {volume:,} impressions (rollup_period day)", "s",
               heavy, "≤ 60 s", summary(heavy)["median"] <= 60),
        Figure("dash.rollup_recent", S4, "Recurring rollup with nothing marked dirty (rollup_recent)", "s",
               idle, "≤ 1 s", summary(idle)["median"] <= 1),
        Figure("dash.rollup_recent_pod", S4, "Recurring rollup after one pod's day changed (the pod, its region "
               "and all pods: day, week, 28 days, cohorts, influencers)", "s", one_pod),
    ]
