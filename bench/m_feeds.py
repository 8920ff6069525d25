"""(1) Feed pages under load: the real keyset feed against the naive baseline and a trivial view,
page 1 against a deep page, Commons and the biggest pod, each sort; and the signed-in feed's p99.

Throughput runs at a fixed concurrency that saturates the two workers; latency targets are read at a
concurrency equal to the worker count (no queueing in front of the app), which is what a user sees.
Every round measures all variants back to back, so ratios are taken within a round.
"""

from urllib.parse import quote

from .context import Figure
from .stats import ratios, summary

THROUGHPUT_CONNECTIONS = 8
LATENCY_CONNECTIONS = 2
CROWD_CONNECTIONS = 32  # "no collapse under concurrency": throughput here ÷ at 8
S1 = "1 Feed pages"


def _get(path: str, headers: dict | None = None) -> list[dict]:
    return [{"method": "GET", "path": path, "headers": headers or {}}]


def _paths(ctx) -> dict[str, str]:
    fx = ctx.fixtures
    pod = f"/pods/{fx.pod.slug}/"
    paths = {"trivial": "/bench/trivial/", "naive_p1": "/bench/naive/?sort=new&page=1",
             "naive_deep": f"/bench/naive/?sort=new&page={fx.depth}"}
    for sort in ("new", "hot", "top"):
        cursor, _ = fx.cursors[("commons", sort)]
        paths[f"commons_{sort}_p1"] = f"/?sort={sort}"
        paths[f"commons_{sort}_deep"] = f"/?sort={sort}&cursor={quote(cursor)}" if cursor else None
        cursor, _ = fx.cursors[("pod", sort)]
        paths[f"pod_{sort}_p1"] = f"{pod}?sort={sort}"
        paths[f"pod_{sort}_deep"] = f"{pod}?sort={sort}&cursor={quote(cursor)}" if cursor else None
    return {k: v for k, v in paths.items() if v}


def _rounds(ctx, variants: dict[str, list[dict]], *, rounds: int, duration: float, connections: int) -> dict:
    runs: dict[str, list[dict]] = {name: [] for name in variants}
    for specs in variants.values():  # warm-up: template and card caches, connections
        ctx.wrk(specs, duration=1, connections=connections)
    for _ in range(rounds):
        for name, specs in variants.items():
            runs[name].append(ctx.wrk(specs, duration=duration, connections=connections))
    return runs


def _check_ok(runs: dict) -> list[str]:
    bad = []
    for name, results in runs.items():
        for r in results:
            if r["non_2xx_3xx"] or r["socket_errors"]:
                bad.append(f"{name}: {r['non_2xx_3xx']} bad statuses, {r['socket_errors']} socket errors")
                break
    return bad


def measure(ctx) -> list[Figure]:
    fx = ctx.fixtures
    paths = _paths(ctx)
    headline = {k: _get(paths[k]) for k in ("trivial", "commons_new_p1", "naive_p1", "commons_new_deep",
                                            "naive_deep") if k in paths}
    print(f"   throughput at c={THROUGHPUT_CONNECTIONS}, {ctx.rounds} rounds x {ctx.duration}s: {list(headline)}")
    headline["member_commons_c8"] = _get("/", fx.session(fx.member))
    # The JSON API's feed beside the HTML one: the same member, the same page of posts (newest first).
    headline["member_commons_new_c8"] = _get("/?sort=new", fx.session(fx.member))
    headline["api_commons_new_c8"] = _get("/api/v1/feeds/commons?sort=new", _api_token(fx.member))
    runs = _rounds(ctx, headline, rounds=ctx.rounds, duration=ctx.duration, connections=THROUGHPUT_CONNECTIONS)
    crowd = {"commons_new_p1_c32": _get(paths["commons_new_p1"]),
             "member_commons_c32": _get("/", fx.session(fx.member))}
    print(f"   throughput at c={CROWD_CONNECTIONS}: {list(crowd)}")
    runs |= _rounds(ctx, crowd, rounds=ctx.rounds, duration=ctx.duration, connections=CROWD_CONNECTIONS)
    rest = {k: _get(v) for k, v in paths.items() if k not in headline and k not in crowd}
    rest["post_page"] = _get(f"/posts/{_busy_post()}/")
    rest["queue"] = _get("/moderation/queue/", fx.session(fx.manager))
    deep = fx.cursors[("pod", "new")][1] + 1
    print(f"   other sorts and the pod ({fx.pod.slug}, deep page {deep}): {list(rest)}")
    runs |= _rounds(ctx, rest, rounds=max(3, ctx.rounds - 2), duration=max(2, ctx.duration - 1),
                    connections=THROUGHPUT_CONNECTIONS)
    member_headers = fx.session(fx.member)
    signed_in = {"member_commons_p1": _get("/", member_headers),
                 "member_pod_p1": _get(f"/pods/{fx.pod.slug}/", member_headers),
                 "member_post_p1": _get(f"/posts/{_busy_post()}/", member_headers),
                 "anon_commons_p1_c2": _get(paths["commons_new_p1"]), "trivial_c2": _get(paths["trivial"])}
    print(f"   latency at c={LATENCY_CONNECTIONS}: signed-in Commons (hot), pod feed and post page")
    latency = _rounds(ctx, signed_in, rounds=ctx.rounds, duration=ctx.duration, connections=LATENCY_CONNECTIONS)
    ctx.raw["feeds"] = {"throughput": runs, "latency": latency, "paths": paths}
    problems = _check_ok(runs | latency)
    figures = _figures(runs, latency, fx)
    if problems:
        figures[0].note = "errors during load: " + "; ".join(problems)
    return figures


