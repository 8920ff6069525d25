"""The versions every page load reads are held by each process (petcommunity.mirror) while Redis says they
have not changed: an anonymous hit then asks the cache nothing, and a write is still on the next load.
Real Redis, a server of each test's own (`private_redis_cache`): the invalidations are its own pushes."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache, caches

from communities import navcache
from communities.services.posts import post_create
from petcommunity import mirror as mirror_module
from petcommunity.mirror import KeyMirror

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def test_a_value_is_read_once_then_held_until_another_client_changes_it(cache_reads, redis_writer):
    mirror = KeyMirror(["pv:"])
    cache.set("pv:commons", 41, timeout=None)
    cache.set("rungp:1:2", "not tracked")
    both = ["pv:commons", "rungp:1:2"]

    assert mirror.get_many(both) == {"pv:commons": 41, "rungp:1:2": "not tracked"}
    assert mirror.get_many(both) == {"pv:commons": 41, "rungp:1:2": "not tracked"}
    assert cache_reads == [both, ["rungp:1:2"]]

    redis_writer.incr(cache.make_key("pv:commons"))
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 42}
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 42}
    assert cache_reads[2:] == [["pv:commons"]]


def test_a_read_applies_the_pushes_that_arrived_before_it(cache_reads, redis_writer, monkeypatch):
    """Without the following thread (which may not have woken yet), the read itself takes the push."""
    monkeypatch.setattr(KeyMirror, "_follow", lambda self, client: None)
    mirror = KeyMirror(["pv:"])
    cache.set("pv:commons", 1, timeout=None)
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 1}
    for expected in (2, 3, 4):
        redis_writer.incr(cache.make_key("pv:commons"))
        assert mirror.get_many(["pv:commons"]) == {"pv:commons": expected}


def test_sync_applies_a_push_that_no_read_has_taken_yet(cache_reads, redis_writer, monkeypatch):
    """A caller that must read after a write made on another connection syncs: the push is applied then,
    with no read and no following thread to take it."""
    monkeypatch.setattr(KeyMirror, "_follow", lambda self, client: None)
    mirror = KeyMirror(["pv:"])
    cache.set("pv:commons", 1, timeout=None)
    mirror.get_many(["pv:commons"])
    redis_writer.incr(cache.make_key("pv:commons"))
    time.sleep(0.05)  # the push is in the socket; only a read of it applies it
    assert "pv:commons" in mirror._values
    mirror.sync()
    assert "pv:commons" not in mirror._values
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 2}


def test_a_value_that_changes_while_it_is_read_is_not_kept(cache_reads, redis_writer, monkeypatch):
    """Another thread drains the change's push between this read and its keeping: the value read may be the
    older one, so it is read again next time."""
    mirror = KeyMirror(["pv:"])
    cache.set("pv:pod.7", 1, timeout=None)
    cache.set("pv:commons", 1, timeout=None)
    mirror.get_many(["pv:commons"])
    real = caches["default"].get_many

    def read_then_changed(keys, *args, **kwargs):
        found = real(keys, *args, **kwargs)
        redis_writer.incr(cache.make_key("pv:pod.7"))
        mirror.get_many(["pv:commons"])  # drains the push naming pv:pod.7
        return found

    monkeypatch.setattr(caches["default"], "get_many", read_then_changed)
    assert mirror.get_many(["pv:pod.7"]) == {"pv:pod.7": 1}
    monkeypatch.setattr(caches["default"], "get_many", real)
    assert mirror.get_many(["pv:pod.7"]) == {"pv:pod.7": 2}


def test_a_flush_or_a_lost_tracking_connection_drops_what_is_held(cache_reads, redis_writer):
    mirror = KeyMirror(["pv:"])
    cache.set("pv:commons", 5, timeout=None)
    mirror.get_many(["pv:commons"])

    cache.clear()
    assert mirror.get_many(["pv:commons"]) == {}

    cache.set("pv:commons", 6, timeout=None)
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 6}
    with mirror._lock:  # the mirror's own thread reads that connection too
        tracking = mirror._conn.client_id()
    redis_writer.client_kill_filter(_id=tracking)
    cache.set("pv:commons", 7, timeout=None)
    before = len(cache_reads)
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 7}
    assert cache_reads[before:] == [["pv:commons"]]  # the lost connection is noticed, and the cache read instead


def test_an_anonymous_hit_asks_the_cache_nothing_and_a_new_post_is_on_the_next_load(
        client, member, written, cache_reads):
    written(post_create, actor=member, body="Morning walk by the canal", audience="everyone")
    assert client.get("/?sort=new")["X-Page-Cache"] == "miss"
    assert client.get("/?sort=new")["X-Page-Cache"] == "hit"
    before = len(cache_reads)
    assert client.get("/?sort=new")["X-Page-Cache"] == "hit"
    assert cache_reads[before:] == []

    written(post_create, actor=member, body="Evening walk in the rain", audience="everyone")
    page = client.get("/?sort=new")
    assert page["X-Page-Cache"] == "miss"
    assert "Evening walk in the rain" in page.content.decode()


def test_pushes_are_applied_while_nothing_reads(cache_reads, redis_writer):
    """A process that reads nothing for a while (a worker between jobs) still takes its pushes, so Redis
    never queues them for it: the held value is dropped without any read."""
    mirror = KeyMirror(["pv:"])
    cache.set("pv:commons", 1, timeout=None)
    mirror.get_many(["pv:commons"])
    assert "pv:commons" in mirror._values

    redis_writer.incr(cache.make_key("pv:commons"))
    deadline = time.monotonic() + 3
    while "pv:commons" in mirror._values and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "pv:commons" not in mirror._values


def test_a_redis_that_refuses_tracking_turns_the_mirror_off_once_and_reads_still_answer(
        cache_reads, redis_writer, caplog, monkeypatch):
    """CLIENT denied, as an ACL may on a managed Redis (Redis 5 refuses HELLO 3 the same way): one warning,
    every read from the cache, and no new attempt when the retry pause has long passed."""
    redis_writer.execute_command("ACL", "SETUSER", "default", "-client")
    mirror = KeyMirror(["pv:"])
    cache.set("pv:commons", 3, timeout=None)
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 3}
    later = time.monotonic() + 3600
    monkeypatch.setattr(mirror_module, "time", SimpleNamespace(monotonic=lambda: later))
    assert mirror.get_many(["pv:commons"]) == {"pv:commons": 3}
    assert cache_reads == [["pv:commons"], ["pv:commons"]]
    refusals = [r.getMessage() for r in caplog.records if r.name == "petcommunity.mirror"]
    assert len(refusals) == 1 and "cannot track keys" in refusals[0] and "no permissions" in refusals[0], refusals


def test_the_nav_bar_is_read_from_the_mirror_and_a_change_is_on_the_next_page(cache_reads, member):
    computed = []

    def compute():
        computed.append(1)
        return {"unread": len(computed), "is_moderator": False}

    assert navcache.nav_get(member.pk, compute) == {"unread": 1, "is_moderator": False}
    assert navcache.nav_get(member.pk, compute) == {"unread": 1, "is_moderator": False}  # read after it was stored
    before = len(cache_reads)
    assert navcache.nav_get(member.pk, compute) == {"unread": 1, "is_moderator": False}
    assert cache_reads[before:] == [] and len(computed) == 1  # no round trip, no recount

    navcache.forget_now(member.pk)  # what a notification, a message or a role change does after commit
    assert navcache.nav_get(member.pk, compute) == {"unread": 2, "is_moderator": False}
