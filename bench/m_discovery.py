"""(7) "Pods for you" (the pod discovery page a member opens, with their stored suggestions) and the
member directory with filters: p95 over HTTP for signed-in members, each request a different member."""

import time
from urllib.parse import urlencode

from .context import Figure, skipped
from .stats import summary

S7 = "7 Discovery"
VIEWERS = 50
DIRECTORY_FILTERS = {
    "no filter": {},
    "species + need": {"species": "dog", "needs": "senior"},
    "region": {"region": "england"},
    "name search": {"q": "ann"},
    "interest + active 30 days": {"interests": "hiking", "active": "30"},
}


def _suggestions(members) -> tuple[str | None, float | None]:
    try:
        from microgroups.services.suggestions import suggestions_refresh, suggestions_refresh_for
    except ImportError as exc:
        return f"pod suggestions ({exc})", None
    for m in members:
        suggestions_refresh_for(m.pk)
    began = time.monotonic()
    suggestions_refresh()  # the hourly task, for everyone: timed once
    return None, time.monotonic() - began


def measure(ctx) -> list[Figure]:
    fx = ctx.fixtures
    members = fx.members(VIEWERS)
    sessions = [fx.session(m) for m in members]
    out = []
    missing, refresh_s = _suggestions(members)
    if missing:
        out.append(skipped("disc.for_you", S7, "Pods for you", missing))
    else:
        specs = [{"method": "GET", "path": "/pods/", "headers": s} for s in sessions]
        out.append(_p95(ctx, "disc.for_you", "Pods for you (/pods/ discovery page)", specs))
        out.append(Figure("disc.for_you_refresh", S7, "Suggestions refresh for every member (hourly task)", "s",
                          [refresh_s]))
    for label, params in DIRECTORY_FILTERS.items():
        path = "/members/" + (f"?{urlencode(params)}" if params else "")
        specs = [{"method": "GET", "path": path, "headers": s} for s in sessions]
        out.append(_p95(ctx, f"disc.dir.{label}", f"Member directory, {label}", specs))
    return out


def _p95(ctx, fid: str, label: str, specs: list[dict]) -> Figure:
    ctx.wrk(specs, duration=1, connections=2)
    runs = [ctx.wrk(specs, duration=ctx.duration, connections=2) for _ in range(ctx.rounds)]
    bad = sum(r["non_2xx_3xx"] for r in runs)
    p95 = [r["p95_ms"] for r in runs]
    figure = Figure(fid, S7, f"{label}: p95 (c=2)", "ms", p95)
    figure.note = f"req/s {summary([r['rps'] for r in runs])['median']}" + (f"; {bad} error statuses" if bad else "")
    return figure
