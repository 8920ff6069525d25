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


SLICE = 5000  # members scored from scratch for the per-member figure


def _suggestions(members, *, at_l: bool) -> tuple[str | None, dict]:
    """The refresh from scratch, then the hourly run twice: with nothing changed, and after 100 members'
    inputs changed (their stored digest cleared, as a pet or region change does).

    At S the refresh is the whole maintenance run. At L that run scores 100,000 members against 10,000
    pods (about ten minutes): a slice of SLICE members gives its cost per member, and the inputs the whole
    run would record are recorded without scoring, which is all an hourly run with nothing changed reads
    of it (a member with a changed input is scored afresh, whatever rows they had)."""
    try:
        from django.utils import timezone

        from microgroups.services import suggestions as service
    except ImportError as exc:
        return f"pod suggestions ({exc})", {}
    timings = {}
    if at_l:
        catalog = service.Catalog(timezone.now())
        ids = service._member_ids()
        began = time.monotonic()
        service._refresh_batch(ids[:SLICE], catalog)
        timings["per_member_ms"] = (time.monotonic() - began) * 1000 / min(SLICE, len(ids))
        for i in range(0, len(ids), service.BATCH):
            profiles = service._profiles(ids[i:i + service.BATCH], catalog)
            service._remember_profiles(profiles, catalog.now)
        service._remember(service._pod_digests(catalog), catalog.now)
    else:
        began = time.monotonic()
        service.suggestions_refresh()
        timings["full"] = time.monotonic() - began
        timings["per_member_ms"] = timings["full"] * 1000 / max(1, len(service._member_ids()))
    rewrote = {"settling": service.suggestions_refresh_changed()}  # records any digest the refresh did not
    began = time.monotonic()
    rewrote["unchanged"] = service.suggestions_refresh_changed()
    timings["unchanged"] = time.monotonic() - began
    for m in members[:100]:
        service.suggestions_refresh_for(m.pk)
    began = time.monotonic()
    rewrote["changed"] = service.suggestions_refresh_changed()
    timings["changed"] = time.monotonic() - began
    timings["rewrote"] = rewrote  # members each run rescored: none until 100 change
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
    # At L the page's viewers get theirs as onboarding gives a new member theirs (the refresh from
    # scratch is a slice there: `_suggestions`), so the page that reads them is measured at both sizes.
    at_l = ctx.size.name == "L"
    missing, refresh = _suggestions(fx.members(100), at_l=at_l)
    if missing:
        out.append(skipped("disc.for_you", S7, "Pods for you", missing))
    else:
        onboarding = _onboarding(members if at_l else members[:10])
        out.append(Figure("disc.for_you_one", S7, "Suggestions: one member's refresh (onboarding, a pet change)",
                          "s", onboarding))
        specs = [{"method": "GET", "path": "/pods/", "headers": s} for s in sessions]
        out.append(_p95(ctx, "disc.for_you", "Pods for you (/pods/ discovery page)", specs))
    if refresh:
        if "full" in refresh:
            out.append(Figure("disc.for_you_refresh", S7, "Suggestions: full refresh of every member (maintenance)",
                              "s", [refresh["full"]]))
        out.append(Figure("disc.for_you_refresh_member", S7,
                          "Suggestions: refresh from scratch, per member" + (f" ({SLICE:,} of them)" if at_l else ""),
                          "ms", [refresh["per_member_ms"]]))
        for key, label in (("unchanged", "nothing changed"), ("changed", "100 members' inputs changed")):
            figure = Figure(f"disc.for_you_hourly_{key}", S7, f"Suggestions: hourly run, {label}", "s",
                            [refresh[key]], target=f"≤ {HOURLY_TARGET_S} s")
            figure.passed = refresh[key] <= HOURLY_TARGET_S
            figure.note = f"{refresh['rewrote'][key]:,} members rescored"
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
