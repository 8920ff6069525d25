import os

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

# CI must be reproducible: the same generated inputs on every run (and no example database replaying
# one machine's past failures). Explore further locally with HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True, scope="session")
def _a_clear_reaches_the_mirrors():
    """Redis sends a flush's push to the tracking connections just after its reply to the flush
    (petcommunity.mirror), so a test that clears the cache and at once counts the reads of a cold page could
    still be served the session or the navigation from this process's mirrors. Each clear waits for them."""
    from django.core.cache.backends.redis import RedisCache

    from communities import hotkeys
    from petcommunity import sessions

    real = RedisCache.clear

    def clear(self):
        real(self)
        for mirror in (hotkeys.mirror, sessions._mirror):  # read at each call: tests replace them
            mirror.sync()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RedisCache, "clear", clear)
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits and cached fragments must not leak between tests, nor the "seen today" marks and member
    rows this process remembers (a rolled-back member's id is used again on SQLite)."""
    from communities.auth_backend import rows
    from metrics.services.events import seen_here

    cache.clear()
    seen_here.clear()
    rows.clear()
    yield


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in tests, also under `make test-services` (REDIS_URL set). Tests that exercise a
    real broker and worker turn this off explicitly (`app.conf.task_always_eager = False`)."""
    from petcommunity.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield app
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


@pytest.fixture
def services_required():
    """In `make test-services` a missing service is a failure, never a silent skip."""
    from django.conf import settings

    assert settings.REDIS_URL, "REDIS_URL must be set for this test"
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "DATABASE_URL must name PostgreSQL"


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ is a browser journey (run in its own process by `make test`)."""
    for item in items:
        if "/tests/browser/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)



@pytest.fixture
def private_redis_cache(settings, tmp_path, monkeypatch, services_required):
    """The cache on a redis-server of this test's own, and fresh mirrors of it (petcommunity.mirror): Redis
    tells every tracking client of any write or flush on the server, so another test worker on the shared
    server would drop what a mirror holds at any moment, and "read nothing" could not be asserted."""
    from communities import hotkeys
    from petcommunity import sessions
    from petcommunity.mirror import KeyMirror
    from tests.faults.stack import PrivateRedis

    server = PrivateRedis(tmp_path)
    server.start()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url(0)}}
    monkeypatch.setattr(hotkeys, "mirror", KeyMirror(list(hotkeys.mirror.prefixes)))
    monkeypatch.setattr(sessions, "_mirror", KeyMirror(list(sessions._mirror.prefixes)))
    yield server
    server.stop()


@pytest.fixture
def cache_reads(monkeypatch, private_redis_cache):
    """The keys each read of the cache asked for, a list per `get_many` or `get` (the real call still runs)."""
    from django.core.cache import caches

    asked: list[list[str]] = []
    cache = caches["default"]
    real_many, real_one = cache.get_many, cache.get

    def get_many(keys, *args, **kwargs):
        asked.append(list(keys))
        return real_many(keys, *args, **kwargs)

    def get(key, *args, **kwargs):
        asked.append([key])
        return real_one(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    monkeypatch.setattr(cache, "get", get)
    return asked


@pytest.fixture
def redis_writer(private_redis_cache):
    """Another client of the cache's Redis, as another process writing would be."""
    client = private_redis_cache.client(0)
    yield client
    client.close()
