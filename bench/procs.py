"""The processes under test: the page server (gunicorn, as deployed), the websocket server (uvicorn, as deployed)
and a Celery worker.

Both run as subprocesses with the bench settings; their resident memory is read from /proc.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOGS = ROOT / "bench" / ".logs"  # server and worker output, for when a run fails (git-ignored)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WEB_APPLICATION_NAME = "bench-web"


def child_env() -> dict:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def rss_kb(pid: int) -> int:
    """Resident set size of one process in KB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return found


class Server:
    """`uvicorn petcommunity.asgi:application --workers N` on a free loopback port."""

    kind = "asgi"

    def __init__(self, workers: int = 2):
        self.workers = workers
        self.port = free_port()
        LOGS.mkdir(exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.log = open(LOGS / "server.log", "a")  # noqa: SIM115 - closed in stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(VENV_BIN / "uvicorn"), "petcommunity.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(self.workers), "--no-access-log",
                "--log-level", "warning", "--loop", "uvloop", "--http", "httptools", "--ws", "auto",
                "--backlog", "4096", "--timeout-keep-alive", "30",
                "--ws-per-message-deflate", "false"]  # as deployed (deploy/entrypoint.sh)

    def start(self, timeout: float = 60) -> None:
        cmd = self.command()
        # libpq names the web server's connections, so Context.settle can wait for them alone.
        env = {**child_env(), "PGAPPNAME": WEB_APPLICATION_NAME}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the web server exited (see {self.log.name})")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as r:  # noqa: S310 - our own http URL
                    if r.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the web server did not answer /healthz within {timeout}s (see {self.log.name})")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        if self.kind == "wsgi":
            return children(self.proc.pid)
        # uvicorn's supervisor spawns the workers (plus multiprocessing's resource tracker, which is tiny).
        return [p for p in children(self.proc.pid) if "spawn_main" in _cmdline(p)]

    def rss_kb(self) -> int:
        """Total RSS of the worker processes (the supervisor holds no requests)."""
        return sum(rss_kb(p) for p in self.worker_pids())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class WsgiServer(Server):
    """`gunicorn petcommunity.wsgi:application` with N workers of T threads (gthread): the same pages
    served synchronously, Django's views never crossing an event loop."""

    kind = "wsgi"

    def __init__(self, workers: int = 2, threads: int = 4):
        super().__init__(workers=workers)
        self.threads = threads

    def command(self) -> list[str]:
        return [str(VENV_BIN / "gunicorn"), "petcommunity.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--worker-class", "gthread", "--threads", str(self.threads),
                "--backlog", "4096", "--keep-alive", "30", "--log-level", "warning"]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class CeleryWorker:
    """`celery -A petcommunity worker` (prefork, 1 child: the machine has 2 cores and the web server)."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        LOGS.mkdir(exist_ok=True)
        self.log = open(LOGS / "celery.log", "a")  # noqa: SIM115 - closed in stop()

    def start(self) -> None:
        cmd = [str(VENV_BIN / "celery"), "-A", "petcommunity", "worker", "-l", "warning", "--concurrency", "1",
               "--without-gossip", "--without-mingle", "-n", f"bench{os.getpid()}@%h"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env(), stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_kb(self) -> int:
        """The main process and its pool children together."""
        if not self.alive():
            return 0
        return rss_kb(self.proc.pid) + sum(rss_kb(p) for p in children(self.proc.pid))

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
