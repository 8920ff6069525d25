"""The authorization matrix over every URL pattern: each (pattern, role, object) cell against the policy
table, 404s byte-identical to "does not exist", and no canary in any body its reader may not see."""

import pytest

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


def _check_cell(tally, world, client, role, row, url, kwargs, obj, nowhere_bodies):
    data = {k: kwargs.get(v, v) if isinstance(v, str) else v for k, v in row.data.items()}
    response = matrix.request(client, row.method, url, data=data, htmx=row.htmx)
    got, want = matrix.classify(response), policy.expected(row, role, obj)
    tally.cells += 1
    where = f"{row.method} {url} as {role}"
    if not matrix.matches(want, got):
        tally.fail(f"{where}: expected {want}, got {got} ({response.status_code})")
    body = response.content.decode("utf-8", "replace")
    matrix.scan_canaries(world, role, body, where, tally, admin=url.startswith("/admin/"))
    if got == policy.NOT_FOUND and row.obj not in ("none", "group"):
        key = (row.route, role)
        if key not in nowhere_bodies:
            gone = matrix.request(client, row.method, matrix.url_of(row.route, matrix.nowhere_kwargs(row)),
                                  data=data, htmx=row.htmx)
            assert gone.status_code == 404, f"{row.route} for a nonexistent object answered {gone.status_code}"
            nowhere_bodies[key] = matrix.normalise(gone.content)
        tally.not_found_compared += 1
        if matrix.normalise(response.content) != nowhere_bodies[key]:
            tally.fail(f"{where}: the 404 differs from the one for a nonexistent object")


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


# A chunk walks thousands of cells; on a loaded 2-core CI machine the busiest took over the 300 s default.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("chunk", list(CHUNKS))
def test_authorization_matrix_over_every_pattern_role_and_object(chunk):
    world = build_world()
    clients = matrix.clients(world)
    tally, nowhere_bodies = matrix.Tally(), {}
    for row in [r for r in policy.ROWS if _chunk_of(r) == chunk]:
        cells = _samples(row) or [(matrix.url_of(row.route, kw), kw, obj)
                                  for obj, kw in matrix.objects_for(world, row)]
        for url, kwargs, obj in cells:
            for role, client in clients.items():
                _check_cell(tally, world, client, role, row, url, kwargs, obj, nowhere_bodies)
    print(f"\nmatrix[{chunk}]: {tally.cells} cells, {tally.not_found_compared} 404s compared with a "
          f"nonexistent object, {tally.bodies_scanned} bodies scanned for canaries")
    assert tally.failures == [], f"{len(tally.failures)} of {tally.cells} cells failed:\n" + "\n".join(
        tally.failures[:300])
    assert tally.cells >= 100


def test_chunks_cover_every_row():
    assert all(_chunk_of(row) in CHUNKS for row in policy.ROWS)
    assert {_chunk_of(row) for row in policy.ROWS} == set(CHUNKS)
