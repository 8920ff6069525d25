"""Against real PostgreSQL and Redis (make test-services): a Celery worker killed mid-task, and the
channels-redis layer shared by separate web processes."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection

from communities.models import DigestSent
from tests.factories import PostFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3  # seconds before the broker hands an unacknowledged task to another worker


def database_url() -> str:
    """The test database pytest-django created (test_<name>), for the worker subprocess."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def raw_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                           host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)


class Worker:
    """`celery -A petcommunity worker --pool=prefork -c 1` in its own process group."""

    def __init__(self, mail_dir: Path, queue: str):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev", "DATABASE_URL": database_url(),
               "REDIS_URL": settings.REDIS_URL, "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
               "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
               "EMAIL_FILE_PATH": str(mail_dir), "LOG_LEVEL": "WARNING"}
        celery = str(Path(sys.executable).with_name("celery"))
        self.proc = subprocess.Popen(
            [celery, "-A", "petcommunity", "worker", "--pool=prefork", "-c", "1", "-Q", queue, "-l", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{queue}@%h"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )
        self.log: list[str] = []
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.ready.wait(60), "worker did not start:\n" + "".join(self.log[-30:])

    def _read(self):
        for line in self.proc.stdout:
            self.log.append(line)
            if " ready." in line:
                self.ready.set()

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)  # the main process and its pool child, no goodbye
        self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def blocked_backend_pid(conn: psycopg.Connection):
    row = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        " AND query ILIKE '%%communities_digestsent%%'"
    ).fetchone()
    return row[0] if row else None


def test_a_worker_killed_mid_digest_is_replaced_and_the_digest_goes_out_exactly_once(services_required, tmp_path,
                                                                                     eager_celery):
    from communities.tasks import digests_send_chunk

    eager_celery.conf.update(task_always_eager=False)  # through the real broker
    queue = f"killtest-{uuid.uuid4().hex[:8]}"
    member = UserFactory(digest_frequency="daily")
    PostFactory(body="Something worth a digest")
    period = f"daily:kill-{uuid.uuid4().hex[:8]}"

    # Another session holds the (member, period) claim uncommitted, so the task blocks mid-way on its
    # own claim: a slow task we can kill at a known point.
    blocker, watcher = raw_connection(), raw_connection()
    watcher.autocommit = True
    blocker.execute("INSERT INTO communities_digestsent (member_id, period, sent_at) VALUES (%s, %s, now())",
                    (member.pk, period))
    first = Worker(tmp_path, queue)
    try:
        digests_send_chunk.apply_async(([member.pk], "daily", period), queue=queue)
        stuck_pid = wait_for(lambda: blocked_backend_pid(watcher), 30, "the task to block on its claim")
        first.kill()
        watcher.execute("SELECT pg_terminate_backend(%s)", (stuck_pid,))  # the dead worker's session
        blocker.rollback()
        blocker.close()
        assert DigestSent.objects.filter(member=member, period=period).count() == 0
        assert list(tmp_path.iterdir()) == []
        time.sleep(VISIBILITY_TIMEOUT + 1)
        second = Worker(tmp_path, queue)
        try:
            wait_for(lambda: DigestSent.objects.filter(member=member, period=period).exists(), 60,
                     "the redelivered task to finish")
            time.sleep(VISIBILITY_TIMEOUT + 2)  # room for a wrongful second delivery to show up
        finally:
            second.stop()
    finally:
        first.stop()
        watcher.close()
    assert DigestSent.objects.filter(member=member, period=period).count() == 1
    messages = [p.read_text() for p in tmp_path.iterdir()]
    assert len(messages) == 1
    assert messages[0].count(f"To: {member.email}") == 1
    assert "Something worth a digest" in messages[0]


def test_two_channel_layer_instances_share_groups_through_redis(services_required):
    """Two web processes = two layer instances: a frame sent by one reaches a socket held by the other,
    and no longer once that socket left the group."""
    import asyncio

    from django.utils.module_loading import import_string

    layer_class = import_string(settings.CHANNEL_LAYERS["default"]["BACKEND"])
    config = {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "prefix": f"test-share-{uuid.uuid4().hex[:6]}"}
    web1, web2 = layer_class(**config), layer_class(**config)

    async def scenario():
        channel = await web2.new_channel()
        await web2.group_add("feed.commons", channel)
        await web1.group_send("feed.commons", {"type": "stream.frame", "frame": {"type": "post.new", "id": 1}})
        message = await web2.receive(channel)
        await web2.group_discard("feed.commons", channel)
        await web1.group_send("feed.commons", {"type": "stream.frame", "frame": {"type": "post.new", "id": 2}})
        try:
            after = await asyncio.wait_for(web2.receive(channel), timeout=0.5)
        except TimeoutError:
            after = None
        await web1.flush()
        await web2.flush()
        return message, after

    message, after = async_to_sync(scenario)()
    assert message["frame"] == {"type": "post.new", "id": 1}
    assert after is None
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
