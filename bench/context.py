"""One benchmark run: the server and worker under test, shared fixtures, and the modules' figures."""

import contextlib
import importlib
import os
import statistics
import threading
import time
import traceback
from dataclasses import dataclass, field
from functools import cached_property

from . import procs, wrk
from .stats import summary

CELERY_WINDOW_SECONDS = 600  # the 10-minute worker run (shortened by --quick)
LIGHT_TASKS = [  # periodic tasks fed to the worker during the memory window (cheap, frequent in production)
    ("metrics.tasks.impressions_flush", 15),
    ("communities.tasks.hot_rank_refresh", 60),
]


def _cpu_seconds(pids: list[int], interval: float) -> float:
    """CPU time (user + system) the processes used over the next `interval` seconds."""
    def total() -> float:
        used = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # gone: it uses nothing
                continue
            used += int(fields[11]) + int(fields[12])  # utime, stime (after the command's parentheses)
        return used / os.sysconf("SC_CLK_TCK")

    before = total()
    time.sleep(interval)
    return total() - before


@dataclass
class Figure:
    """One reported figure: repeated measurements summarised, and its target when the issue sets one."""

    id: str
    section: str
    label: str
    unit: str
    values: list[float] = field(default_factory=list)
    target: str = ""
    passed: bool | None = None
    note: str = ""
    skipped: str = ""

    def as_dict(self) -> dict:
        return {"id": self.id, "section": self.section, "label": self.label, "unit": self.unit,
                "summary": summary(self.values) if not self.skipped else None, "target": self.target,
                "passed": self.passed, "note": self.note, "skipped": self.skipped}


def skipped(fid: str, section: str, label: str, reason: str) -> Figure:
    print(f"    not available yet: {reason}", flush=True)
    return Figure(fid, section, label, "", skipped=f"not available yet: {reason}")