def _api_token(member) -> dict:
    """A read-only personal access token for the API feed (Authorization header)."""
    from api.services import token_create

    raw = token_create(actor=member, name="bench", scopes=["read"], expires_in_days=1)[1]
    return {"Authorization": f"Bearer {raw}"}


def _busy_post() -> int:
    """The Commons post with the most comments: the heaviest post page anyone may open."""
    from communities.models import Post

    return (Post.objects.filter(pod__isnull=True, status="published", segment__isnull=True)
            .order_by("-comment_count", "-id").values_list("pk", flat=True).first())


def _rps(runs, name):
    """Answers per second that were not errors: a fast 503 (or 429) must not count as throughput."""
    return [r["rps"] * (1 - (r["non_2xx_3xx"] + r["socket_errors"]) / r["requests"]) if r["requests"] else 0.0
            for r in runs.get(name, [])]


def _p(runs, name, key):
    """A latency per round; None for a round in which no request finished (wrk then reports 0 ms)."""
    return [r[key] if r["requests"] else None for r in runs.get(name, [])]


def _figures(runs: dict, latency: dict, fx) -> list[Figure]:
    out = []
    real, naive, trivial = _rps(runs, "commons_new_p1"), _rps(runs, "naive_p1"), _rps(runs, "trivial")
    vs_naive, vs_trivial = ratios(real, naive), ratios(real, trivial)
    out.append(Figure("feed.commons.vs_naive", S1, "Anonymous Commons feed ÷ naive (COUNT+OFFSET+per-post), req/s",
                      "×", vs_naive, "≥ 10×", _ge(vs_naive, 10)))
    out.append(Figure("feed.commons.vs_trivial", S1, "Anonymous Commons feed ÷ trivial view (framework ceiling)",
                      "×", vs_trivial, "≥ 0.70×", _ge(vs_trivial, 0.70)))
    member = ratios(_rps(runs, "member_commons_c8"), trivial)
    out.append(Figure("feed.member.vs_trivial", S1, "Signed-in Commons feed ÷ trivial view, req/s (c=8)", "×",
                      member, "≥ 0.30×", _ge(member, 0.30)))
    api = ratios(_rps(runs, "api_commons_new_c8"), _rps(runs, "member_commons_new_c8"))
    out.append(Figure("feed.api.vs_html", S1, "API Commons feed ÷ HTML Commons feed, same member and page, req/s (c=8)",
                      "×", api, "≥ 2×", _ge(api, 2)))
    p99_ratio = ratios(_p(latency, "member_commons_p1", "p99_ms"), _p(latency, "trivial_c2", "p99_ms"))
    out.append(Figure("feed.member.p99_vs_trivial", S1, f"Signed-in Commons feed p99 ÷ trivial view p99 "
                      f"(c={LATENCY_CONNECTIONS})", "×", p99_ratio, "≤ 2×", _le(p99_ratio, 2)))
    for name, label in (("commons_new_p1", "Anonymous Commons feed"), ("member_commons", "Signed-in Commons feed")):
        at8 = name if name == "commons_new_p1" else "member_commons_c8"
        crowd = ratios(_rps(runs, f"{name}_c32"), _rps(runs, at8))
        out.append(Figure(f"feed.{name}.c32_vs_c8", S1, f"{label}: req/s at c={CROWD_CONNECTIONS} ÷ at "
                          f"c={THROUGHPUT_CONNECTIONS}", "×", crowd, "≥ 0.9×", _ge(crowd, 0.9)))
    deep_lat = ratios(_p(runs, "commons_new_deep", "p50_ms"), _p(runs, "commons_new_p1", "p50_ms"))
    out.append(Figure("feed.commons.deep_vs_p1", S1, f"Deep page (page {fx.depth}) ÷ page 1, p50 latency", "×",
                      deep_lat, "≤ 1.2×", _le(deep_lat, 1.2)))
    naive_deep = ratios(_p(runs, "naive_deep", "p50_ms"), _p(runs, "naive_p1", "p50_ms"))
    out.append(Figure("feed.naive.deep_vs_p1", S1, f"Naive: page {fx.depth} ÷ page 1, p50 latency (for contrast)",
                      "×", naive_deep))
    for name in runs:
        out.append(Figure(f"feed.{name}.rps", S1, f"{_label(name, fx)}: req/s (c={THROUGHPUT_CONNECTIONS})",
                          "req/s", _rps(runs, name)))
        out.append(Figure(f"feed.{name}.p50", S1, f"{_label(name, fx)}: p50", "ms", _p(runs, name, "p50_ms")))
        out.append(Figure(f"feed.{name}.p99", S1, f"{_label(name, fx)}: p99", "ms", _p(runs, name, "p99_ms")))
    p99 = _p(latency, "member_commons_p1", "p99_ms")
    out.append(Figure("feed.member.p99", S1, f"Signed-in Commons feed p99 (c={LATENCY_CONNECTIONS})", "ms", p99,
                      "≤ 40 ms", _le(p99, 40)))
    for name in ("member_commons_p1", "member_pod_p1", "member_post_p1", "anon_commons_p1_c2"):
        out.append(Figure(f"feed.{name}.lat_p50", S1, f"{_label(name, fx)}: p50 (c={LATENCY_CONNECTIONS})", "ms",
                          _p(latency, name, "p50_ms")))
        out.append(Figure(f"feed.{name}.lat_rps", S1, f"{_label(name, fx)}: req/s (c={LATENCY_CONNECTIONS})", "req/s",
                          _rps(latency, name)))
    out.append(Figure("feed.member_pod_p1.lat_p99", S1, f"Signed-in pod feed p99 (c={LATENCY_CONNECTIONS})", "ms",
                      _p(latency, "member_pod_p1", "p99_ms")))
    out.append(Figure("feed.member_post_p1.lat_p99", S1, f"Signed-in post page p99 (c={LATENCY_CONNECTIONS})", "ms",
                      _p(latency, "member_post_p1", "p99_ms")))
    return out


