"""`make prod-smoke`: the production build and stack, end to end on this machine, then `make run`'s stack.

1. Build: deploy/build.sh `deps` into a venv of its own (var/smoke/venv, rebuilt when requirements.lock or
   pyproject.toml change; pip's cache keeps that fast) and `static` (the Dockerfile's RUN steps).
2. Production: that venv runs, under petcommunity.settings.production with DEBUG off and a throwaway key,
   2 page replicas (as `--scale web=2`: each its own gunicorn process and port, the `http` role, one
   MEDIA_ROOT directory shared by both), one websocket replica (`web` role, uvicorn; nginx sends /ws/
   there), a Celery worker and beat (BEAT_SCHEDULE_SCALE shortens the schedule) on the machine's
   PostgreSQL (database `smoke`, recreated) and Redis (db 10: broker and channels, db 11: cache), behind
   nginx with deploy/nginx.conf on loopback (TLS with a self-signed certificate; both page replicas in
   its upstream). Through the proxy: `/` and a post page answer 200
   compressed; a hashed static file 200 immutable, the unhashed path 404; a post made through the proxy
   reaches an open websocket; a rollup row for today counts the post (beat and the worker ran); /readyz
   200. Across replicas: a member signed in on replica A posts a photo there (A's own port, not the
   proxy); the photo's URL answers 200 with the same bytes and type from replica B's own port and through
   the proxy, and matches the file in the shared MEDIA_ROOT.
3. Embedded (`make run`'s Procfile under honcho, no REDIS_URL, SQLite files): a post, then today's rollup
   row, with the shortened schedule; no "database is locked" in its output.
Every process is started in its own session and stopped by pid at the end, pass or fail. Figures go to
var/smoke/figures.json and stdout.
"""

import asyncio
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import redis
import websockets

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "smoke"
VENV = WORK / "venv"
LOGS = WORK / "logs"
MEDIA_ROOT = WORK / "media"  # the replicas' shared upload directory (a shared volume in a deployment)
PG_URL = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smoke")
REDIS_BASE = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379")
BROKER_URL, CACHE_URL = f"{REDIS_BASE}/10", f"{REDIS_BASE}/11"
WEB_PORTS = (8640, 8641)  # replica A, replica B
WS_PORT = 8642  # the websocket (ASGI) replica
HTTPS_PORT, HTTP_PORT, EMBEDDED_PORT = 8643, 8680, 8650
PROXY = f"https://127.0.0.1:{HTTPS_PORT}"
PROD_SCALE = os.environ.get("SMOKE_BEAT_SCHEDULE_SCALE", "0.02")  # the 15-minute rollup every 18 s
EMBEDDED_SCALE = os.environ.get("SMOKE_EMBEDDED_SCALE", "0.1")  # make run's default: every 90 s
USERNAME, PASSWORD = "smoke", "smoke-pass-8a7c-not-secret"
MEMBER = f"""
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
joined = timezone.now() - timedelta(days=60)
user = get_user_model().objects.create_user(username="{USERNAME}", email="smoke@example.com", password="{PASSWORD}",
                                            date_joined=joined, onboarded_at=joined)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
"""

processes: list[subprocess.Popen] = []
figures: dict = {}


class SmokeFailure(Exception):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailure(what)
    print(f"  ok  {what}")


