"""Private PostgreSQL, Redis, web server and Celery workers for the fault tests.

The machine's shared PostgreSQL (5432) and Redis (6379) serve other test runs, so faults are never
injected there: each stack gets its own throwaway PostgreSQL cluster (initdb in a temp dir, its own
port) and its own redis-server, which the tests stop, kill and restart at will.
"""

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    assert initdb, "PostgreSQL server binaries (initdb, pg_ctl) are needed for the fault tests"
    return Path(initdb).parent


class PrivatePostgres:
    """A throwaway cluster on its own port: fsync off (nothing here must survive a machine crash)."""

    def __init__(self, base: Path):
        self.base, self.port = base, free_port()
        self.data, self.log = base / "pgdata", base / "postgres.log"
        self.bindir = _pg_bindir()
        # initdb refuses to run as root: run the server as the postgres account then.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(base, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
                  "--no-instructions")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
                       "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\nmax_connections = 200\n"
                       "shared_buffers = 32MB\n"
                       # A backend whose client died (a SIGKILLed worker) notices within a second even
                       # while it waits on a lock, and rolls its transaction back.
                       "client_connection_check_interval = 500\n")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bindir / tool), *args], check=True, capture_output=True,
                       timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str, autocommit: bool = True) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname,
                               autocommit=autocommit)

    def createdb(self, name: str) -> None:
        with self.connect("postgres") as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


class PrivateRedis:
    """`redis-server` without persistence: a restart comes back empty, like a lost cache node."""

    def __init__(self, base: Path):
        self.port, self.base, self.proc = free_port(), base, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 10, "redis-server to answer")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # no goodbye, like a crashed node
            self.proc.wait(10)

    def client(self, db: int = 0):
        import redis

        return redis.Redis(port=self.port, db=db)

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


class Process:
    """A subprocess in its own process group, its output kept for failure messages."""

    def __init__(self, args: list[str], env: dict, ready: str | None = None, name: str = "process"):
        self.name, self.log, self.ready = name, [], threading.Event()
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True)
        self._marker = ready
        threading.Thread(target=self._read, daemon=True).start()
        if ready:
            assert self.ready.wait(90), f"{name} did not start:\n{self.tail()}"

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.log.append(line)
            if self._marker and self._marker in line:
                self.ready.set()

    def tail(self, lines: int = 40) -> str:
        return "".join(self.log[-lines:])

    def kill_group(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_group()


class Stack:
    """PostgreSQL + Redis + the app's environment; web servers and workers are started on demand."""

    def __init__(self, dbname: str = "faults"):
        self.base = Path(tempfile.mkdtemp(prefix="pc-faults-"))
        os.chmod(self.base, 0o755)  # noqa: S103 - the postgres account must reach its data directory
        self.pg, self.redis, self.dbname = PrivatePostgres(self.base), PrivateRedis(self.base), dbname
        self.processes: list[Process] = []
        self.pg.start()
        self.redis.start()
        self.pg.createdb(dbname)
        self.manage("migrate", "--noinput", "-v", "0")

    def env(self, **extra: str) -> dict:
        return {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
                "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev", "DEBUG": "false",
                "SECRET_KEY": "faults-only-secret-key-not-for-anything-real-0123456789",
                "DATABASE_URL": self.pg.url(self.dbname), "REDIS_URL": self.redis.url(0),
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(self.base / "mail"), "MEDIA_ROOT": str(self.base / "media"),
                "CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
                "CELERY_UNACKED_MUTEX_EXPIRE": "5",
                "DATABASE_POOL_MAX_SIZE": "5", "DATABASE_POOL_TIMEOUT": "3", **extra}  # pooled, as deployed

    def manage(self, *args: str, **env: str) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(**env), capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def driver(self, command: str, **kwargs) -> dict:
        """Run one step of tests/faults/driver.py inside the app (Django set up on this stack)."""
        done = subprocess.run([PYTHON, "-m", "tests.faults.driver", command, json.dumps(kwargs)], cwd=ROOT,
                              env=self.env(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"driver {command} failed:\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def web(self, workers: int = 1) -> tuple["Process", str]:
        port = free_port()
        proc = Process([str(BIN / "uvicorn"), "petcommunity.asgi:application", "--host", "127.0.0.1", "--port",
                        str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
                       self.env(), name="uvicorn")
        self.processes.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _http_ok(url + "/healthz"), 60, "the web server")
        return proc, url

    def worker(self, queue: str = "celery", **env: str) -> Process:
        proc = Process([str(BIN / "celery"), "-A", "petcommunity", "worker", "--pool=prefork", "-c", "1", "-Q", queue,
                        "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat",
                        "-n", f"{queue}-{time.monotonic_ns()}@%h"],
                       self.env(**env), ready=" ready.", name="celery worker")
        self.processes.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.processes:
            proc.stop()
        self.redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def _http_ok(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
