"""SIGKILL a Celery worker in the middle of metrics work, many times: nothing lost, nothing counted twice.

Each round adds raw events, queues the task, waits until the task is provably mid-way (its database
session waits on a lock another session holds), kills the worker with SIGKILL, lets go of the lock and
waits for the redelivered task to finish. Most rounds kill the pool process running the task (the main
process rejects the message back onto the queue: `task_reject_on_worker_lost`); some kill the whole
worker, so the broker redelivers the unacknowledged message to a fresh worker after the visibility
timeout (`task_acks_late`). At the end every rollup must equal a recomputation from the raw events.
"""

import os
import signal
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery import Celery

from metrics.models import PeriodKind
from metrics.periods import period_start

from .stack import wait_for

pytestmark = [pytest.mark.services, pytest.mark.xdist_group("faults")]

ROLLUP_KILLS = 20
WHOLE_WORKER_ROUNDS = {6, 13}  # the other rounds kill the pool process running the task
FLUSH_KILLS = 4


class Rounds:
    """The worker under test, a client for its broker, and a session that holds locks."""

    def __init__(self, stack):
        self.stack = stack
        self.broker = Celery("faults-client", broker=stack.redis.url(0))
        self.broker.conf.update(broker_transport_options={"visibility_timeout": 3}, task_serializer="json")
        self.redis = stack.redis.client()
        self.blocker = stack.pg.connect(stack.dbname, autocommit=False)
        self.watcher = stack.pg.connect(stack.dbname)
        self.worker = stack.worker()
        self.kills = 0

    def send(self, name: str, *args) -> None:
        self.broker.send_task(name, args=list(args), queue="celery")

    def stuck_backend(self) -> int | None:
        row = self.watcher.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> %s", (self.blocker.info.backend_pid,)).fetchone()
        return row[0] if row else None

    def kill_mid_task(self, whole_worker: bool) -> None:
        """The task is waiting on our lock: SIGKILL, then release the lock once its session is gone."""
        stuck = wait_for(self.stuck_backend, 30, "the task to block mid-way")
        if whole_worker:
            self.worker.kill_group()
        else:
            pid = self.worker.proc.pid
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            assert len(children) == 1, f"expected one pool process, found {children}"
            os.kill(int(children[0]), signal.SIGKILL)
        self.kills += 1
        # PostgreSQL notices the dead client (client_connection_check_interval) and rolls back its work.
        wait_for(lambda: not self.watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                                  (stuck,)).fetchone(), 20, "the killed task's session to end")
        self.blocker.rollback()
        if whole_worker:
            self.worker = self.stack.worker()

    def settled(self) -> bool:
        """Nothing queued and nothing delivered-but-unacknowledged."""
        return self.redis.llen("celery") == 0 and self.redis.hlen("unacked") == 0

    def wait_done(self, evidence, what: str) -> None:
        try:
            wait_for(lambda: self.settled() and evidence(), 60, what, interval=0.2)
        except AssertionError as exc:
            state = (f"queued={self.redis.llen('celery')} unacked={self.redis.hlen('unacked')} "
                     f"evidence={evidence()}\nworker log:\n{self.worker.tail()}")
            raise AssertionError(f"{exc}\n{state}") from None

    def close(self) -> None:
        self.blocker.close()
        self.watcher.close()
        self.worker.stop()


def recent_periods(today: date) -> list[tuple[str, str]]:
    days = [today - timedelta(days=2), today - timedelta(days=1), today]
    periods = [(PeriodKind.DAY.value, d.isoformat()) for d in days]
    periods += [(kind.value, period_start(kind, today).isoformat()) for kind in (PeriodKind.WEEK, PeriodKind.D28)]
    return periods


def computed_since(rounds: Rounds, period: str, start: str, since: float):
    row = rounds.watcher.execute(
        "SELECT min(extract(epoch FROM computed_at)) FROM metrics_metricrollup WHERE period = %s AND start = %s",
        (period, start)).fetchone()
    return row[0] is not None and float(row[0]) > since


