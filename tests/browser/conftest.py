"""Browser journeys: a real ASGI server (uvicorn) on a free loopback port, driven by Debian's Chromium.

The server runs in a thread of the test process so it shares the test database, the in-memory
channel layer and the locmem mail outbox (pytest-django's live_server is WSGI: no websockets).
"""

import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop on the test thread; Django ORM calls made by the test itself
# (factories, assertions) are still synchronous and safe there (the approach pytest-playwright documents).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
# The Nu HTML checker (npm vnu-jar), installed by `make vnu` into the git-ignored node_modules/.
VNU = (Path(__file__).resolve().parents[2] / "node_modules" / ".tools" / "vnu" / "node_modules" / "vnu-jar"
       / "build" / "dist" / "vnu.jar")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AsgiServer:
    def __init__(self):
        import uvicorn

        from petcommunity.asgi import application

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _browser_channel_layer(settings):
    """With REDIS_URL set the journeys run on channels-redis, as deployed.

    Each xdist worker has its own Redis database (petcommunity/settings/test.py), so the cache clears of
    the other worker cannot wipe this worker's group memberships mid-journey; a fresh layer per server
    keeps channels-redis from sharing one receive loop between test servers.
    """
    url = os.environ.get("BROWSER_CHANNELS_REDIS_URL") or settings.REDIS_URL
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",  # as in settings/base.py
            "CONFIG": {"hosts": [url], "prefix": f"pc-browser-{worker}"},
        }}


@pytest.fixture(scope="session")
def _no_stray_connections(django_db_setup, django_db_blocker):
    """At the end, end any connection a finished server thread left open to this worker's PostgreSQL test
    database (threads of uvicorn and asgiref can't be reached to close their own), so it can be dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()")
    connection.close()


@pytest.fixture
def asgi_server(transactional_db, settings, _no_stray_connections):
    from django.db import connections

    # The server's worker threads must not keep PostgreSQL connections open past a request: the test
    # database can't be flushed or dropped while they linger (connections share this dict by reference).
    db = connections.settings["default"]
    max_age, db["CONN_MAX_AGE"] = db.get("CONN_MAX_AGE", 0), 0
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    _browser_channel_layer(settings)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.DEBUG = False
    from petcommunity.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    # Each server has its own event loop; a channels-redis layer binds to the first loop that receives
    # on it ("Two event loops are trying to receive() on one channel layer"), so every server gets a
    # fresh layer. The in-memory layer is rebuilt too, which also drops groups left by the last test.
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    server = AsgiServer()
    server.start()
    yield server
    server.stop()
    channel_layers.backends.clear()
    # Websocket consumers reach the database from asgiref's shared sync thread, which outlives the
    # server: close its connection too, or PostgreSQL refuses to drop the test database at the end.
    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
    db["CONN_MAX_AGE"] = max_age


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def nu_checker():
    """The Nu HTML checker as a local HTTP service, one per test process (a JVM start costs seconds)."""
    if not VNU.exists():
        pytest.fail(f"the Nu HTML checker is missing at {VNU}: run `make vnu` (npm vnu-jar)")
    port = _free_port()
    # C1-only JIT and the serial collector: a quicker start for a short-lived service.
    proc = subprocess.Popen(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m", "-Xmx384m",
                             "-cp", str(VNU), "nu.validator.servlet.Main", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/?out=json"
    deadline = time.monotonic() + 300  # a loaded CI machine can take a minute or more
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the Nu HTML checker did not start")
            time.sleep(0.3)
    _nu["url"] = url
    yield url
    proc.terminate()
    proc.wait(timeout=10)


_nu = {}
_documents = {}


def _keep_document(key):
    def keep(response):
        if response.request.resource_type == "document" and response.frame.parent_frame is None:
            _documents[key] = response
    return keep


def nu_errors(html: str) -> list[str]:
    """Errors (not warnings) the Nu checker finds in a document."""
    import json

    request = urllib.request.Request(_nu["url"], data=html.encode(), method="POST",  # noqa: S310 - loopback http
                                     headers={"Content-Type": "text/html; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        messages = json.load(response)["messages"]
    return [f"line {m.get('lastLine')}: {m['message']} [{m.get('extract', '').strip()[:80]}]"
            for m in messages if m["type"] in ("error", "non-document-error")]


def assert_valid_html(page):
    """The HTML the server sent for the page's current document has no Nu checker error."""
    response = _documents.get(id(page))
    if response is None or response.url != page.url or response.status >= 300:
        return
    if "text/html" not in (response.headers.get("content-type") or ""):
        return
    errors = nu_errors(response.text())
    assert errors == [], f"invalid HTML on {page.url}: {errors[:10]}"


@pytest.fixture(params=["desktop", "phone"])
def viewport(request):
    return request.param


@pytest.fixture
def new_page(browser, asgi_server, viewport, request, nu_checker):
    """Pages in fresh contexts at the journey's viewport; a screenshot of each is saved at the end."""
    contexts = []

    def make(user=None, *, javascript=True, **options):
        options.setdefault("locale", "en-GB")
        ctx = browser.new_context(viewport=PHONE if viewport == "phone" else DESKTOP, base_url=asgi_server.url,
                                  java_script_enabled=javascript, **options)
        if user is not None:
            ctx.add_cookies([_session_cookie(user, asgi_server.url)])
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        # Keep each page's last document response: check_page validates the HTML as the server sent it.
        page.on("response", _keep_document(id(page)))
        contexts.append((ctx, page))
        return page

    yield make
    from playwright.sync_api import Error as PlaywrightError

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, (ctx, page) in enumerate(contexts):
        try:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}.png"), full_page=True)
        except PlaywrightError as error:
            # The screenshot is a review artifact, not a check: Chromium sometimes refuses a full-page capture
            # under load ("Unable to capture screenshot"), and that must not turn a passed journey into an error.
            warnings.warn(f"no screenshot for {request.node.name}-{n}: {error.message.splitlines()[0]}",
                          stacklevel=1)
        finally:
            _documents.pop(id(page), None)
            ctx.close()


def _session_cookie(user, url):
    """Sign a member in without the login form (journeys that test the form use it)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


def assert_accessible(page):
    """axe-core on the current page: no violations of any impact, with WCAG 2.2's target size (24 px) on."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations'],"
                           " rules: {'target-size': {enabled: true}}})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert bad == [], f"accessibility violations on {page.url}: {bad}"


def assert_no_horizontal_scroll(page):
    # After a click the new document may still be loading its stylesheet: measure the finished page.
    page.wait_for_load_state("load")
    overflow = page.evaluate(
        "() => { const m = document.querySelector('main') || document.body;"
        " return [document.documentElement.scrollWidth - window.innerWidth, m.scrollWidth - m.clientWidth]; }"
    )
    if overflow[0] > 1 or overflow[1] > 1:
        wide = page.evaluate(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
            " window.innerWidth + 1).slice(-5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '"
            " + Math.round(e.getBoundingClientRect().right))"
        )
        raise AssertionError(f"horizontal scrolling on {page.url}: {overflow}; widest: {wide}")


def off_loop(fn, *args, **kwargs):
    """Run setup code that broadcasts (services queue websocket frames on commit) in a plain thread.

    Playwright's sync API keeps an asyncio loop on the test thread, and asgiref's async_to_sync refuses to
    run there, so a service called directly from the test would log "broadcast failed" and send nothing.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def make_manager(username="manager", **fields):
    """A community manager. Browser tests flush the database, so the migration's group may be gone."""
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username=username, is_staff=True, **fields)
    user.groups.add(Group.objects.get_or_create(name="Community managers")[0])
    return user


def wait_for_streams(page):
    """Live pages are ready once every websocket on them is open (app.js sets <html data-streams>)."""
    page.wait_for_function("document.documentElement.dataset.streams === 'open'")


def tab_to(page, locator, *, limit=80):
    """Press Tab until `locator` has the focus, as a keyboard user would; fails if it never does."""
    handle = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            return
    raise AssertionError(f"{locator} is not reachable with Tab within {limit} presses")


def open_menu(page):
    """On phones the main navigation sits behind the header's Menu button (a <details>); open it."""
    # Until the stylesheet has loaded, the wide-screen rules that hide the summary do not apply yet.
    page.wait_for_load_state("load")
    menu = page.locator("details.nav-menu")
    if menu.locator("> summary").is_visible() and menu.get_attribute("open") is None:
        menu.locator("> summary").click()


def open_composer(page, *, keyboard=False):
    """On phones the composer is collapsed behind "Write a post"; open it (by keyboard if asked)."""
    page.wait_for_load_state("load")  # as in open_menu: visibility is only known once the CSS applies
    toggle = page.locator("details.composer-toggle")
    summary = toggle.locator("> summary")
    if summary.is_visible() and toggle.get_attribute("open") is None:
        if keyboard:
            tab_to(page, summary)
            page.keyboard.press("Enter")
        else:
            summary.click()


_steps = {}


def _step_screenshot(page):
    """With BROWSER_STEPS=1, every checked page is also saved (for reviewing the interface by eye)."""
    if not os.environ.get("BROWSER_STEPS"):
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0].rsplit("::", 1)[-1]
    n = _steps[test] = _steps.get(test, 0) + 1
    where = re.sub(r"[^a-z0-9]+", "-", page.url.split("//", 1)[-1].split("/", 1)[-1].lower()).strip("-") or "home"
    folder = ARTIFACTS / "steps" / test
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{n:02d}-{where[:60]}.png"), full_page=True)


def assert_titled(page):
    """Every page names itself before the site: "Pods · PetCommunity", never a bare site name."""
    title = page.title()
    assert re.fullmatch(r"\S.* · PetCommunity", title) and not title.startswith("PetCommunity"), \
        f"page title {title!r} on {page.url}"


def check_page(page):
    assert_no_horizontal_scroll(page)
    assert_titled(page)
    assert_valid_html(page)
    assert_accessible(page)
    _step_screenshot(page)




def pytest_collection_modifyitems(items):
    # WhiteNoise serves static files through a synchronous iterator; under ASGI Django warns once per file.
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings(
                "ignore:StreamingHttpResponse must consume synchronous iterators"))
