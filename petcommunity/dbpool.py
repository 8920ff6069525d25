"""The database pool's check on a connection it lends out: a round trip only when the socket says so.

Django's pool (CONN_HEALTH_CHECKS) sends an empty query on every checkout, one extra round trip per
request: about a tenth of a cached signed-in page. A connection killed by the server (a restart, a
terminated backend, a crash) is not silent: PostgreSQL sends its FATAL notice or the kernel its FIN,
so the idle socket turns readable. An idle connection with nothing to read is lent as is; one with
anything waiting gets the full check, which raises for a dead connection so the pool discards it
and lends another (tests/faults restarts PostgreSQL under a pooled server).

What this does not see is a peer that vanished without a word (a dropped route, a middlebox timing
the connection out): the request that meets it fails once and its connection is discarded. The
pool's max_idle and max_lifetime bound how long such a connection can wait to be met.
"""

import select

from psycopg import Connection, OperationalError


def check_when_readable(conn: Connection) -> None:
    """Raise if the connection is dead; a round trip only when the server has sent something."""
    from psycopg_pool import ConnectionPool  # imported only where a pool is configured

    try:
        readable = bool(select.select([conn.fileno()], [], [], 0)[0])
    except (OSError, ValueError, OperationalError):  # closed: no socket left to ask
        readable = True
    if readable:
        ConnectionPool.check_connection(conn)
