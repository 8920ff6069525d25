"""Why a missed target was missed, and what would close it. Written from profiles and EXPLAIN ANALYZE
on the size S dataset; `FINDINGS` are printed once under the table, `NOTES` (keyed by figure id prefix)
beside each missed target. Keep only what was measured; say so where something is a likely cause."""

FINDINGS = [
    "**A. Fixed after the first run: pinned posts.** `pinned_posts()` cost ~80 ms of database time per anonymous "
    "Commons page: it filtered through `readable_posts_q`, whose OR'd pod branches joined pods, and nothing "
    "indexed `pinned_at`. It now uses a per-place filter (`communities.policy.readable_in_place_q`) and a "
    "partial index `(pod_id, pinned_at DESC) WHERE pinned_at IS NOT NULL`.",
    "**B. Fixed after the first run: the Commons feed's plans.** EXPLAIN ANALYZE of the Commons hot page showed a "
    "parallel seq scan and top-N sort (105 ms in-process at size S): the OR'd pod branches hid the place, and "
    "PostgreSQL does not treat `pod_id IS NULL` as fixing the leading column of `(pod, status, -hot_score, -id)`. "
    "A per-place filter plus partial indexes on `(status, sort key, id) WHERE pod_id IS NULL` give an index scan "
    "with no sort: 0.17 ms for the query, ~8 ms for the whole selector. What remains per page is Python: "
    "~22 ms of CPU for an anonymous page in-process (half of it template rendering).",
    "**C. Fixed by this benchmark: the channel layer.** The first run lost frames and failed handshakes: "
    "channels-redis' pool of 50 raised `MaxConnectionsError` ~2,400 times while 3,000 sockets connected, and "
    "redis-py 8's default 5 s socket timeout equals channels-redis' 5 s blocking receive, so idle receives timed "
    "out and killed their consumers (about 4 of 1,000 sockets per round). `petcommunity/settings/base.py` now "
    "sets `socket_timeout` 15 s and a pool of 500; the figures below are after that change (0 lost frames).",
]

NOTES: dict[str, str] = {
    "feed.commons.vs_trivial": (
        "in-process a hit is 0.7–0.9 ms against the trivial view's ~0.2 ms of view code (bench's in-process "
        "breakdown, 2026-11-29: the anonymous Commons page 0.92 ms at S and 0.72 ms at L, through the test "
        "client whose own overhead is ~2 ms a request): one `get_many` for the place versions, the page from the "
        "process's own recent pages, then a 36 KB body through gunicorn and wrk against two bytes. The remaining "
        "step, skipping the version read, would let a removed post survive on other processes' pages until "
        "their copy expires; we keep \"a write is on the next load\". Under WSGI the page answers 5.4–5.7× "
        "uvicorn's req/s (section 8)."
    ),
    "feed.commons.vs_naive": (
        "both views pay the same page chrome and template, and the naive view also profits from the shared card "
        "fragment cache, so rendering compresses the ratio; a whole-page cache for anonymous visitors (above) "
        "would lift it past 3×."
    ),
    "feed.commons.deep_vs_p1": (
        "passes at S (1.08); at L the deep page's HTTP p50 was 18.2 ms against 6.5 for page 1, which the "
        "in-process profile does not reproduce: at L both are shared-page hits of 0.74 ms (deep) and 0.83 ms "
        "(page 1), and a cold render costs the same for both (the selector 26.7 and 26.3 ms; SQL 9.0 and 13.0 "
        "ms, constant queries, section 2). The likely cause is rounds that met an expired entry (TTL 60 s) "
        "with the first render of an L page under c=8; not proven."
    ),
    "feed.member.p99": (
        "the signed-in page is 22–33 ms of CPU per request in-process (see the signed-in ratio's profile) "
        "against ~0.2 ms of view code for the trivial view; at c=2 on 2 cores shared with PostgreSQL, Redis, "
        "the Celery worker and wrk, its p99 is that time plus queueing. The ratio's rounds spread from 0.85 to "
        "56 at S because the trivial view's own p99 at c=2 swings with any neighbour (3–150 ms)."
    ),
    "write.feed_p99_worse": (
        "on 2 cores the writers (and the Celery worker running their side effects) take CPU from the same two "
        "web workers that serve the feed; the feed's p99 rises with that share. Making the feed cheaper "
        "shrinks the share; so do more cores."
    ),
    "dash.pod.db_ms": (
        "13 queries, 46 ms in all; not yet profiled per query. Next step: EXPLAIN the slowest of them "
        "(likely a read without a fitting index on the rollup or cohort tables) or cache the page per pod "
        "and period, since rollups change every 15 minutes at most."
    ),
    "dash.broad.db_ms": "not yet profiled per query; see the pod insights note.",
    "dash.rollup_recent": (
        "`rollup_recent` recomputes the last two days *and* the week and 28-day windows containing them (with "
        "the influencer ranking), plus about ten weeks of retention cohorts, every 15 minutes; not yet "
        "profiled part by part. Likely fix: refresh the days every 15 minutes and the windows and cohorts "
        "hourly, or derive the windows from day rows."
    ),
    "rt.1000.p99": (
        "passes at L (81.8 ms; last receipts 84/74/69 ms) and misses at S in the same run (204 ms): S's first "
        "N=1000 round took 207 ms to its last receipt, the next two 102 and 100 ms, and the p99 pools every "
        "round. The time includes `post_create` (moderation checks, insert, rendering the card once) and "
        "1,000 clients reading on the same 2 cores; the first round of each N pays for sockets that joined "
        "their groups just before. Not profiled further."
    ),
    "queries.selector": (
        "not the depth: the page at depth 10 of this dataset (generator v6) holds a poll, and poll choices (and, "
        "for a member, their own votes) are prefetched only when a page has polls: 3 → 4 queries anonymous, "
        "4 → 6 signed in, measured by listing the queries of both pages. Pages 1, 100 and 1000 hold no poll and "
        "cost the same as each other. The count depends on what a page holds (one query per kind of related "
        "object), never on how deep it is; the check compares pages of different content."
    ),
    "feed.member.vs_trivial": (
        "in-process on a quiet machine (2026-11-29, median of 60 requests after 5 warm ones; bench member, "
        "test client): the signed-in Commons page is 32.7 ms at S and 21.5 ms at L, against 2.0 ms for the "
        "trivial view through the same client. At S: the member's three held or removed posts above the feed "
        "8.4 ms (four queries for their rows; at L this member has none: 1.0 ms), the composer 3.3 ms, the "
        "feed selector 3.0 ms (shared rows: one cache read, one query for the member's reactions, saves and "
        "blocks), pinned 1.6 ms; the rest (~16 ms) is the page shell rendered per member (base, nav, filters, "
        "the overlay fill) and the middleware (session, user, last-active and activity marks). This run "
        "stopped re-rendering the member's own cards: their held posts were 21 of the page's 39 ms of "
        "templates (now a cache read, under a key naming the member). 0.30× would need a ~3 ms page; what is "
        "left is per-member rendering, not SQL. Closing it would take the page shell cached per member and "
        "version (its composer, rung hints, nav and in-review list all invalidated by their own writes), "
        "which we have not built."
    ),
    "feed.commons_new_p1.c32_vs_c8": (
        "the anonymous page is a shared-cache hit, so its cost is the server and the load generator themselves; "
        "at c=32 they queue behind other work on the 2 shared cores (load average above), and the spread "
        "(rounds above and below 0.9) is that noise. Re-measure on a quiet machine before concluding."
    ),
    "feed.member_commons.c32_vs_c8": (
        "misses at S (0.78; rounds 0.74–0.97) and passes at L (1.04) in the same run: at 35–50 signed-in pages "
        "a second on 2 shared cores, which round met a neighbour's burst decides the ratio; the page is "
        "CPU-bound at both concurrencies, so throughput cannot grow from c=8 to c=32, only hold."
    ),
    "disc.search.one word": (
        "for \"dog\" (4,802 of 100,000 posts match at S, ~48,000 of 1M at L) the page's SQL ranks every match "
        "with ts_rank (their vectors read from the heap: ~9 of ~11 ms at S), so at L it grows with the "
        "matches (236 ms); the selector is ~18 ms in-process at S, the page around it ~10 ms (session, nav, "
        "the filter form). This machine is slower than the one that measured 38 ms (trivial view 2,074 req/s "
        "against 3,086). Every count and page checks visibility against the real post and comment rows (a copy "
        "of status and audience on the documents could go stale and leak); ranking without reading every "
        "match would need an index that orders by rank (the RUM extension), which the deployment's "
        "PostgreSQL does not have."
    ),
    "disc.search": (
        "these queries match far fewer rows than one word, so ranking is cheap and the page's ~25 ms in-process "
        "(read checks compiled per scope, one statement for the capped counts, the page shell) is what an "
        "HTTP p95 at c=2 doubles on two cores shared with PostgreSQL and wrk. They passed at 23–50 ms on the "
        "faster machine of the fifth run (bench/results/2026-11-29-S-fifth-discovery.json); here they sit "
        "46–71 ms. Not profiled further this run."
    ),
    "rt.": "see finding C.",
    "mem.per_socket": (
        "passes: permessage-deflate is off (deploy/entrypoint.sh), so a socket keeps no zlib state."
    ),
    "celery.drift": "see the RSS series in the JSON (celery.series): levelling off is warm-up, climbing is a leak.",
}

SIZE_L_NOTE = (
    "Size L (`make bench SIZE=L`: 100k members, 10k pods, 1M posts, 3M comments, 10M impressions) is generated "
    "by COPY in about 2.5–3 minutes; its 90-day metrics backfill is not run (measured: ~42 s a day at L, 34 "
    "days in 24 minutes, so well over an hour with the weeks and 28-day windows), so the dashboards and the "
    "`/metrics/` weight are measured at S only."
)

GENERIC = ("missed in this run; see the figure's spread (a shared 2-core machine) and the raw JSON before "
           "concluding anything.")


def note_for(figure_id: str) -> str:
    best = max((k for k in NOTES if figure_id.startswith(k)), key=len, default=None)
    return NOTES[best] if best else GENERIC
