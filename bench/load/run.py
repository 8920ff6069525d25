"""`make load`: 200 members for 2 minutes against a production-like server, on loopback.

Fresh `load` database (PostgreSQL) and Redis db 12, migrated and seeded; uvicorn with 2 workers and a
Celery worker under bench/load/settings.py (DEBUG off, limits on, per-IP limits raised). Each simulated
member arrives within the first 20 s, keeps the Commons websocket open (and their pod's, if they have
one) and, pausing 4-16 s between actions like a person reading, reads feeds, posts and pod pages,
catches up, reacts, comments and posts.

Passes (exit 0) only with zero 5xx, zero 429, zero failed requests and no websocket dropped by the
server. Figures go to bench/load/last-run.json and the "Load" section of bench/RESULTS.md.
"""

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import redis
import websockets

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
SETTINGS = "bench.load.settings"
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/load")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/12")

# What a member does next, with weights: mostly reading, some reacting, a little writing.
ACTIONS = {"feed": 30, "feed_new": 8, "post_page": 16, "pod_page": 10, "notifications": 5, "catchup": 5,
           "react": 13, "comment": 6, "post": 4, "pod_post": 3}
THINK_SECONDS = (4.0, 16.0)  # a person reads a page for a while before the next click
ARRIVAL_SECONDS = 20.0  # members arrive over the first 20 s, not in one instant


def env() -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL}