def _label(name: str, fx) -> str:
    words = {"trivial": "Trivial view", "naive_p1": "Naive feed page 1", "naive_deep": f"Naive feed page {fx.depth}",
             "member_commons_p1": "Signed-in Commons feed", "member_pod_p1": "Signed-in pod feed",
             "member_post_p1": "Signed-in post page (most comments)",
             "anon_commons_p1_c2": "Anonymous Commons feed", "trivial_c2": "Trivial view",
             "member_commons_c8": "Signed-in Commons feed", "member_commons_c32": "Signed-in Commons feed (c=32)",
             "commons_new_p1_c32": "Anonymous Commons feed (c=32)",
             "post_page": "Post page (most comments, anonymous)", "queue": "Moderation queue (manager)",
             "member_commons_new_c8": "Signed-in Commons feed, new (HTML)",
             "api_commons_new_c8": "Signed-in Commons feed, new (JSON API)"}
    if name in words:
        return words[name]
    place, sort, page = name.split("_")
    depth = fx.cursors[(place, sort)][1] + 1
    where = "Commons" if place == "commons" else "Pod"
    return f"{where} {sort}, {'page 1' if page == 'p1' else f'page {depth}'}"


def _ge(values, target):
    med = summary(values)["median"]
    return None if med is None else med >= target


def _le(values, target):
    med = summary(values)["median"]
    return None if med is None else med <= target
