"""The authorization matrix over every URL pattern: each (pattern, role, object) cell against the policy
table, 404s byte-identical to "does not exist", and no canary in any body its reader may not see.

Each chunk runs twice. Cold: the cache is cleared before every request, so each answer is rendered for its
reader alone. Warm: every page (GET) cell is read by all roles one after another with the cache kept, so
whole pages, card fragments and whatever else the app caches, however it keys them, meet readers other
than the one they were made for; the same expectations hold.
"""

import re

import pytest
from django.core.cache import cache

from . import matrix, policy
from .world import build_world

pytestmark = pytest.mark.django_db

def test_every_url_pattern_has_a_row_in_the_policy_table():
    missing = [route for route in matrix.walk_routes() if matrix.row_for(route) is None]
    assert missing == [], f"URL patterns without a row in tests/trust/policy.py: {missing}"


def test_every_policy_row_names_a_live_pattern():
    routes = set(matrix.walk_routes())
    stale = [row.route for row in policy.ROWS
             if row.obj != "group" and row.route not in routes]
    assert stale == []


def _check_cell(tally, world, client, role, row, url, kwargs, obj, nowhere_bodies, *, warm=None):
    """One cell against the policy table; returns what any other reading by this role must repeat (the
    answer's class and the canaries in its body). `warm` names who read the URL just before, without
    clearing the cache in between (None: a cleared cache, the cold pass)."""
    clear = warm is None
    data = {k: kwargs.get(v, v) if isinstance(v, str) else v for k, v in row.data.items()}
    response = matrix.request(client, row.method, url, data=data, htmx=row.htmx, clear=clear)
    got, want = matrix.classify(response), policy.expected(row, role, obj)
    tally.cells += 1
    where = f"{row.method} {url} as {role}"
    if warm is not None:
        where += f" (cache warmed by {warm})"
    if not matrix.matches(want, got):
        tally.fail(f"{where}: expected {want}, got {got} ({response.status_code})")
    body = response.content.decode("utf-8", "replace")
    matrix.scan_canaries(world, role, body, where, tally, admin=url.startswith("/admin/"))
    if got == policy.NOT_FOUND and row.obj not in ("none", "group"):
        key = (row.route, role)
        if key not in nowhere_bodies:
            gone = matrix.request(client, row.method, matrix.url_of(row.route, matrix.nowhere_kwargs(row)),
                                  data=data, htmx=row.htmx, clear=clear)
            assert gone.status_code == 404, f"{row.route} for a nonexistent object answered {gone.status_code}"
            nowhere_bodies[key] = matrix.normalise(gone.content)
        tally.not_found_compared += 1
        if matrix.normalise(response.content) != nowhere_bodies[key]:
            tally.fail(f"{where}: the 404 differs from the one for a nonexistent object")
    return got, frozenset(re.findall(matrix.CANARY_TOKEN, body))


def _samples(row):
    if row.obj == "group":
        return [(url, {}, None) for url in matrix.GROUP_SAMPLES[row.route]]
    return None


# Rows in chunks, so the suite's workers share the matrix (each chunk builds its own world).
CHUNKS = {
    "pages": ("none", "group", "member", "region", "notification", "pet", "conversation", "token", "assignment",
              "steward_invitation"),
    "pods": ("pod", "invite"),
    "pod-settings": ("pod-settings",),
    "posts": ("post",),
    "comments-polls": ("comment", "poll"),
    "moderation": ("item", "rule", "reason", "note"),
}


def _chunk_of(row) -> str:
    if row.obj == "pod" and "/settings/" in row.route or row.route.endswith("/insights/"):
        return "pod-settings"
    return next(name for name, objs in CHUNKS.items() if row.obj in objs)


# The warm pass reads each page in two orders, clearing the cache only before each order. First from who
# sees the most down to anonymous visitors: every reader meets the pages and fragments cached for those who
# saw more, so a cache keyed on too little about its viewer shows them what they may not see. Then an
# anonymous visitor first and the most privileged after: a shared page or fragment an anonymous visitor
# filled must not take from them what they may see. Who sees the most, as the policy table says: both
# managers every place and state; a steward trusted-only and held content in the pods; the region's
# moderator held content there. `test_warm_orders_name_every_role` keeps the order complete.
WARM_ORDER = ("superuser", "manager", "steward", "mod_region", "steward_other", "mod_other", "trusted", "regular",
              "suspended", "newcomer", "waitlisted", "member", "unverified", "banned", "anonymous")
AFTER_ANONYMOUS = ("anonymous", "superuser", "manager", "steward", "mod_region")


def _cells(world, row):
    return _samples(row) or [(matrix.url_of(row.route, kw), kw, obj) for obj, kw in matrix.objects_for(world, row)]


def _cold(world, clients, tally, nowhere_bodies, rows):
    for row in rows:
        for url, kwargs, obj in _cells(world, row):
            for role, client in clients.items():
                _check_cell(tally, world, client, role, row, url, kwargs, obj, nowhere_bodies)


def _warm(world, clients, tally, nowhere_bodies, rows):
    """Every page (GET) cell read in both warm orders; each reading must also repeat the same role's
    reading in the other order, one of which met a cache nobody else had filled."""
    for row in [r for r in rows if r.method == "GET"]:
        for url, kwargs, obj in _cells(world, row):
            readings = {}
            for order in (WARM_ORDER, AFTER_ANONYMOUS):
                cache.clear()  # once per order: the readers in it share everything cached on the way
                for i, role in enumerate(order):
                    warm = ", ".join(order[:i]) or "nobody"
                    got = _check_cell(tally, world, clients[role], role, row, url, kwargs, obj, nowhere_bodies,
                                      warm=warm)
                    if role in readings and readings[role] != got:
                        before, now = readings[role], got
                        tally.fail(f"GET {url} as {role} depends on who filled the cache: {before[0]} "
                                   f"{sorted(before[1])} after {readings[role, 'warm']}, {now[0]} {sorted(now[1])} "
                                   f"after {warm}")
                    readings[role], readings[role, "warm"] = got, warm


# A chunk walks thousands of cells; on a loaded 2-core CI machine the busiest took over the 300 s default.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("chunk", list(CHUNKS))
@pytest.mark.parametrize("cache_state", ["cold", "warm"])
def test_authorization_matrix_over_every_pattern_role_and_object(cache_state, chunk):
    if cache_state == "warm":
        # A cache that keeps nothing (DummyCache) would make the warm pass a second cold one.
        cache.set("matrix-warm-probe", 1)
        assert cache.get("matrix-warm-probe") == 1, "the warm pass needs a real shared cache"
    world = build_world()
    clients = matrix.clients(world)
    tally, nowhere_bodies = matrix.Tally(), {}
    rows = [r for r in policy.ROWS if _chunk_of(r) == chunk]
    (_warm if cache_state == "warm" else _cold)(world, clients, tally, nowhere_bodies, rows)
    print(f"\nmatrix[{cache_state}-{chunk}]: {tally.cells} cells, {tally.not_found_compared} 404s compared with a "
          f"nonexistent object, {tally.bodies_scanned} bodies scanned for canaries")
    assert tally.failures == [], f"{len(tally.failures)} of {tally.cells} cells failed:\n" + "\n".join(
        tally.failures[:300])
    assert tally.cells >= 100


def test_warm_orders_name_every_role():
    assert sorted(WARM_ORDER) == sorted(policy.ROLES)
    assert set(AFTER_ANONYMOUS) <= set(policy.ROLES) and AFTER_ANONYMOUS[0] == "anonymous"


def test_chunks_cover_every_row():
    assert all(_chunk_of(row) in CHUNKS for row in policy.ROWS)
    assert {_chunk_of(row) for row in policy.ROWS} == set(CHUNKS)