def prepare(members: int) -> dict:
    """Recreate the database and Redis db, migrate, seed; return the members' sessions."""
    dbname = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env(), check=True)
    done = subprocess.run([sys.executable, "-m", "bench.load.seed", str(members)], cwd=ROOT, env=env(),
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"seeding failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_processes(port: int, workers: int) -> list[subprocess.Popen]:
    logs = HERE / "logs"
    logs.mkdir(exist_ok=True)
    commands = {
        "web": [str(BIN / "uvicorn"), "petcommunity.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--no-access-log", "--log-level", "warning"],
        "worker": [str(BIN / "celery"), "-A", "petcommunity", "worker", "-c", "1", "-l", "warning",
                   "--without-gossip", "--without-mingle"],
    }
    processes = []
    for name, command in commands.items():
        with open(logs / f"{name}.log", "w") as log:  # the child keeps its own copy of the descriptor
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env(), stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return processes
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group (uvicorn's workers, Celery's pool), SIGKILL what is left after 20 s."""
    for proc in processes:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


class Recorder:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter = Counter()
        self.by_action_status: dict[str, Counter] = defaultdict(Counter)
        self.failures: Counter = Counter()
        self.ws = Counter()

    def record(self, action: str, status: int, seconds: float) -> None:
        self.latency[action].append(seconds)
        self.status[status] += 1
        self.by_action_status[action][status] += 1


def describe(exc: BaseException) -> str:
    """Why a websocket ended: the handshake's HTTP status, the close code, or the error's name."""
    response = getattr(exc, "response", None)
    if response is not None and hasattr(response, "status_code"):
        return f"handshake {response.status_code}"
    received = getattr(exc, "rcvd", None)
    if received is not None:
        return f"closed {received.code}"
    return type(exc).__name__


class Member:
    """One person: a cookie-holding HTTP client, open websockets, a list of posts they have seen."""

    def __init__(self, base: str, info: dict, posts: list[int], rec: Recorder, rng: random.Random):
        self.base, self.info, self.posts, self.rec, self.rng = base, info, posts, rec, rng
        # Idle connections are dropped before uvicorn's 5 s keep-alive does, as browsers do: reusing one the
        # server is closing at that instant fails the request (a client-side race, not a server error).
        self.http = httpx.AsyncClient(base_url=base, cookies={"sessionid": info["cookie"]}, timeout=30,
                                      follow_redirects=False, limits=httpx.Limits(keepalive_expiry=3))
        self.newest = max(posts) if posts else 0

    async def request(self, action: str, method: str, path: str, data: dict | None = None, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "POST":
            data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
            headers["Referer"] = self.base + "/"
        began = time.monotonic()
        try:
            response = await self.http.request(method, path, data=data, headers=headers)
        except httpx.HTTPError as exc:
            self.rec.failures[f"{action}: {type(exc).__name__}"] += 1
            return None
        self.rec.record(action, response.status_code, time.monotonic() - began)
        return response

    def a_post(self) -> int:
        return self.rng.choice(self.posts[-200:])

    async def act(self, action: str) -> None:
        pod, n = self.info["pod"], self.rng.randint(1, 10**6)
        if action in ("pod_page", "pod_post") and not pod:
            action = "feed"
        match action:
            case "feed":
                await self.request(action, "GET", "/")
            case "feed_new":
                await self.request(action, "GET", "/?sort=new")
            case "post_page":
                await self.request(action, "GET", f"/posts/{self.a_post()}/")
            case "pod_page":
                await self.request(action, "GET", f"/pods/{pod}/")
            case "notifications":
                await self.request(action, "GET", "/notifications/")
            case "catchup":
                await self.request(action, "GET", f"/catchup/commons/?after={max(self.newest - 20, 0)}", htmx=True)
            case "react":
                kind = self.rng.choice(["paw", "heart", "helpful", "hug"])
                await self.request(action, "POST", f"/posts/{self.a_post()}/react/", {"kind": kind}, htmx=True)
            case "comment":
                await self.request(action, "POST", f"/posts/{self.a_post()}/comments/", {"body": f"So true! ({n})"})
            case "post":
                response = await self.request(action, "POST", "/posts/new/", {"body": f"Walk report {n}: sunny."})
                self.learn(response)
            case "pod_post":
                await self.request(action, "POST", f"/pods/{pod}/post/",
                                   {"body": f"Pod news {n}", "audience": "everyone"})

    def learn(self, response) -> None:
        match = re.search(r"/posts/(\d+)/", response.headers.get("location", "")) if response is not None else None
        if match:
            self.posts.append(int(match.group(1)))

    async def stream(self, path: str, until: float) -> None:
        """Hold a websocket open, as a page does; reconnect (counted) if the server drops it."""
        url = self.base.replace("http://", "ws://") + path
        headers = {"Cookie": f"sessionid={self.info['cookie']}", "Origin": self.base}
        while time.monotonic() < until:
            try:
                async with websockets.connect(url, additional_headers=headers, open_timeout=30) as ws:
                    self.rec.ws["opened"] += 1
                    while (left := until - time.monotonic()) > 0:
                        try:
                            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=left))
                        except TimeoutError:
                            break
                        self.rec.ws["frames"] += 1
                        if frame.get("type") == "post.new" and path.endswith("commons/"):
                            self.posts.append(int(frame["id"]))
                            self.newest = max(self.newest, int(frame["id"]))
                    return
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                self.rec.ws[f"dropped: {describe(exc)}"] += 1
                await asyncio.sleep(2)

    async def run(self, until: float) -> None:
        await self.request("feed", "GET", "/")  # the landing page sets the CSRF cookie
        streams = [asyncio.create_task(self.stream("/ws/feed/commons/", until))]
        if self.info["pod"]:
            streams.append(asyncio.create_task(self.stream(f"/ws/feed/pod/{self.info['pod']}/", until)))
        actions, weights = list(ACTIONS), list(ACTIONS.values())
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(*THINK_SECONDS))
            if time.monotonic() >= until:
                break
            await self.act(self.rng.choices(actions, weights)[0])
        await asyncio.gather(*streams)
        await self.http.aclose()


async def drive(base: str, seeded: dict, duration: float, rec: Recorder) -> float:
    rng = random.Random(11)
    members = [Member(base, info, list(seeded["recent_posts"]), rec, random.Random(rng.random()))
               for info in seeded["members"]]
    began = time.monotonic()
    until = began + duration
    async def arrive(member, delay):
        await asyncio.sleep(delay)
        await member.run(until)
    await asyncio.gather(*(arrive(m, i * ARRIVAL_SECONDS / len(members)) for i, m in enumerate(members)))
    return time.monotonic() - began


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def summarise(rec: Recorder, seconds: float, members: int, workers: int) -> dict:
    total = sum(rec.status.values())
    rows = {a: {"requests": len(v), "p50_ms": round(pct(v, 50) * 1000), "p95_ms": round(pct(v, 95) * 1000),
                "p99_ms": round(pct(v, 99) * 1000), "max_ms": round(max(v) * 1000),
                "statuses": dict(sorted(rec.by_action_status[a].items()))}
            for a, v in sorted(rec.latency.items())}
    everything = [x for v in rec.latency.values() for x in v]
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "members": members, "seconds": round(seconds, 1),
        "web_workers": workers, "requests": total, "requests_per_second": round(total / seconds, 1),
        "p50_ms": round(pct(everything, 50) * 1000), "p95_ms": round(pct(everything, 95) * 1000),
        "p99_ms": round(pct(everything, 99) * 1000), "statuses": dict(sorted(rec.status.items())),
        "server_errors": sum(n for s, n in rec.status.items() if s >= 500),
        "rate_limited": rec.status.get(429, 0), "failed_requests": dict(rec.failures),
        "websockets": dict(rec.ws), "actions": rows,
    }


def markdown(result: dict) -> str:
    ws = result["websockets"]
    dropped = sum(n for k, n in ws.items() if k.startswith("dropped"))
    causes = ", ".join(f"{k.removeprefix('dropped: ')}: {n}" for k, n in ws.items() if k.startswith("dropped"))
    lines = [
        "## Load", "",
        f"`make load`, run {result['when']}: **{result['members']} members for {result['seconds']:.0f} s** on "
        f"loopback against uvicorn ({result['web_workers']} workers, DEBUG off, production settings) + one "
        "Celery worker, PostgreSQL and Redis on the same 2-core shared machine. Each member keeps the Commons "
        "websocket open (and their pod's, for the two thirds in a pod) and, arriving over 20 s and pausing 4–16 s "
        "between actions, "
        "reads the Commons feed (hot and new), post pages, their pod, notifications and catch-up, and reacts, "
        "comments and posts (plain and htmx forms, CSRF included). Per-member abuse limits are the production "
        "ones (no member reaches them at human pace); per-IP limits are raised because all members share "
        "127.0.0.1 (bench/load/settings.py).", "",
        "| Figure | Value |", "|---|---|",
        f"| Requests | {result['requests']:,} ({result['requests_per_second']} req/s) |",
        f"| Latency p50 / p95 / p99 | {result['p50_ms']} / {result['p95_ms']} / {result['p99_ms']} ms |",
        f"| 5xx responses | **{result['server_errors']}** |",
        f"| 429 responses | **{result['rate_limited']}** |",
        f"| Failed requests (timeouts, resets) | **{sum(result['failed_requests'].values())}**"
        f"{' ' + json.dumps(result['failed_requests']) if result['failed_requests'] else ''} |",
        f"| Websockets opened / dropped by the server | {ws.get('opened', 0)} / **{dropped}** |",
        *([f"| Websocket drops by cause | {causes} |"] if dropped else []),
        f"| Live frames received | {ws.get('frames', 0):,} |",
        f"| Status codes | {', '.join(f'{k}: {v:,}' for k, v in result['statuses'].items())} |", "",
        "| Action | Requests | p50 ms | p95 ms | p99 ms | max ms | Statuses |", "|---|---|---|---|---|---|---|",
    ]
    for action, row in result["actions"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items())
        lines.append(f"| {action} | {row['requests']:,} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | "
                     f"{row['max_ms']} | {statuses} |")
    return "\n".join(lines) + "\n"


def write_results(result: dict) -> None:
    (HERE / "last-run.json").write_text(json.dumps(result, indent=1) + "\n")
    path = HERE.parent / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    section = markdown(result)
    # Replace our own section if present (it runs to the next "## " heading or the end), else append it.
    pattern = re.compile(r"^## Load\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave RESULTS.md alone")
    args = parser.parse_args()
    began = time.monotonic()
    seeded = prepare(args.members)
    print(f"load: seeded {len(seeded['members'])} members in {time.monotonic() - began:.0f}s", flush=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    processes = start_processes(port, args.workers)
    rec = Recorder()
    try:
        seconds = asyncio.run(drive(f"http://127.0.0.1:{port}", seeded, args.duration, rec))
    finally:
        stop(processes)
    result = summarise(rec, seconds, args.members, args.workers)
    if not args.no_write:
        write_results(result)
    print(markdown(result))
    ok = not (result["server_errors"] or result["rate_limited"] or result["failed_requests"]
              or any(k.startswith("dropped") for k in result["websockets"]))
    print("load: PASS" if ok else "load: FAIL (5xx, 429, failed requests or dropped websockets above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
