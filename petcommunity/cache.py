"""The Redis cache, degrading to misses while Redis is unreachable.

Everything the app caches can be recomputed (fragments, vocabularies, roles, "seen today" markers,
rate-limit counters), so a Redis outage must cost speed, never pages: reads answer "not cached",
writes are dropped, and after a failure the cache is not tried again for RETRY_SECONDS, so a page does
not wait on a dead server once per lookup. `add` answers True ("stored"), the answer that lets callers
proceed (a first-today marker writes its row; allauth's limiter lock goes ahead): nothing may use the
cache as a mutex for correctness; the database does that. `incr` raises ValueError, as for a missing
key, which every caller already handles.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
OUTAGE_ERRORS = (RedisError, OSError)


def _degrading(miss):
    """Wrap a cache method: on an outage (or while the breaker is open) answer `miss(*args)`."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return miss(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except OUTAGE_ERRORS as exc:
                type(self)._down_until = time.monotonic() + RETRY_SECONDS  # shared by every thread's instance
                logger.warning("cache unavailable for %ss (%s): serving without it", RETRY_SECONDS, exc)
                return miss(*args, **kwargs)
        return wrapper
    return decorator


def _raise_missing(*args, **kwargs):
    raise ValueError("cache unavailable: treated as a missing key")


def _default(key, default=None, *args, **kwargs):
    return default


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every cache call (~0.1 ms of Python each: a feed page
    with 20 cached post cards paid that 20 times). A client over a pool is thread-safe: keep one per pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class DegradingRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient  # RedisCache.__init__ sets its own client class

    get = _degrading(_default)(RedisCache.get)
    get_many = _degrading(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _degrading(lambda *a, **k: False)(RedisCache.has_key)
    add = _degrading(lambda *a, **k: True)(RedisCache.add)
    set = _degrading(lambda *a, **k: None)(RedisCache.set)
    set_many = _degrading(lambda data, *a, **k: list(data))(RedisCache.set_many)
    touch = _degrading(lambda *a, **k: False)(RedisCache.touch)
    delete = _degrading(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _degrading(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _degrading(_raise_missing)(RedisCache.incr)
    clear = _degrading(lambda *a, **k: False)(RedisCache.clear)
