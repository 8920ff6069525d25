"""A process's own copy of a few small, hot cache keys, kept exact by Redis (server-assisted client-side
caching), so that reading them costs no round trip.

Every shared or kept page reads its places' versions on each load to know its entry is current: on an
anonymous hit that read was the only round trip left, about half the cost of the hit in-process. Redis's
client tracking in broadcasting mode (`CLIENT TRACKING ON BCAST PREFIX …`, Redis 6 and later) pushes the
name of every key under the given prefixes that any client changes, that expires or that is evicted, on
one connection this process keeps open for it. Every read drains those pushes first (a non-blocking poll
of that socket), dropping the named keys, and serves what is left from the copy; the rest is read from the
cache in one `get_many`, as before. A thread also applies pushes as they arrive (`_follow`). Redis tracks
key names across all its databases, so a write to the same name in another database drops ours too: a
read more, never a stale one.

Why this keeps "a write is on the next load": Redis queues the push to every tracking connection while it
executes the write, and sends it in the same pass of its event loop as the writer's reply (just after it,
as Redis 7 orders its pending writes). A load that starts after the writer's response has left its process
and come back as a request polls a socket the push was sent to microseconds before, unless Redis was
descheduled between those two sends; a caller that must read after its own write on another connection
with no such window (a test counting the reads of a cold page) calls `sync()`. A value read concurrently
with a write is not kept when a push for its key was drained while it was being read (`_changed`), so a
value read before a write is never kept after it.

What bounds a failure: the copy is dropped whenever the tracking connection errs or is closed (a Redis
restart, a flush: a push naming no key), and the process then reads the cache itself until it connects
again, `RETRY_SECONDS` later. A connection that stops delivering without closing (a network partition)
is bounded by `HOLD_SECONDS`: no value is served from the copy longer than that after it was read.
A server that refuses tracking (before Redis 6, or CLIENT denied by an ACL) turns the copy off for the
life of the process, and every read goes to the cache as without it.
Values are shared between the process's threads: callers must not change what they get.
"""

import contextlib
import logging
import os
import select
import threading
import time
from collections import OrderedDict

import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

HOLD_SECONDS = 10.0
RETRY_SECONDS = 5.0
FOLLOW_SECONDS = 1.0  # how often the following thread checks that its connection is still the one in use


