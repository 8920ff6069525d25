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
