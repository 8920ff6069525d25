"""(8) The serving shape: the same pages under ASGI (uvicorn workers, as deployed) and under WSGI
(gunicorn, gthread workers), 2 processes each, measured back to back in every round.

Websockets need ASGI either way; the question is only whether plain HTTP pages are faster when Django's
synchronous views run in a thread pool of a WSGI server instead of being handed across an event loop
(`sync_to_async`) on every request. The run's main server (ASGI) is stopped meanwhile, so each side
has the two cores to itself.
"""

from . import procs, wrk
from .context import Figure
from .stats import ratios

S8 = "8 Serving shape"
CONNECTIONS = (8, 2)


def _get(path: str, headers: dict | None = None) -> list[dict]:
    return [{"method": "GET", "path": path, "headers": headers or {}}]


def _variants(ctx) -> dict[str, list[dict]]:
    fx = ctx.fixtures
    return {"trivial": _get("/bench/trivial/"), "anon_feed": _get("/?sort=new"),
            "member_feed": _get("/", fx.session(fx.member)), "pod_feed": _get(f"/pods/{fx.pod.slug}/")}


LABELS = {"trivial": "Trivial view", "anon_feed": "Anonymous Commons feed", "member_feed": "Signed-in Commons feed",
          "pod_feed": "Anonymous pod feed"}


def measure(ctx) -> list[Figure]:
    variants = _variants(ctx)
    runs: dict[tuple[str, str, int], list[dict]] = {}
    ctx.server.stop()
    try:
        for _ in range(ctx.rounds):
            for server in (procs.Server(workers=2), procs.WsgiServer(workers=2, threads=4)):
                server.start()
                try:
                    for specs in variants.values():  # warm-up: caches, connections, templates
                        wrk.run(server.base_url, specs, duration=1, connections=8)
                    for c in CONNECTIONS:
                        for name, specs in variants.items():
                            runs.setdefault((server.kind, name, c), []).append(
                                wrk.run(server.base_url, specs, duration=ctx.duration, connections=c))
                finally:
                    server.stop()
    finally:
        ctx.server = procs.WsgiServer(workers=2, threads=4)
        ctx.server.start()
    ctx.raw["serving"] = {f"{k[0]}.{k[1]}.c{k[2]}": v for k, v in runs.items()}
    out = []
    for name in variants:
        asgi, wsgi = runs[("asgi", name, 8)], runs[("wsgi", name, 8)]
        out.append(Figure(f"serving.{name}.wsgi_vs_asgi", S8, f"{LABELS[name]}: WSGI ÷ ASGI, req/s (c=8)", "×",
                          ratios([r["rps"] for r in wsgi], [r["rps"] for r in asgi])))
        for kind, rs in (("asgi", asgi), ("wsgi", wsgi)):
            out.append(Figure(f"serving.{name}.{kind}.rps", S8, f"{LABELS[name]} under {kind.upper()}: req/s (c=8)",
                              "req/s", [r["rps"] for r in rs]))
        for kind in ("asgi", "wsgi"):
            rs = runs[(kind, name, 2)]
            out.append(Figure(f"serving.{name}.{kind}.p99", S8, f"{LABELS[name]} under {kind.upper()}: p99 (c=2)",
                              "ms", [r["p99_ms"] for r in rs]))
    return out