class Context:
    def __init__(self, *, size, quick: bool, rounds: int, modules: list[str], full: bool = True):
        self.size, self.quick, self.rounds, self.modules = size, quick, rounds, modules
        self.full = full  # every module: the Celery memory window is extended to its full length
        self.server = procs.WsgiServer(workers=2, threads=4)  # pages as deployed (gunicorn)
        self.celery = procs.CeleryWorker()
        self.celery_samples: list[tuple[float, int]] = []
        self.celery_report: dict = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.started_at = time.monotonic()
        self.raw: dict = {}  # modules' raw measurements, kept in the JSON
        self.load_samples: list[tuple[float, float]] = []  # (seconds since start, 1-minute load average)
        self.load: dict[str, dict] = {}  # per module: the machine's load while it ran (a shared machine)

    # --- processes -------------------------------------------------------------------------------
    def start(self) -> None:
        print(f"  starting the web server (gunicorn, {self.server.workers} workers of {self.server.threads} threads) "
              "and a Celery worker", flush=True)
        self.server.start()
        self.celery.start()
        self.started_at = time.monotonic()
        for target in (self._sample_celery, self._feed_celery):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        if self.celery.alive() and self.full:
            self._finish_celery_window()
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.celery_report = self._celery_summary()
        self.server.stop()
        self.celery.stop()

    def _sample_celery(self) -> None:
        while not self._stop.wait(5):
            self.load_samples.append((time.monotonic() - self.started_at, os.getloadavg()[0]))
            rss = self.celery.rss_kb()
            if rss:
                self.celery_samples.append((time.monotonic() - self.started_at, rss))

    def _feed_celery(self) -> None:
        from petcommunity.celery import app

        last = {name: 0.0 for name, _ in LIGHT_TASKS}
        while not self._stop.wait(1):
            now = time.monotonic()
            for name, every in LIGHT_TASKS:
                if now - last[name] >= every:
                    last[name] = now
                    with contextlib.suppress(Exception):  # a lost tick only thins the window's load
                        app.send_task(name)

    def _finish_celery_window(self) -> None:
        window = 120 if self.quick else CELERY_WINDOW_SECONDS
        left = window - (time.monotonic() - self.started_at)
        if left > 0:
            print(f"  keeping the Celery worker busy {left:.0f}s more (memory window {window}s)", flush=True)
            time.sleep(left)

    def _celery_summary(self) -> dict:
        samples = self.celery_samples
        if len(samples) < 4:
            return {"skipped": "the worker ran too briefly to measure drift"}
        # The first fifth is warm-up (imports, first task of each kind); drift compares what follows.
        cut = max(1, len(samples) // 5)
        tail = max(1, len(samples) // 10)
        start = statistics.median(r for _, r in samples[cut: cut + tail])
        end = statistics.median(r for _, r in samples[-tail:])
        return {
            "window_seconds": round(samples[-1][0], 1), "samples": len(samples),
            "rss_start_kb": start, "rss_end_kb": end, "rss_max_kb": max(r for _, r in samples),
            "drift": round((end - start) / start, 4) if start else None, "quick": self.quick,
            "series": [(round(t), r) for t, r in samples],
        }

    def redis_memory(self) -> dict:
        import redis
        from django.conf import settings

        client = redis.Redis.from_url(settings.REDIS_URL)
        info = client.info("memory")
        keys = client.dbsize()
        return {"used_memory": info.get("used_memory"), "used_memory_human": info.get("used_memory_human"),
                "used_memory_peak_human": info.get("used_memory_peak_human"), "keys_in_bench_db": keys,
                "note": "instance-wide (the Redis server is shared); keys counted in the bench db only"}

    # --- load helpers ----------------------------------------------------------------------------
    def wrk(self, specs: list[dict], *, duration: float, connections: int) -> dict:
        result = wrk.run(self.server.base_url, specs, duration=duration, connections=connections)
        self.settle()
        return result

    def settle(self, limit: float = 60.0) -> float:
        """Wait until the web server runs no statement: wrk stops at its deadline, but the server keeps
        working on the requests it had read, and a slow variant's leftovers (the naive deep page takes
        seconds at L) would otherwise be measured as the next variant's cost. Returns the wait."""
        from django.db import connection

        began = time.monotonic()
        while time.monotonic() - began < limit:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND state = 'active' AND application_name = %s", [procs.WEB_APPLICATION_NAME])
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.05)
        # Rendering leftovers run no statement: also wait until the workers' CPU falls quiet (a signed-in
        # page at c=32 left ~1 s of rendering behind, which the next variant's round was charged for).
        while time.monotonic() - began < limit and _cpu_seconds(self.server.worker_pids(), 0.1) > 0.01:
            pass
        waited = time.monotonic() - began
        if waited > 1:
            print(f"   waited {waited:.1f}s for the server's leftover work", flush=True)
        return waited

    @property
    def duration(self) -> float:
        return {"S": 3, "L": 5}[self.size.name] if not self.quick else 2

    @cached_property
    def fixtures(self):
        from .fixtures import Fixtures

        return Fixtures.build(self.size)

    def run_modules(self) -> list[dict]:
        figures: list[dict] = []
        for name in self.modules:
            print(f"== {name}", flush=True)
            began = time.monotonic()
            try:
                module = importlib.import_module(f"bench.m_{name}")
                found = module.measure(self)
            except Exception as exc:  # noqa: BLE001 - one broken module must not lose the others' figures
                traceback.print_exc()
                found = [Figure(f"{name}.error", name, f"{name} failed", "", skipped=f"error: {exc!r}"[:300])]
            for figure in found:
                figures.append(figure.as_dict())
                _print_figure(figure)
            self.load[name] = self._load_between(began, time.monotonic())
            print(f"   ({time.monotonic() - began:.0f}s; load average {self.load[name]})", flush=True)
        return figures

    def _load_between(self, began: float, ended: float) -> dict:
        """The 1-minute load average sampled every 5 s while a module ran (the cores are shared)."""
        lo, hi = began - self.started_at, ended - self.started_at
        values = [v for t, v in self.load_samples if lo <= t <= hi] or [os.getloadavg()[0]]
        return {"min": round(min(values), 1), "median": round(statistics.median(values), 1),
                "max": round(max(values), 1), "samples": len(values), "cores": os.cpu_count()}


def _print_figure(f: Figure) -> None:
    if f.skipped:
        return
    s = summary(f.values)
    verdict = {True: "pass", False: "MISS", None: ""}[f.passed]
    print(f"   {f.label}: {s['median']} {f.unit} ({s['min']}–{s['max']}) {f.target} {verdict}", flush=True)
