"""Redis stopped, PostgreSQL restarted, under a real web server (uvicorn, DEBUG off) and Celery worker.

Redis down: pages still render (the cache degrades to misses, broadcasts are dropped), writes commit,
tasks queued after commit are parked in the database and queued once Redis is back; afterwards the
websocket reconnects and the catch-up endpoint returns the post written during the outage.
PostgreSQL down: every request gets the clean 503 page (also when the failure happens while loading
the session, before any view), the first request after the restart succeeds, and a task that ran
during the outage retries and completes.
"""

import asyncio
import json
from datetime import date

import httpx
import pytest
import websockets

from .stack import wait_for

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("faults")]

CLEAN_503 = "We'll be right back"


class Member:
    """A signed-in browser: session cookie, CSRF token from a page, and form posts."""

    def __init__(self, url: str, cookie: str):
        self.url, self.cookie = url, cookie
        self.http = httpx.Client(base_url=url, cookies={"sessionid": cookie}, timeout=30, follow_redirects=False)

    def get(self, path: str, **headers) -> httpx.Response:
        return self.http.get(path, headers=headers)

    def post(self, path: str, data: dict) -> httpx.Response:
        token = self.http.cookies.get("csrftoken")
        if token is None:
            self.get("/")
            token = self.http.cookies.get("csrftoken")
        return self.http.post(path, data={**data, "csrfmiddlewaretoken": token},
                              headers={"Referer": self.url + "/"})


def newest_post_id(stack) -> int:
    with stack.pg.connect(stack.dbname) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM communities_post").fetchone()[0]


def post_bodies(stack) -> list[str]:
    with stack.pg.connect(stack.dbname) as conn:
        return [r[0] for r in conn.execute("SELECT body FROM communities_post ORDER BY id")]


async def first_post_frame(url: str, cookie: str, then_post) -> dict:
    """Open the Commons stream (as the browser reconnects), make a post, return the frame that arrives."""
    ws_url = url.replace("http://", "ws://") + "/ws/feed/commons/"
    headers = {"Cookie": f"sessionid={cookie}", "Origin": url}
    async with websockets.connect(ws_url, additional_headers=headers, open_timeout=10) as ws:
        await asyncio.to_thread(then_post)
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 15))
            if frame.get("type") == "post.new":
                return frame


def test_redis_outage_pages_render_writes_commit_and_nothing_is_missed_after(services_required, stack):
    seeded = stack.driver("seed", members=6, days=1, prefix="redisout")
    author, listener = seeded["members"][3], seeded["members"][4]
    stack.driver("wants_emails", user_id=listener, kinds=["mention"])
    web, url = stack.web()
    worker = stack.worker()
    member = Member(url, stack.driver("session", user_id=author)["cookie"])
    post_id = seeded["posts"][0][0]
    pages = ["/", f"/posts/{post_id}/", "/pods/", "/members/", "/members/redisout3/", "/notifications/", "/following/"]
    assert [member.get(p).status_code for p in pages] == [200] * len(pages)
    before_outage = newest_post_id(stack)

    stack.redis.stop()
    try:
        during = [member.get(p) for p in pages]
        assert [r.status_code for r in during] == [200] * len(pages), [r.text[:300] for r in during]
        assert httpx.get(url + "/", timeout=30).status_code == 200  # anonymous visitors too
        written = member.post("/posts/new/", {"body": "Written while Redis was down, hi @redisout4"})
        assert written.status_code == 302, web.tail(60)
        assert member.post(f"/posts/{post_id}/react/", {"kind": "paw"}).status_code == 302
        assert member.post(f"/posts/{post_id}/comments/", {"body": "A comment in the outage"}).status_code == 302
        assert httpx.get(url + "/readyz", timeout=30).json()["checks"]["redis"] is False
    finally:
        stack.redis.start()
    assert "Written while Redis was down, hi @redisout4" in post_bodies(stack)

    # The browser reconnects its socket and asks what it missed: the outage post is there.
    catchup = member.get(f"/catchup/commons/?after={before_outage}", **{"HX-Request": "true"})
    assert catchup.status_code == 200 and "Written while Redis was down" in catchup.text
    frame = asyncio.run(first_post_frame(url, member.cookie,
                                         lambda: member.post("/posts/new/", {"body": "Back to normal"})))
    assert "Back to normal" in frame["html"]

    # The mention email queued after the outage write was parked, then sent once Redis was back.
    stack.manage("outbox_flush")
    mails = wait_for(lambda: list((stack.base / "mail").glob("*.log")), 30, "the parked mention email")
    assert sum("mentioned you" in m.read_text() for m in mails) == 1
    worker.stop()
    web.stop()


def test_postgres_restart_answers_a_clean_503_and_the_first_request_after_succeeds(services_required, stack):
    seeded = stack.driver("seed", members=4, days=1, prefix="pgout")
    web, url = stack.web()
    worker = stack.worker()
    member = Member(url, stack.driver("session", user_id=seeded["members"][2])["cookie"])
    post_id = seeded["posts"][0][0]
    assert member.get("/").status_code == 200  # the server holds a persistent connection now
    token = member.http.cookies.get("csrftoken")
    today = seeded["today"]

    stack.pg.stop("fast")
    try:
        during = [member.get("/"), member.get(f"/posts/{post_id}/"), httpx.get(url + "/", timeout=30),
                  member.post("/posts/new/", {"body": "Lost in the outage?"})]
        for response in during:
            assert response.status_code == 503, response.text[:500]
            assert CLEAN_503 in response.text and "Traceback" not in response.text
            assert response.headers["Retry-After"] == "10"
        assert httpx.get(url + "/healthz", timeout=30).status_code == 200  # alive, just not ready
        assert httpx.get(url + "/readyz", timeout=30).status_code == 503
        _broker(stack).send_task("metrics.tasks.rollup_period", args=["day", today])
        wait_for(lambda: "Retry in" in worker.tail(400), 30, "the task to fail and schedule a retry")
    finally:
        stack.pg.start()
    assert token
    assert member.get("/").status_code == 200  # the very first request after the restart
    assert "Lost in the outage?" not in post_bodies(stack)  # a 503 write committed nothing
    with stack.pg.connect(stack.dbname) as conn:
        wait_for(lambda: conn.execute("SELECT count(*) FROM metrics_metricrollup WHERE period = 'day' "
                                      "AND start = %s", (date.fromisoformat(today),)).fetchone()[0] > 0,
                 60, "the retried rollup to complete")
    worker.stop()
    web.stop()


def test_a_restart_between_requests_costs_no_request(services_required, stack):
    """Nobody asked during the restart, so the pool still holds the dead connections: the pool's check
    must find them (their sockets turned readable when the server went) and lend fresh ones."""
    seeded = stack.driver("seed", members=4, days=1, prefix="pgquiet")
    web, url = stack.web()
    member = Member(url, stack.driver("session", user_id=seeded["members"][1])["cookie"])
    assert member.get("/").status_code == 200  # the pool holds a connection now
    stack.pg.stop("fast")
    stack.pg.start()
    responses = [member.get("/"), member.get(f"/posts/{seeded['posts'][0][0]}/"), httpx.get(url + "/", timeout=30)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    web.stop()


def _broker(stack):
    from celery import Celery

    app = Celery("faults-client", broker=stack.redis.url(0))
    app.conf.update(task_serializer="json")
    return app
