"""(7) "Pods for you" (the pod discovery page a member opens, with their stored suggestions) and the
member directory with filters: p95 over HTTP for signed-in members, each request a different member."""

import time
from urllib.parse import urlencode

from . import wrk
from .context import Figure, skipped
from .stats import summary

S7 = "7 Discovery"
VIEWERS = 50
SEARCHES = {  # /search/ as a signed-in member: ranked posts, the other scopes counted on the same page
    "one word": {"q": "dog"},
    "two words": {"q": "senior cat"},
    "phrase and exclusion": {"q": '"vet visit" -cat'},
    "comments": {"q": "walk", "scope": "comments"},
    "pods": {"q": "senior", "scope": "pods"},
}
SEARCH_TARGET_MS = 50
HOURLY_TARGET_S = 10
DIRECTORY_FILTERS = {
    "no filter": {},
    "species + need": {"species": "dog", "needs": "senior"},
    "region": {"region": "england"},
    "name search": {"q": "ann"},
    "interest + active 30 days": {"interests": "hiking", "active": "30"},
}


def _suggestions(members) -> tuple[str | None, dict]:
    """The full refresh (maintenance command), then the hourly run twice: with nothing changed, and after
    100 members' inputs changed (their stored digest cleared, as a pet or region change does)."""
    try:
        from microgroups.services.suggestions import (
            suggestions_refresh,
            suggestions_refresh_changed,
            suggestions_refresh_for,
        )
    except ImportError as exc:
        return f"pod suggestions ({exc})", {}
    timings = {}
    began = time.monotonic()
    suggestions_refresh()
    timings["full"] = time.monotonic() - began
    suggestions_refresh_changed()  # records every digest the full run did not
    began = time.monotonic()
    suggestions_refresh_changed()
    timings["unchanged"] = time.monotonic() - began
    for m in members[:100]:
        suggestions_refresh_for(m.pk)
    began = time.monotonic()
    suggestions_refresh_changed()
    timings["changed"] = time.monotonic() - began
    return None, timings


def _onboarding(members) -> list[float]:
    """Each member's suggestions refreshed as onboarding or a pet change does (one member against every
    pod as it is now): the seconds each took."""
    from microgroups.services.suggestions import suggestions_refresh_for

    took = []
    for member in members:
        began = time.monotonic()
        suggestions_refresh_for(member.pk)
        took.append(time.monotonic() - began)
    return took


def measure(ctx) -> list[Figure]:
    fx = ctx.fixtures
    members = fx.members(VIEWERS)
    sessions = [fx.session(m) for m in members]
    out = []
    # The full refresh scores every member against every pod (100k × 10k at L, about 100× S): at S only.
    # At L the page's viewers get theirs as onboarding gives a new member theirs, so the page that reads
    # them is measured at both sizes, and so is that one-member refresh.
    at_l = ctx.size.name == "L"
    missing, refresh = (None, None) if at_l else _suggestions(fx.members(100))
    if missing:
        out.append(skipped("disc.for_you", S7, "Pods for you", missing))
    else:
        onboarding = _onboarding(members if at_l else members[:10])
        out.append(Figure("disc.for_you_one", S7, "Suggestions: one member's refresh (onboarding, a pet change)",
                          "s", onboarding))
        specs = [{"method": "GET", "path": "/pods/", "headers": s} for s in sessions]
        out.append(_p95(ctx, "disc.for_you", "Pods for you (/pods/ discovery page)", specs))
    if refresh:
        out.append(Figure("disc.for_you_refresh", S7, "Suggestions: full refresh of every member (maintenance)",
                          "s", [refresh["full"]]))
        for key, label in (("unchanged", "nothing changed"), ("changed", "100 members' inputs changed")):
            figure = Figure(f"disc.for_you_hourly_{key}", S7, f"Suggestions: hourly run, {label}", "s",
                            [refresh[key]], target=f"≤ {HOURLY_TARGET_S} s")
            figure.passed = refresh[key] <= HOURLY_TARGET_S
            out.append(figure)
    for label, params in DIRECTORY_FILTERS.items():
        path = "/members/" + (f"?{urlencode(params)}" if params else "")
        specs = [{"method": "GET", "path": path, "headers": s} for s in sessions]
        out.append(_p95(ctx, f"disc.dir.{label}", f"Member directory, {label}", specs))
    out += _search(ctx, sessions)
    return out


def _search(ctx, sessions) -> list[Figure]:
    """Search p95 per query shape (target on PostgreSQL). Bulk-loaded data has no stored vectors yet,
    so the index is rebuilt first, as `manage.py search_reindex` would after a restore."""
    try:
        from search.documents import documents_rebuild
    except ImportError as exc:
        return [skipped("disc.search", S7, "Search", str(exc))]
    began = time.monotonic()
    documents_rebuild()
    out = [Figure("disc.search_reindex", S7, "Search index rebuild (every post and comment)", "s",
                  [time.monotonic() - began])]
    for label, params in SEARCHES.items():
        specs = [{"method": "GET", "path": f"/search/?{urlencode(params)}", "headers": s} for s in sessions]
        figure = _p95(ctx, f"disc.search.{label}", f"Search, {label}", specs)
        figure.target = f"≤ {SEARCH_TARGET_MS} ms"
        figure.passed = bool(figure.values) and summary(figure.values)["median"] <= SEARCH_TARGET_MS
        out.append(figure)
    return out


def _p95(ctx, fid: str, label: str, specs: list[dict]) -> Figure:
    wrk.visit_each(ctx.server.base_url, specs)
    ctx.wrk(specs, duration=1, connections=2)
    runs = [ctx.wrk(specs, duration=ctx.duration, connections=2) for _ in range(ctx.rounds)]
    bad = sum(r["non_2xx_3xx"] for r in runs)
    p95 = [r["p95_ms"] for r in runs]
    figure = Figure(fid, S7, f"{label}: p95 (c=2)", "ms", p95)
    figure.note = f"req/s {summary([r['rps'] for r in runs])['median']}" + (f"; {bad} error statuses" if bad else "")
    return figure
