"""The pool's lend-out check (petcommunity.dbpool) against a real PostgreSQL: no round trip for a quiet
idle connection, a dead one discarded, and a pool that lends a working connection after its backend
was killed."""

import os
import select
import time

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from petcommunity.dbpool import check_when_readable

pytestmark = pytest.mark.services


@pytest.fixture
def conninfo(services_required):
    return os.environ["DATABASE_URL"]


@pytest.fixture
def full_checks(monkeypatch):
    """Count the full checks (each an empty query to the server) that check_when_readable asks for."""
    calls = []
    original = ConnectionPool.check_connection

    def counting(conn):
        calls.append(conn)
        return original(conn)

    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(counting))
    return calls


def wait_readable(conn, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not select.select([conn.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server sent nothing"


def terminate(conninfo, pid):
    with psycopg.connect(conninfo, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True


def test_a_quiet_idle_connection_is_lent_without_a_round_trip(conninfo, full_checks):
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT 1").fetchone()
        check_when_readable(conn)
        check_when_readable(conn)
        assert full_checks == []
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_a_connection_whose_backend_was_terminated_fails_the_check(conninfo, full_checks):
    conn = psycopg.connect(conninfo, autocommit=True)
    terminate(conninfo, conn.info.backend_pid)
    wait_readable(conn)
    with pytest.raises(psycopg.OperationalError):
        check_when_readable(conn)
    assert full_checks == [conn]
    conn.close()


def test_a_closed_connection_fails_the_check(conninfo, full_checks):
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        check_when_readable(conn)
    assert full_checks == [conn]


def test_a_live_connection_with_something_to_read_passes_the_full_check(conninfo, full_checks):
    with psycopg.connect(conninfo, autocommit=True) as conn, psycopg.connect(conninfo, autocommit=True) as other:
        conn.execute("LISTEN dbpool_test")
        other.execute("NOTIFY dbpool_test, 'hello'")
        wait_readable(conn)
        check_when_readable(conn)
        assert full_checks == [conn]
        assert conn.execute("SELECT 3").fetchone() == (3,)


def test_the_pool_lends_a_working_connection_after_its_backend_was_killed(conninfo, full_checks):
    with ConnectionPool(conninfo, min_size=1, max_size=1, check=check_when_readable,
                        kwargs={"autocommit": True}) as pool:
        with pool.connection() as conn:
            first, first_pid = conn, conn.info.backend_pid
        assert full_checks == []
        terminate(conninfo, first_pid)
        wait_readable(first)  # the FATAL notice has arrived, as it has long before a restart ends
        with pool.connection() as conn:
            assert conn.execute("SELECT 4").fetchone() == (4,)
            assert conn.info.backend_pid != first_pid
        assert len(full_checks) == 1