class KeyMirror:
    """`get_many(keys)` as the cache answers it, with keys under `prefixes` served from this process's copy
    while Redis has not said they changed. Without a Redis cache (local memory in tests and development)
    every read goes to the cache."""

    def __init__(self, prefixes: list[str], *, alias: str = "default", size: int = 4096):
        self.prefixes, self.alias, self.size = tuple(prefixes), alias, size
        self._values: OrderedDict[str, tuple] = OrderedDict()  # key -> (value, read at)
        self._lock = threading.Lock()
        self._conn = None
        self._pid = None
        self._made: dict[str, str] = {}  # the prefixes as Redis names them -> as callers do
        self._down_until = 0.0
        self._seq = 0  # pushes drained so far
        self._changed: dict[str, int] = {}  # key -> the push (seq) that last named it, since `_floor`
        self._floor = 0

    # The tracking connection ---------------------------------------------------------------------------

    def _connect(self) -> bool:
        """A live tracking connection for this process (a forked worker makes its own)."""
        if self._pid != os.getpid():
            self._conn, self._pid = None, os.getpid()
            self._drop_all()
        if self._conn is not None:
            return True
        cache = caches[self.alias]
        if time.monotonic() < self._down_until or not isinstance(cache, RedisCache):
            return False
        client = None
        try:
            # The server Django writes to (the first of LOCATION, as it parsed it): every write is seen there.
            client = redis.Redis.from_url(cache._servers[0], protocol=3, single_connection_client=True,
                                          socket_timeout=1, socket_connect_timeout=1)
            self._made = {cache.make_and_validate_key(p): p for p in self.prefixes}
            args = [part for made in self._made for part in ("PREFIX", made)]
            client.execute_command("CLIENT", "TRACKING", "ON", "BCAST", *args)
            client.connection._parser.set_invalidation_push_handler(self._pushed)
        except (redis.RedisError, OSError) as exc:
            if client is not None:
                with contextlib.suppress(redis.RedisError, OSError):
                    client.close()
            if isinstance(exc, redis.ResponseError):
                # The server refused: older than Redis 6, or CLIENT denied by its ACL. Asking again every
                # RETRY_SECONDS would only repeat the refusal, so this process reads the cache itself.
                logger.warning("key mirror off for this process: the cache's Redis cannot track keys (%s)", exc)
                self._down_until = float("inf")
            else:
                self._down(f"cannot track keys: {exc}")
            return False
        self._conn = client
        threading.Thread(target=self._follow, args=(client,), name="key-mirror", daemon=True).start()
        return True

    def _follow(self, client) -> None:
        """Apply pushes as they arrive, so that Redis never queues them for a process that reads nothing for
        a while (a worker between jobs would otherwise make its output buffer grow with every write). Reads
        still drain first: a push may have arrived since this thread last woke."""
        sock = client.connection._sock  # redis-py exposes no public handle to wait on
        while True:
            try:
                readable, _, _ = select.select([sock], [], [], FOLLOW_SECONDS)
            except (OSError, ValueError):  # closed under us: `_down` replaced the connection
                return
            with self._lock:
                if self._conn is not client:
                    return
                if readable:
                    self._drain()

    def _down(self, why: str) -> None:
        logger.warning("key mirror off for %ss: %s", RETRY_SECONDS, why)
        self._drop_all()
        if self._conn is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self._conn.close()
        self._conn, self._down_until = None, time.monotonic() + RETRY_SECONDS

    def _drop_all(self) -> None:
        self._values.clear()
        self._changed.clear()
        self._seq += 1
        self._floor = self._seq

    def _pushed(self, message) -> None:
        """Redis's invalidation push: the keys that changed, or None for all of them (a flush)."""
        names = message[1]
        if names is None:
            self._drop_all()
            return
        for name in names:
            key = self._unmade(name.decode() if isinstance(name, bytes) else name)
            self._seq += 1
            self._values.pop(key, None)
            self._changed[key] = self._seq
        if len(self._changed) > 4 * self.size:  # a bound on memory: older reads are then treated as changed
            self._changed.clear()
            self._floor = self._seq

    def _unmade(self, name: str) -> str:
        for made, prefix in self._made.items():
            if name.startswith(made):
                return prefix + name[len(made):]
        return name

    def _drain(self) -> bool:
        """Apply every push already received; False when the connection is gone (the copy is dropped)."""
        connection = self._conn.connection
        try:
            while connection.can_read(timeout=0):
                # The rest of a message that has begun to arrive is waited for (the socket's timeout): a
                # read given up halfway would lose its place in the stream.
                connection.read_response(push_request=True)
        except (redis.RedisError, OSError) as exc:
            self._down(f"tracking connection lost: {exc}")
            return False
        return True

    def sync(self) -> None:
        """Apply every push Redis queued before this call: one round trip on the tracking connection, whose
        reply Redis sends after every push it queued for it earlier. Nothing to do while the copy is off."""
        with self._lock:
            if self._conn is None or self._pid != os.getpid():
                return
            try:
                self._conn.ping()  # redis-py applies the pushes it reads before the reply (`_pushed`)
            except (redis.RedisError, OSError) as exc:
                self._down(f"tracking connection lost: {exc}")

    # Reads ----------------------------------------------------------------------------------------------

    def get_many(self, keys: list[str]) -> dict:
        tracked = [k for k in keys if k.startswith(self.prefixes)]
        found: dict = {}
        with self._lock:
            live = bool(tracked) and self._connect() and self._drain()
            started = self._seq
            if live:
                cutoff = time.monotonic() - HOLD_SECONDS
                for key in tracked:
                    held = self._values.get(key)
                    if held is not None and held[1] > cutoff:
                        found[key] = held[0]
                        self._values.move_to_end(key)
        missing = [k for k in keys if k not in found]
        if missing:
            read = caches[self.alias].get_many(missing)
            found |= read
            if live:
                self._keep([k for k in missing if k in read and k.startswith(self.prefixes)], read, started)
        return found

    def _keep(self, keys: list[str], read: dict, started: int) -> None:
        now = time.monotonic()
        with self._lock:
            if self._conn is None or started < self._floor:
                return
            for key in keys:
                if self._changed.get(key, 0) > started:
                    continue  # a push named it while it was read: what was read may be the older value
                self._values[key] = (read[key], now)
                self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