def add_activity(rounds: Rounds, members: list[int], day: str, n: int) -> None:
    """New raw events in the period, so a rollup that kept its old rows would be caught."""
    with rounds.stack.pg.connect(rounds.stack.dbname) as conn:
        for member in members[n % 5::5][:3]:
            conn.execute("INSERT INTO metrics_activityday (member_id, pod_id, day) VALUES (%s, NULL, %s) "
                         "ON CONFLICT DO NOTHING", (member, day))


def test_sigkilled_rollups_are_redone_and_equal_a_recomputation_from_raw_events(services_required, stack):
    seeded = stack.driver("seed")
    periods = recent_periods(date.fromisoformat(seeded["today"]))
    stack.driver("rollup_all", periods=periods)  # yesterday's numbers, about to go stale
    rounds = Rounds(stack)
    try:
        for n in range(ROLLUP_KILLS):
            period, start = periods[n % len(periods)]
            add_activity(rounds, seeded["members"], start, n)
            began = time.time()
            if n % 2:  # mid-write: rollup rows replaced but uncommitted, blocked on the benchmark row
                rounds.blocker.execute("SELECT 1 FROM metrics_podbenchmark WHERE period = %s AND start = %s "
                                       "FOR UPDATE", (period, start))
            else:  # mid-read: computing, blocked on the raw events
                rounds.blocker.execute("LOCK TABLE metrics_activityday IN ACCESS EXCLUSIVE MODE")
            rounds.send("metrics.tasks.rollup_period", period, start)
            rounds.kill_mid_task(whole_worker=n in WHOLE_WORKER_ROUNDS)
            rounds.wait_done(lambda p=period, s=start, t=began: computed_since(rounds, p, s, t),
                             f"round {n}: the redelivered rollup of {period} {start}")
    finally:
        rounds.close()
    assert rounds.kills == ROLLUP_KILLS
    report = stack.driver("verify_rollups", periods=periods)
    assert report["problems"] == []
    assert report["checked"] >= len(periods) * 4  # Commons, all pods, each of 3 pods… per period


def test_sigkilled_impression_flushes_lose_no_impression_and_count_none_twice(services_required, stack):
    seeded = stack.driver("seed", members=8, days=1, prefix="flush")
    today = seeded["today"]
    rounds = Rounds(stack)
    expected = set(stack.driver("impressions")["rows"])
    for raw_day in rounds.redis.smembers("metrics:imp:days"):  # pages viewed by earlier tests, still buffered
        day = raw_day.decode()
        expected |= {f"{m}:{p}:{day}" for m, p, _ in
                     (item.decode().split(":") for item in rounds.redis.smembers(f"metrics:imp:{day}"))}
    try:
        for n in range(FLUSH_KILLS):
            batch = [(m, p, pod) for i, m in enumerate(seeded["members"])
                     for j, (p, pod) in enumerate(seeded["posts"]) if (i + j) % FLUSH_KILLS == n][:300]
            rounds.redis.sadd(f"metrics:imp:{today}", *(f"{m}:{p}:{pod}" for m, p, pod in batch))
            rounds.redis.sadd("metrics:imp:days", today)
            expected |= {f"{m}:{p}:{today}" for m, p, _ in batch}
            m, p, pod = batch[0]
            # The same impression, uncommitted elsewhere: the flush's insert waits to see if it commits.
            rounds.blocker.execute("INSERT INTO metrics_impression (member_id, post_id, pod_id, day) "
                                   "VALUES (%s, %s, %s, %s)", (m, p, pod or None, today))
            rounds.send("metrics.tasks.impressions_flush")
            rounds.kill_mid_task(whole_worker=n == FLUSH_KILLS - 1)
            rounds.wait_done(lambda: rounds.redis.scard(f"metrics:imp:{today}") == 0,
                             f"flush round {n}: the buffer to drain")
    finally:
        rounds.close()
    assert rounds.kills == FLUSH_KILLS
    stored = stack.driver("impressions")["rows"]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected
