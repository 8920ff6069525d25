"""(5) Realtime fan-out and (6) web memory per socket: N websocket clients (a separate process) on one
pod's stream; a post published through the service (`post_create`, which broadcasts on commit);
publish → receipt on every socket, rounds per N (five by default), lost frames counted. The web workers' RSS is
read idle and with the largest N open."""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import procs
from .context import Figure
from .stats import percentile

S5, S6 = "5 Realtime fan-out", "6 Memory"
COUNTS = [100, 1000, 3000]
ROUNDS = 5
DAILY_CAP = 20  # posts a day: the demo's Commons rule (moderation/demo.py), which counts pod posts too
MARK = "Bench fanout"


class Clients:
    def __init__(self, url: str, origin: str):
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("wsclient.py")), url, origin],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, command: str) -> dict:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        try:
            self.ask("close")
        finally:
            self.proc.wait(timeout=60)


def _rss(server, samples: int = 3) -> float:
    values = []
    for _ in range(samples):
        values.append(server.rss_kb())
        time.sleep(0.5)
    return statistics.median(values)


def _authors(fx, count: int, rounds: int) -> list:
    """Members of the pod to post as, in turn, those with the fewest posts today first: the daily cap (20
    posts) counts what the generated data gave them today, and one author posting every round would meet it
    before the largest N. At L every member of the biggest pod has posted today already, so a member with
    room under the cap for their share of the rounds is enough. The author does not change who hears the
    post."""
    from datetime import datetime
    from datetime import time as day_time

    from django.db.models import Count, Q
    from django.utils import timezone

    from communities.models import User
    from microgroups.models import Membership

    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), day_time.min))
    ids = Membership.objects.filter(pod=fx.pod, status="active", role="member").values("member_id")
    share = -(-(1 + len(COUNTS) * rounds) // count)  # posts each author makes at most
    return list(User.objects.filter(is_staff=False, is_active=True, pk__in=ids)
                .annotate(today=Count("posts", filter=Q(posts__created_at__gte=midnight)))
                .filter(today__lte=DAILY_CAP - share).order_by("today", "pk")[:count])


def _publish(fx, author, n: int, r: int) -> tuple[int, int]:
    from communities.services.posts import post_create

    began = time.monotonic_ns()
    post = post_create(actor=author, pod=fx.pod, body=f"{MARK} N={n} round {r}: evening walk report")
    return post.pk, began


def measure(ctx) -> list[Figure]:
    fx = ctx.fixtures
    # Websockets are served as deployed: by uvicorn (ASGI), beside the pages' gunicorn (nginx routes /ws/).
    server = procs.Server(workers=2)
    server.start()
    url = server.base_url.replace("http://", "ws://") + f"/ws/feed/pod/{fx.pod.slug}/"
    idle = _rss(server)
    rounds = ctx.rounds or ROUNDS
    authors = _authors(fx, len(COUNTS) + 1, rounds)
    # One unmeasured post first: the first publish in this process imports the URLconf (the card's links
    # reverse URLs), ~0.8 s that a serving process has long paid; it landed on N=100's first round.
    _publish(fx, authors.pop(), 0, -1)
    clients = Clients(url, server.base_url)
    rows, memory = [], {"idle_kb": idle}
    try:
        for n in COUNTS:
            opened = clients.ask(f"connect {n - (rows[-1]['open'] if rows else 0)}")
            time.sleep(2)  # let the handshakes' group joins settle
            if n == COUNTS[-1]:
                memory.update(open_kb=_rss(server), sockets=opened["open"])
            row = {"n": n, "open": opened["open"], "failed": opened["failed"], "connect_s": opened["seconds"],
                   "rounds": []}
            for r in range(rounds):
                post_id, began = _publish(fx, authors[len(rows) % len(authors)], n, r)
                got = clients.ask(f"wait {post_id} 10")
                lat = [(t - began) / 1e6 for t in got["times_ns"]]
                row["rounds"].append({"received": got["received"], "lost": got["open"] - got["received"],
                                      "last_ms": max(lat) if lat else None, "latencies_ms": lat})
                time.sleep(0.5)
            rows.append(row)
            print(f"   N={n}: open {row['open']} (failed {row['failed']}), last receipt "
                  f"{[round(x['last_ms'] or -1) for x in row['rounds']]} ms, lost {[x['lost'] for x in row['rounds']]}",
                  flush=True)
    finally:
        clients.close()
        server.stop()
        _cleanup()
    ctx.raw["realtime"] = {"rows": [{**r, "rounds": [{k: v for k, v in x.items() if k != "latencies_ms"}
                                                     for x in r["rounds"]]} for r in rows], "memory": memory}
    return _figures(rows, memory, rounds)


def _figures(rows: list[dict], memory: dict, rounds: int = ROUNDS) -> list[Figure]:
    out = []
    for row in rows:
        n = row["n"]
        pooled = [x for rnd in row["rounds"] for x in rnd["latencies_ms"]]
        lost = sum(r["lost"] for r in row["rounds"])
        p99 = percentile(pooled, 99)
        out.append(Figure(f"rt.{n}.last", S5, f"N={n}: publish → last receipt ({rounds} rounds)", "ms",
                          [r["last_ms"] for r in row["rounds"] if r["last_ms"] is not None]))
        out.append(Figure(f"rt.{n}.p99", S5, f"N={n}: per-socket delivery p99 (pooled over rounds; p50 "
                          f"{percentile(pooled, 50) or 0:.0f} ms)", "ms", [p99] if p99 is not None else [],
                          "≤ 150 ms" if n == 1000 else "", (p99 is not None and p99 <= 150) if n == 1000 else None))
        ok = lost == 0 and not row["failed"]
        out.append(Figure(f"rt.{n}.lost", S5, f"N={n}: lost frames over {rounds} rounds ({row['open']} sockets "
                          f"open, {row['failed']} failed to connect)", "frames", [lost], "0", ok))
    if "open_kb" in memory and memory.get("sockets"):
        per = (memory["open_kb"] - memory["idle_kb"]) / memory["sockets"]
        out.append(Figure("mem.web_idle", S6, "Web workers RSS, idle (both workers)", "MB",
                          [memory["idle_kb"] / 1024]))
        out.append(Figure("mem.web_open", S6, f"Web workers RSS with {memory['sockets']} sockets open", "MB",
                          [memory["open_kb"] / 1024]))
        out.append(Figure("mem.per_socket", S6, "Memory per open socket", "KB", [per], "≤ 100 KB", per <= 100))
    return out


def _cleanup() -> None:
    from communities.models import Post

    Post.objects.filter(body__startswith=f"{MARK} ").delete()
