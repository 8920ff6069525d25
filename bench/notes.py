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
        "passes at S (0.77×) since the shared page (0 queries on a hit: one get_many for the versions, one get for "
        "~36 KB of HTML); at L 0.55×, not profiled: the stored page and the work per hit do not depend on the "
        "size, so the spread (0.43–0.55) and the L run's own load are the first suspects. Under WSGI the same "
        "page answers 3.7–3.9× uvicorn's req/s (section 8)."
    ),
    "feed.commons.vs_naive": (
        "both views pay the same page chrome and template, and the naive view also profits from the shared card "
        "fragment cache, so rendering compresses the ratio; a whole-page cache for anonymous visitors (above) "
        "would lift it past 3×."
    ),
    "feed.commons.deep_vs_p1": (
        "the deep page costs the same queries (section 2; page 1 has 3 more because the demo's polls are recent) "
        "and its own query is an index range scan; the gap is likely colder card fragments (page 1's are warm) "
        "plus noise (see the spread)."
    ),
    "feed.member.p99": (
        "the signed-in page is ~35 ms of CPU per request in-process (see the signed-in ratio's profile) against "
        "~1 ms for the trivial view; at c=2 on 2 cores shared with the load generator its p99 is that CPU time "
        "plus queueing, and a cold shared-rows or card entry (every 60 s per place) adds the rows' query."
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
        "after the pub/sub channel layer (one PUBLISH per group), frames encoded once and permessage-deflate off, "
        "the first round of each N stays slow (N=1000: 428 ms, then 276 and 194 ms) while the next rounds "
        "approach the target; the time includes `post_create` (moderation checks, insert, rendering the card "
        "once) and 1,000 clients reading on the same 2 cores. Not profiled further."
    ),
    "queries.selector": (
        "not the depth: the page at depth 10 of this dataset (generator v6) holds a poll, and poll choices (and, "
        "for a member, their own votes) are prefetched only when a page has polls: 3 → 4 queries anonymous, "
        "4 → 6 signed in, measured by listing the queries of both pages. Pages 1, 100 and 1000 hold no poll and "
        "cost the same as each other. The count depends on what a page holds (one query per kind of related "
        "object), never on how deep it is; the check compares pages of different content."
    ),
    "feed.member.vs_trivial": (
        "profile of the signed-in Commons page in-process at S (no profiler: 35 ms; with pyinstrument 71–79 ms, "
        "11 queries, 9–11 ms SQL): templates 12.4 ms (the page shell, the member's 3 posts in review rendered "
        "for them alone 5.4 ms, the composer 3.1 ms, the shared cards 1–2 ms), the feed selector 9 ms (shared "
        "rows: one cache read, then one query for the member's reactions, saves and blocks), pinned 7 ms, "
        "posts in review 10 ms, 10 cache round trips. The trivial view is ~1 ms of Python, so 0.30× would "
        "need a 3 ms signed-in page; what is left is Django rendering a 73 KB page per member (nav, composer, "
        "filters, overlay) and the session, not a query. Closing it would take the page shell cached per member "
        "and version, which we have not built."
    ),
    "feed.commons_new_p1.c32_vs_c8": (
        "the anonymous page is a shared-cache hit, so its cost is the server and the load generator themselves; "
        "at c=32 they queue behind other work on the 2 shared cores (load average above), and the spread "
        "(rounds above and below 0.9) is that noise. Re-measure on a quiet machine before concluding."
    ),
    "feed.member_commons.c32_vs_c8": (
        "the rounds spread from well below to well above 1 (see the spread): at about 20 signed-in pages a second "
        "on 2 shared cores, which round met a neighbour's burst decides the ratio. Re-measure on a quiet machine "
        "before concluding."
    ),
    "disc.search": (
        "for \"dog\" (4,802 of 100,000 posts match at S) the page's SQL is ~11 ms, 9 of them ranking every "
        "match with ts_rank (their vectors read from ~1,900 heap blocks); the selector is ~18 ms in-process "
        "(each scope's read check compiled once, the four tab counts in one statement, counts stop at 200), "
        "the page around it ~10 ms (session, nav, the filter form). Over HTTP at c=2 two requests share the two "
        "cores with PostgreSQL and wrk, so the p95 is about twice the in-process time. Every count and page "
        "checks visibility against the real post and comment rows (a copy of status and audience on the "
        "documents could go stale and leak); ranking without reading every match would need an index that "
        "orders by rank (the RUM extension), which the deployment's PostgreSQL does not have."
    ),
    "rt.": "see finding C.",
    "mem.per_socket": (
        "passes: permessage-deflate is off (deploy/entrypoint.sh), so a socket keeps no zlib state."
    ),
    "celery.drift": "see the RSS series in the JSON (celery.series): levelling off is warm-up, climbing is a leak.",
}

SIZE_L_NOTE = (
    "Size L (`make bench SIZE=L`: 100k members, 10k pods, 1M posts, 3M comments, 10M impressions) is generated "
    "by COPY in about 2.5 minutes; its 90-day metrics backfill (about an hour) is not run, so the dashboards "
    "are measured at S only."
)

GENERIC = ("missed in this run; see the figure's spread (a shared 2-core machine) and the raw JSON before "
           "concluding anything.")


def note_for(figure_id: str) -> str:
    best = max((k for k in NOTES if figure_id.startswith(k)), key=len, default=None)
    return NOTES[best] if best else GENERIC