def run(*args: str, env: dict | None = None, **kwargs) -> str:
    # Our own scripts and the smoke venv's programs, never outside input.
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, **kwargs)  # noqa: S603
    if done.returncode != 0:
        raise SmokeFailure(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def start(name: str, *args: str, env: dict) -> subprocess.Popen:
    log = open(LOGS / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                            start_new_session=True)
    processes.append(proc)
    return proc


def stop_all() -> None:
    for proc in reversed(processes):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    deadline = time.monotonic() + 15
    for proc in processes:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    processes.clear()


def wait_for(what: str, probe, timeout: float, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in processes:
            if proc.poll() is not None:
                raise SmokeFailure(f"{proc.args[0]} {' '.join(map(str, proc.args[1:3]))} exited ({proc.returncode}) "
                                   f"while waiting for {what}; logs in {LOGS}")
        try:
            result = probe()
        except (httpx.HTTPError, OSError, psycopg.Error, sqlite3.Error):
            result = None
        if result:
            return result
        time.sleep(every)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}; logs in {LOGS}")


# --- 1. Build --------------------------------------------------------------------------------------------

def build() -> None:
    print("== build: deploy/build.sh deps + static (the Dockerfile's RUN steps)")
    began = time.monotonic()
    stamp = hashlib.sha256((ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()
                           + (ROOT / "deploy" / "build.sh").read_bytes()).hexdigest()
    stamp_file = VENV / ".smoke-stamp"
    if not (stamp_file.exists() and stamp_file.read_text() == stamp):
        shutil.rmtree(VENV, ignore_errors=True)
        run("deploy/build.sh", "deps", str(VENV), env={**os.environ, "PYTHON": os.environ.get("PYTHON", "python3.11")})
        stamp_file.write_text(stamp)
        figures["venv_built"] = True
    else:
        figures["venv_built"] = False  # unchanged since the last run: reused
    shutil.rmtree(WORK / "static", ignore_errors=True)
    run("deploy/build.sh", "static", env={**os.environ, "PYTHON": str(VENV / "bin" / "python"),
                                          "STATIC_ROOT": str(WORK / "static")})
    figures["build_seconds"] = round(time.monotonic() - began, 1)
    manifest = json.loads((WORK / "static" / "staticfiles.json").read_text())["paths"]
    sizes = {"raw": 0, "gzip": 0, "brotli": 0}
    for hashed in manifest.values():
        if hashed.endswith((".css", ".js", ".svg")):
            path = WORK / "static" / hashed
            sizes["raw"] += path.stat().st_size
            sizes["gzip"] += (path.parent / f"{path.name}.gz").stat().st_size
            sizes["brotli"] += (path.parent / f"{path.name}.br").stat().st_size
    figures["static_bytes"] = sizes
    print(f"  static css/js/svg: {sizes['raw']:,} bytes, gzip {sizes['gzip']:,}, brotli {sizes['brotli']:,}")


# --- 2. Production stack -----------------------------------------------------------------------------------

def production_env() -> dict:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "CACHE", "PYTEST"))}
    return {**keep, "PATH": f"{VENV / 'bin'}:{os.environ['PATH']}",
            "DJANGO_SETTINGS_MODULE": "petcommunity.settings.production", "DEBUG": "false",
            "SECRET_KEY": hashlib.sha256(os.urandom(32)).hexdigest() + "-smoke-only",
            "DATABASE_URL": PG_URL, "DATABASE_POOL_MAX_SIZE": "5", "REDIS_URL": BROKER_URL, "CACHE_URL": CACHE_URL,
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "CSRF_TRUSTED_ORIGINS": PROXY, "SITE_URL": PROXY,
            "STATIC_ROOT": str(WORK / "static"), "MEDIA_ROOT": str(MEDIA_ROOT), "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(WORK / "mail"),
            "BEAT_SCHEDULE_SCALE": PROD_SCALE, "BEAT_SCHEDULE_FILE": str(WORK / "beat-schedule"),
            "HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "WORKER_CONCURRENCY": "2"}


def fresh_services() -> None:
    dbname = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()
    (WORK / "beat-schedule").unlink(missing_ok=True)
    shutil.rmtree(MEDIA_ROOT, ignore_errors=True)
    MEDIA_ROOT.mkdir(parents=True)


def start_proxy() -> None:
    if not shutil.which("nginx"):
        print("  installing nginx from Debian's packages (deploy/proxy.sh install)")
        run("deploy/proxy.sh", "install")
    certs, tmp = WORK / "certs", WORK / "nginx"
    tmp.mkdir(parents=True, exist_ok=True)
    # Both replicas in the upstream; uploads are on their shared MEDIA_ROOT, so /media/ goes to them too.
    proxy_env = {**os.environ, "UPSTREAM": " ".join(f"127.0.0.1:{port}" for port in WEB_PORTS),
                 "WS_UPSTREAM": f"127.0.0.1:{WS_PORT}",
                 "SERVER_NAME": "localhost", "MEDIA_UPSTREAM": "web", "CERT_DIR": str(certs),
                 "HTTP_LISTEN": f"127.0.0.1:{HTTP_PORT}", "HTTPS_LISTEN": f"127.0.0.1:{HTTPS_PORT}"}
    run("deploy/proxy.sh", "cert", str(certs), env=proxy_env)
    run("deploy/proxy.sh", "render", str(tmp / "site.conf"), env=proxy_env)
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(f"""{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {LOGS}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    log_format smoke '$remote_addr "$request" $status $body_bytes_sent upstream=$upstream_addr';
    access_log {LOGS}/nginx-access.log smoke;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
""")
    start("nginx", "nginx", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;", env=dict(os.environ))


def login(client: httpx.Client) -> None:
    page = client.get("/accounts/login/")
    check(page.status_code == 200, f"login page 200 ({page.status_code})")
    done = client.post("/accounts/login/", data={"login": USERNAME, "password": PASSWORD,
                                                 "csrfmiddlewaretoken": client.cookies["csrftoken"]},
                       headers={"Referer": f"{str(client.base_url).rstrip('/')}/accounts/login/"})
    check(done.status_code == 302 and "sessionid" in client.cookies, f"signed in ({done.status_code})")


def post(client: httpx.Client, body: str) -> int:
    done = client.post("/posts/new/", data={"body": body, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
                       headers={"Referer": f"{str(client.base_url).rstrip('/')}/"})
    match = re.search(r"/posts/(\d+)/", done.headers.get("location", ""))
    check(done.status_code == 302 and match is not None,
          f"post created ({done.status_code} -> {done.headers.get('location')})")
    return int(match.group(1))


async def post_reaches_socket(client: httpx.Client, ws_url: str, origin: str) -> tuple[int, float]:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    headers = {"Cookie": f"sessionid={client.cookies['sessionid']}", "Origin": origin}
    async with websockets.connect(ws_url, additional_headers=headers, ssl=context if ws_url.startswith("wss") else None,
                                  open_timeout=20) as ws:
        await asyncio.sleep(0.5)  # the consumer joins its groups after accepting
        began = time.monotonic()
        post_id = await asyncio.to_thread(post, client, "Smoke test: a walk in the park with Biscuit.")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic()))
            if frame.get("type") == "post.new" and int(frame.get("id", 0)) == post_id:
                return post_id, time.monotonic() - began
    raise SmokeFailure("the new post never reached the open websocket")


class Replica:
    """One web replica on its own port, bypassing the proxy: plain HTTP with the proxy's
    X-Forwarded-Proto (uvicorn trusts it from 127.0.0.1), cookies kept by hand since the production
    cookies are Secure and an HTTP client would not send them back."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.http = httpx.Client(base_url=self.origin, timeout=30,
                                 headers={"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip, br"})

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}),
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Referer": f"https://127.0.0.1:{self.port}{path}"}  # same origin as the forwarded scheme
        response = self.http.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def login(self) -> None:
        page = self.request("GET", "/accounts/login/")
        check(page.status_code == 200 and "csrftoken" in self.cookies, f"replica :{self.port} login page 200")
        done = self.request("POST", "/accounts/login/", data={
            "login": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies["csrftoken"]})
        check(done.status_code == 302 and "sessionid" in self.cookies,
              f"signed in on replica :{self.port} directly ({done.status_code})")


def smoke_png() -> bytes:
    """A small photo made here (a gradient), so the run needs no fixture file."""
    import io

    from PIL import Image

    image = Image.new("RGB", (96, 64))
    image.putdata([(x * 2, y * 3, (x + y) % 256) for y in range(64) for x in range(96)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def upload_across_replicas(proxy: httpx.Client, port_a: int, port_b: int, media_root: Path) -> dict:
    """Issue 13: an upload made through one web replica is served through the other and the proxy.

    Signs in on replica A's own port, posts a photo there, reads the post page from replica B's own
    port (the post is in the shared database) and fetches the photo's URL from B directly and through
    the proxy (twice: nginx round-robins over both replicas); every copy must have the bytes and type
    of the file in the shared MEDIA_ROOT."""
    began = time.monotonic()
    a, b = Replica(port_a), Replica(port_b)
    a.login()
    done = a.request("POST", "/posts/new/",
                     data={"body": "Smoke test: Biscuit's portrait, uploaded to one replica.",
                           "image_alt": "A colour gradient", "csrfmiddlewaretoken": a.cookies["csrftoken"]},
                     files={"images": ("biscuit.png", smoke_png(), "image/png")})
    match = re.search(r"/posts/(\d+)/", done.headers.get("location", ""))
    check(done.status_code == 302 and match is not None,
          f"photo post created on replica :{port_a} ({done.status_code} -> {done.headers.get('location')})")
    b.cookies = dict(a.cookies)  # the same member's session, read by the other replica (sessions: database)
    page = b.request("GET", f"/posts/{match.group(1)}/")
    urls = sorted(set(re.findall(r'<img src="(/media/[^"]+)"', page.text)))
    check(page.status_code == 200 and len(urls) == 1,
          f"replica :{port_b} shows the post with its photo ({page.status_code}, {urls})")
    url = urls[0]
    on_disk = media_root / url.removeprefix("/media/")
    check(on_disk.is_file(), f"{url} is a file in the shared MEDIA_ROOT")
    expected = on_disk.read_bytes()
    copies = {f"replica :{port_b}": b.request("GET", url), f"replica :{port_a}": a.request("GET", url),
              "proxy": proxy.get(url), "proxy again": proxy.get(url)}
    for where, response in copies.items():
        kind = response.headers.get("content-type", "")
        check(response.status_code == 200 and response.content == expected and kind == "image/png",
              f"{url} through {where}: {response.status_code} {kind}, {len(response.content):,} bytes, "
              f"{'identical' if response.content == expected else 'DIFFERENT'}")
    # Which replica answered each request through the proxy (nginx's access log names the upstream).
    log = LOGS / "nginx-access.log"
    logged = log.read_text() if log.exists() else ""
    upstreams = re.findall(rf'"GET {re.escape(url)} [^"]*" 200 \d+ upstream=(\S+)', logged)
    print(f"      through the proxy, answered by {', '.join(upstreams) or 'unknown'}")
    return {"url": url, "bytes": len(expected), "content_type": kind, "uploaded_to": f"127.0.0.1:{port_a}",
            "served_directly_by": [f"127.0.0.1:{port_b}", f"127.0.0.1:{port_a}"], "proxy_upstreams": upstreams,
            "seconds": round(time.monotonic() - began, 2)}


def rollup_row_pg(after: float):
    with psycopg.connect(PG_URL) as conn:
        row = conn.execute("SELECT posts, computed_at FROM metrics_metricrollup WHERE scope_kind = 'commons' "
                           "AND period = 'day' AND start = CURRENT_DATE").fetchone()
    return row if row and row[0] >= 1 and row[1].timestamp() > after else None


def production() -> None:
    print(f"== production: 2 page replicas (WSGI) + 1 websocket replica (ASGI) + worker + beat "
          f"(scale {PROD_SCALE}) behind nginx, PostgreSQL + Redis")
    env = production_env()
    fresh_services()
    began = time.monotonic()
    run("deploy/entrypoint.sh", "migrate", env=env)
    run(str(VENV / "bin" / "python"), "manage.py", "shell", "-c", MEMBER, env=env)
    figures["migrate_seconds"] = round(time.monotonic() - began, 1)
    for letter, port in zip("ab", WEB_PORTS, strict=True):
        start(f"web-{letter}", "deploy/entrypoint.sh", "http", env={**env, "PORT": str(port)})
    start("ws", "deploy/entrypoint.sh", "web", env={**env, "PORT": str(WS_PORT), "WEB_CONCURRENCY": "1"})
    for name in ("worker", "beat"):
        start(name, "deploy/entrypoint.sh", name, env=env)
    start_proxy()
    client = httpx.Client(base_url=PROXY, verify=False, timeout=30,  # noqa: S501 - our own self-signed loopback cert
                          headers={"Accept-Encoding": "gzip, br"})
    wait_for("/readyz through the proxy", lambda: client.get("/readyz").status_code == 200, timeout=90)
    check(True, "/readyz 200 through the proxy")

    home = client.get("/")
    check(home.status_code == 200 and home.headers.get("content-encoding") == "gzip",
          f"/ 200 {home.headers.get('content-encoding')} "
          f"({home.num_bytes_downloaded:,} of {len(home.content):,} bytes)")
    figures["home_html_bytes"] = {"raw": len(home.content), "sent": home.num_bytes_downloaded}
    redirect = httpx.get(f"http://127.0.0.1:{HTTP_PORT}/", follow_redirects=False)
    check(redirect.status_code == 301 and redirect.headers["location"].startswith("https://"),
          "plain HTTP redirects to HTTPS")

    manifest = json.loads((WORK / "static" / "staticfiles.json").read_text())["paths"]
    hashed = client.get(f"/static/{manifest['css/app.css']}")
    check(hashed.status_code == 200 and "immutable" in hashed.headers.get("cache-control", "")
          and hashed.headers.get("content-encoding") == "br",
          f"hashed /static/{manifest['css/app.css']} 200 br, {hashed.headers.get('cache-control')}")
    unhashed = client.get("/static/css/app.css")
    check(unhashed.status_code == 404, f"unhashed /static/css/app.css {unhashed.status_code}")

    login(client)
    posted_at = time.time()
    post_id, latency = asyncio.run(post_reaches_socket(client, f"wss://127.0.0.1:{HTTPS_PORT}/ws/feed/commons/", PROXY))
    check(True, f"post {post_id} reached the open websocket through the proxy in {latency:.2f} s")
    figures["websocket_seconds"] = round(latency, 2)
    page = client.get(f"/posts/{post_id}/")
    check(page.status_code == 200 and page.headers.get("content-encoding") == "gzip" and b"Biscuit" in page.content,
          f"post page 200 {page.headers.get('content-encoding')}")

    figures["media_across_replicas"] = upload_across_replicas(client, *WEB_PORTS, MEDIA_ROOT)

    row = wait_for("today's rollup row counting the post", lambda: rollup_row_pg(posted_at), timeout=120, every=2)
    figures["production_rollup_seconds"] = round(row[1].timestamp() - posted_at, 1)
    check(True, f"scheduled rollup counted the post {figures['production_rollup_seconds']} s after it "
                f"({row[0]} posts today)")
    check(client.get("/readyz").status_code == 200, "/readyz still 200")
    stop_all()


# --- 3. Embedded stack (make run) ----------------------------------------------------------------------------

def rollup_row_sqlite(db: Path, after: float):
    with sqlite3.connect(db, timeout=10) as conn:
        row = conn.execute("SELECT posts, computed_at FROM metrics_metricrollup WHERE scope_kind = 'commons' "
                           "AND period = 'day' AND start = date('now')").fetchone()
    if not row or row[0] < 1:
        return None
    computed = time.mktime(time.strptime(row[1][:19], "%Y-%m-%d %H:%M:%S")) - time.timezone
    return (row[0], computed) if computed > after else None


def embedded() -> None:
    print(f"== embedded: make run's Procfile under honcho, no REDIS_URL, SQLite (BEAT_SCHEDULE_SCALE {EMBEDDED_SCALE})")
    home = WORK / "embedded"
    shutil.rmtree(home, ignore_errors=True)
    (home / "var").mkdir(parents=True)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE", "REDIS", "CACHE", "PYTEST"))}
    env = {**keep, "PATH": f"{VENV / 'bin'}:{os.environ['PATH']}",
           "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev",
           "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}", "VAR_DIR": str(home / "var"),
           "MEDIA_ROOT": str(home / "media"), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "WEB_LOG_LEVEL": "warning",
           "WORKER_CONCURRENCY": "1", "BEAT_SCHEDULE_FILE": str(home / "var" / "beat"), "CELERY_LOG_LEVEL": "info",
           "BEAT_SCHEDULE_SCALE": EMBEDDED_SCALE}
    run(str(VENV / "bin" / "python"), "manage.py", "migrate", "--noinput", env=env)
    run(str(VENV / "bin" / "python"), "manage.py", "shell", "-c", MEMBER, env=env)
    stack_began = time.time()
    start("honcho", str(VENV / "bin" / "honcho"), "start", "--no-colour", "--port", str(EMBEDDED_PORT),
          "--env", "/dev/null", env=env)
    base = f"http://127.0.0.1:{EMBEDDED_PORT}"
    client = httpx.Client(base_url=base, timeout=30)
    wait_for("the embedded web process", lambda: client.get("/healthz").status_code == 200, timeout=60)
    login(client)
    posted_at = time.time()
    ws_url = f"ws://127.0.0.1:{EMBEDDED_PORT}/ws/feed/commons/"
    post_id, latency = asyncio.run(post_reaches_socket(client, ws_url, base))
    check(True, f"post {post_id} reached the open websocket in {latency:.2f} s")
    row = wait_for("today's rollup row counting the post (embedded)",
                   lambda: rollup_row_sqlite(home / "db.sqlite3", posted_at), timeout=float(EMBEDDED_SCALE) * 900 + 60,
                   every=2)
    figures["embedded_rollup_seconds"] = round(row[1] - posted_at, 1)
    figures["embedded_stack_seconds"] = round(row[1] - stack_began, 1)
    check(True, f"embedded worker + beat counted the post {figures['embedded_rollup_seconds']} s after it")
    stop_all()
    log = (LOGS / "honcho.log").read_text()
    check("database is locked" not in log, "no 'database is locked' in the embedded stack's output")
    check("Task metrics.tasks.rollup_recent" in log and "succeeded" in log, "the worker logged the rollup task")


def main() -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    status = 0
    try:
        build()
        production()
        embedded()
    except (SmokeFailure, KeyboardInterrupt) as exc:
        print(f"prod-smoke: FAIL: {exc}")
        status = 1
    finally:
        stop_all()
    figures["total_seconds"] = round(time.monotonic() - began, 1)
    (WORK / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures))
    print("prod-smoke: PASS" if status == 0 else f"prod-smoke: logs in {LOGS}")
    return status


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    sys.exit(main())
