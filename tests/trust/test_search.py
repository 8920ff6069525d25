"""The matrix for search: every role searches for every canary, on every scope, through the page.

A canary must never be found, counted or quoted for a role that may not read it; and a role that may
read a published post or comment finds it (so the test cannot pass by finding nothing). Held and
removed posts are never found, even by the managers who may open them.
"""

import re

import pytest

from search.documents import documents_rebuild
from search.selectors import SearchFilters, search

from . import matrix, policy
from .world import build_world, canary

pytestmark = pytest.mark.django_db

COUNT_RE = re.compile(r'<span class="badge">(\d+)</span>')


@pytest.mark.timeout(900)
def test_search_finds_each_canary_for_its_readers_only():
    world = build_world()
    documents_rebuild()  # the world is built from plain rows; the write services index on PostgreSQL
    tally = matrix.Tally()
    for role, user in world.users.items():
        for obj in world.posts:
            # Search shows published posts only: held and removed ones stay off it, for managers too.
            may_read = policy.reads_post(role, obj.place, obj.kind) and obj.kind in ("public", "trusted")
            for scope, what in (("posts", "post"), ("comments", "comment")):
                results = search(user=user, filters=SearchFilters(q=canary(obj.place, obj.kind, what), scope=scope))
                tally.cells += 1
                found = [hit.obj.pk for hit in results.hits]
                expected = [(obj.post if what == "post" else obj.comment).pk] if may_read else []
                if found != expected or results.counts[scope] != len(expected):
                    tally.fail(f"{role} searching {what} {obj.place}/{obj.kind}: found {found}, "
                               f"counted {results.counts[scope]}, expected {expected}")
    assert tally.failures == [], "\n".join(tally.failures)
    assert tally.cells == len(world.users) * len(world.posts) * 2


@pytest.mark.timeout(900)
def test_search_pages_never_show_or_count_what_the_reader_may_not_see():
    world = build_world()
    documents_rebuild()
    tally = matrix.Tally()
    # "CANARY" matches every canary on SQLite (text matching); on PostgreSQL each canary is its own word,
    # so the posts that must stay hidden are also searched one by one.
    cells = [("CANARY", scope) for scope in ("posts", "comments", "pods", "members")]
    cells += [(canary("unlisted", "podname"), "pods"), (canary("unlisted", "description"), "pods"),
              (canary("author", "bio"), "members"), (canary("author", "pet"), "members")]
    cells += [(canary(p.place, p.kind, "post"), "posts") for p in world.posts if p.kind != "public"]
    for role, client in matrix.clients(world).items():
        for q, scope in cells:
            response = client.get("/search/", {"q": q, "scope": scope})
            tally.cells += 1
            if response.status_code != 200:
                tally.fail(f"/search/?q={q}&scope={scope} as {role}: {response.status_code}")
            # The page repeats what was typed (title, heading, box): only what it adds is scanned.
            body = re.sub(re.escape(q) + r"(?![A-Z0-9x])", "", response.content.decode())
            matrix.scan_canaries(world, role, body, f"search {q} in {scope} as {role}", tally)
            if q.endswith(("POST", "COMMENT")):
                _check_counts(world, role, q, body, tally)
    assert tally.failures == [], "\n".join(tally.failures)


def _check_counts(world, role, q, body, tally):
    """A canary the role may not read counts 0 on every tab."""
    place, kind, _ = q[6:].lower().split("x")
    if policy.reads_post(role, place, kind) and kind == "trusted":
        return
    counts = [int(n) for n in COUNT_RE.findall(body)]
    if counts != [0, 0, 0, 0]:
        tally.fail(f"{role} sees counts {counts} for {q}")


@pytest.mark.timeout(900)
def test_the_api_search_finds_counts_and_quotes_only_what_each_role_may_read():
    """GET /api/v1/search asks the page's selector: every role's token searches each post and comment
    canary (found and counted for its readers only) and "CANARY" on every scope (no leak in any body)."""
    from django.test import Client

    from api.services import token_create

    world = build_world()
    documents_rebuild()
    tally = matrix.Tally()
    for role, user in world.users.items():
        if user is None or role == "suspended":
            continue  # no token: 401 (tests/trust/test_api_matrix.py)
        raw = token_create(actor=user, name="search", scopes=["read"], expires_in_days=None)[1]
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        for obj in world.posts:
            may_read = policy.reads_post(role, obj.place, obj.kind) and obj.kind in ("public", "trusted")
            for scope, what in (("posts", "post"), ("comments", "comment")):
                body = client.get("/api/v1/search", {"q": canary(obj.place, obj.kind, what), "scope": scope}).json()
                tally.cells += 1
                target = obj.post if what == "post" else obj.comment
                found = [hit["comment" if what == "comment" else "post"] for hit in body["items"]]
                expected = [target.pk] if may_read else []
                if found != expected or body["counts"][scope] != len(expected):
                    tally.fail(f"API: {role} searching {what} {obj.place}/{obj.kind}: found {found}, "
                               f"counted {body['counts'][scope]}, expected {expected}")
        for scope in ("posts", "comments", "pods", "members"):
            response = client.get("/api/v1/search", {"q": "CANARY", "scope": scope})
            # <mark> splits a canary in a snippet: rejoin it so a leak cannot hide behind highlighting.
            text = re.sub(r"</?mark>", "", response.content.decode())
            matrix.scan_canaries(world, role, text, f"API search CANARY in {scope} as {role}", tally)
    assert tally.failures == [], "\n".join(tally.failures)
    assert tally.cells == (len(world.users) - 2) * len(world.posts) * 2
