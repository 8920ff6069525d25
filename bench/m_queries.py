"""(2) Queries per feed page, counted in-process with CaptureQueriesContext: the selector at 20 and 50
items at several depths (constant whatever the depth and length), the whole page as the server
renders it, and the naive baseline for contrast."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .context import Figure

S2 = "2 Queries per page"
DEPTHS = [1, 10, 100]


def _cursor_at(*, user, pod, sort, page_size, depth, exclude_pinned):
    """The cursor that opens page `depth` of the feed in `sort` "new" (or its last page, when it has
    fewer): the (created_at, id) of the last post of the page before, read with one OFFSET over the feed's own
    index and read policy. Walking there page by page through the selector loaded every post before it
    (500,000 decorated posts at size L)."""
    from common.cursors import cursor_encode
    from communities.models import Post
    from communities.policy import readable_in_place_q

    if depth <= 1:
        return None
    assert sort == "new", "the OFFSET walk knows the new order only"
    qs = Post.objects.filter(readable_in_place_q(user, pod))
    if exclude_pinned:
        qs = qs.filter(pinned_at__isnull=True)
    qs = qs.order_by("-created_at", "-pk").values_list("created_at", "pk")
    skip = (depth - 1) * page_size
    last = list(qs[skip - 1: skip])
    if not last:  # a place with fewer pages: its deepest page, as the feed benchmark's cursors do
        skip = (qs.count() - 1) // page_size * page_size
        last = list(qs[skip - 1: skip]) if skip else []
    return cursor_encode(*last[0]) if last else None


def _selector_queries(*, user, pod, sort, page_size, cursor, exclude_pinned) -> tuple[int, int, int]:
    """(queries with the place's shared rows cold, queries with them warm, posts on the page). Cold is what
    the first reader after a write pays: the place's version is bumped first, as every write does."""
    from communities import pagecache
    from communities.models import User
    from communities.selectors import feed

    pagecache.bump(pagecache.commons() if pod is None else pagecache.pod(pod.pk))  # no transaction: at once
    counts = []
    for _ in range(2):
        if user.is_authenticated:  # a fresh member object, as in a new request (roles are memoised on it)
            user = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as ctx:
            page = feed(user=user, pod=pod, sort=sort, page_size=page_size, cursor=cursor,
                        exclude_pinned=exclude_pinned)
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1], len(page.posts)


def _page_queries(client: Client, path: str) -> tuple[int, int]:
    client.get(path)  # warm: sessions, template and card caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return len(ctx.captured_queries), response.status_code


def measure(ctx) -> list[Figure]:
    fx = ctx.fixtures
    connection.ensure_connection()
    out, table = [], []
    viewers = {"anonymous": AnonymousUser(), "member": fx.member}
    depths = [*DEPTHS, fx.depth]
    for viewer_name, user in viewers.items():
        for place, pod, excl in (("commons", None, True), ("pod", fx.pod, False)):
            for page_size in (20, 50):
                counts, warm_counts = [], []
                for depth in depths:
                    cursor = _cursor_at(user=user, pod=pod, sort="new", page_size=page_size, depth=depth,
                                        exclude_pinned=excl)
                    n, warm, items = _selector_queries(user=user, pod=pod, sort="new", page_size=page_size,
                                                       cursor=cursor, exclude_pinned=excl)
                    counts.append(n)
                    warm_counts.append(warm)
                    table.append({"viewer": viewer_name, "place": place, "size": page_size, "depth": depth,
                                  "queries": n, "queries_warm": warm, "items": items})
                constant = len(set(counts)) == 1 and len(set(warm_counts)) == 1
                out.append(Figure(f"queries.selector.{viewer_name}.{place}.{page_size}", S2,
                                  f"feed() selector, {viewer_name}, {place}, {page_size} items, depths "
                                  f"{'/'.join(map(str, depths))}: {'/'.join(map(str, counts))} queries cold, "
                                  f"{'/'.join(map(str, warm_counts))} with the shared rows warm",
                                  "queries", [max(counts)], "constant", constant))
    out += _pages(fx, table)
    ctx.raw["queries"] = table
    return out


def _pages(fx, table: list) -> list[Figure]:
    from urllib.parse import quote

    anon, member = Client(), Client()
    member.force_login(fx.member)
    cursor, _ = fx.cursors[("commons", "new")]
    pod_cursor, pod_skipped = fx.cursors[("pod", "new")]
    pages = [
        ("anonymous", anon, "Commons page 1", "/?sort=new"),
        ("anonymous", anon, f"Commons page {fx.depth}", f"/?sort=new&cursor={quote(cursor or '')}"),
        ("anonymous", anon, "Naive Commons page 1", "/bench/naive/?sort=new&page=1"),
        ("anonymous", anon, f"Naive Commons page {fx.depth}", f"/bench/naive/?sort=new&page={fx.depth}"),
        ("member", member, "Commons page 1 (hot)", "/"),
        ("member", member, "Pod page 1", f"/pods/{fx.pod.slug}/"),
        ("member", member, f"Pod page {pod_skipped + 1}",
         f"/pods/{fx.pod.slug}/?sort=new&cursor={quote(pod_cursor or '')}"),
        ("member", member, "API Commons page 1", "/api/v1/feeds/commons?sort=new"),
        ("member", member, f"API Commons page {fx.depth}",
         f"/api/v1/feeds/commons?sort=new&cursor={quote(cursor or '')}"),
    ]
    out = []
    for viewer, client, label, path in pages:
        n, status = _page_queries(client, path)
        table.append({"viewer": viewer, "page": label, "path": path, "queries": n, "status": status})
        out.append(Figure(f"queries.page.{viewer}.{label}", S2, f"Whole page over HTTP, {viewer}: {label}"
                          + ("" if status == 200 else f" (HTTP {status})"), "queries", [n]))
    api = [row["queries"] for row in table if row.get("page", "").startswith("API Commons")]
    out.append(Figure("queries.page.api.constant", S2, f"JSON API feed, member, page 1 and page {fx.depth}: "
                      f"{'/'.join(map(str, api))} queries", "queries", [max(api)], "constant", len(set(api)) == 1))
    return out
