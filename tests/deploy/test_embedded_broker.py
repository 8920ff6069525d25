"""make run's broker: a SQLite file (kombu's SQLAlchemy transport). A task queued while no worker runs is
still there after the sending process exits, and a worker started later runs it."""

import sqlite3
import subprocess
import sys
import time

from django.conf import settings

SEND = "from petcommunity.celery import app; app.send_task('outbox.tasks.outbox_flush')"


def dev_env(tmp_path) -> dict:
    return {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_SETTINGS_MODULE": "petcommunity.settings.dev",
            "VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}


def waiting(broker) -> int:
    with sqlite3.connect(broker) as conn:
        return conn.execute("SELECT count(*) FROM kombu_message WHERE visible = 1").fetchone()[0]


def test_a_task_queued_without_a_worker_survives_and_runs_when_a_worker_starts(tmp_path):
    env = dev_env(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True,
                   cwd=settings.BASE_DIR, timeout=300)
    subprocess.run([sys.executable, "-c", f"import django; django.setup(); {SEND}"], env=env, check=True,
                   cwd=settings.BASE_DIR, timeout=120)
    broker = tmp_path / "var" / "celery-broker.sqlite3"
    assert waiting(broker) == 1  # the sender has exited; the task is on disk

    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "petcommunity", "worker", "--pool", "solo",
                               "-l", "info", "--without-gossip", "--without-mingle"], env=env, cwd=settings.BASE_DIR,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while waiting(broker) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert waiting(broker) == 0
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "Task outbox.tasks.outbox_flush" in output and "succeeded" in output, output[-2000:]
