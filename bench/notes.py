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
        "a hit reads the versions from the process's mirror of Redis and the page from its recent pages: no "
        "round trip (before the tenth run one `get_many` for the versions, ~0.45 ms of a 0.85 ms hit "
        "in-process). What is left is the 36 KB body through gunicorn and wrk against two bytes, on the same "
        "two cores. Under WSGI the page answers 5.4–5.7× uvicorn's req/s (section 8)."
    ),
    "feed.commons.vs_naive": (
        "both views pay the same page chrome and template, and the naive view also profits from the shared card "
        "fragment cache, so rendering compresses the ratio; a whole-page cache for anonymous visitors (above) "
        "would lift it past 3×."
    ),
    "feed.commons.deep_vs_p1": (
        "both pages are shared-page hits, and in-process they cost the same (after the eighth run, S data: "
        "page 1 0.59 ms, the deep page the same within noise; 36 and 34 KB). Over HTTP the ratio moves with "
        "the round: in the eighth run at S the three rounds were 2.65, 1.26 and 1.11 (the first round's deep "
        "page 681 req/s against 1,820 and 1,430 in the next two, at the same page 1 rate), and at L 0.99 "
        "(pass); the seventh run passed at both sizes (1.03, 1.12). The likely cause is a round that met an "
        "expired entry (TTL 60 s) and its render under c=8, or other work on the 2 shared cores; not proven."
    ),
    "feed.member.p99": (
        "the signed-in page is a kept-page hit. Until the eleventh run its quiet rounds at c=2 answered in "
        "1.7–1.9 ms p50 and 3.4–4.2 ms p99 against the trivial view's 0.52 ms p50 and 1.55–2.25 ms p99 (ratio "
        "2.1–2.2 at L), and the largest part of what the hit cost beyond the trivial view was the member's "
        "row: in-process Django's `get_user` was ~0.64 ms of a 1.07 ms hit (bench S data), 0.2 ms of it the "
        "round trip and the rest the ORM. Since the twelfth run the row comes from the process's kept rows "
        "(communities.auth_backend) and the hit is 0.40 ms in-process, no query and no Redis call; the ratio "
        "passed at S in that run (1.80, rounds 0.70–4.39). A round that misses is the spread of the 2 shared "
        "cores: the trivial view's own p99 read 10.9–57.3 ms across that run's S rounds. "
        "Python's garbage collector was measured on 2026-11-30 after the eleventh run (in-process, S data, 2,000 "
        "kept hits): a first-generation collection of ~1 ms falls in about 1 request in 80 and a full one "
        "(~120–150 ms, 200,000 tracked objects) in 1 in 2,000; over HTTP, freezing the startup objects "
        "(`gc.freeze()`) did not move the ratio out of the machine's noise (2.50 without, 2.51 with, medians of 3 "
        "interleaved rounds), and raising the collection thresholds made every p99 worse (60–150 ms), so neither "
        "was adopted."
    ),
    "write.feed_p99_worse": (
        "the feed's p99 with writes is the page rendering again, not a regression: in the eleventh run it was "
        "153–211 ms at S and 98–225 ms at L with writes (235 and 110 in the seventh), against 28–141 ms and "
        "20–86 ms without. The baseline fell when the member's Commons page began to be kept: every post or "
        "reaction in the Commons changes that page (its version is bumped), so under writes each load "
        "renders again while without writes it is a hit. On 2 cores the writers and the Celery worker also "
        "take CPU from the two web workers. Holding the page while it changes would mean showing a post "
        "after it was written only on some later load; we keep \"a write is on the next load\"."
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
        "the signed-in Commons page is kept per member (communities.memberpages: a reload that changes "
        "nothing renders nothing); its session, versions and nav entry come from the process's mirror of Redis "
        "(petcommunity.mirror), and since the twelfth run the member's row from the process's kept rows "
        "(communities.auth_backend), so a hit asks neither the database nor Redis: in-process 0.40 ms p50 "
        "against the anonymous hit's 0.37 (1.07 before, ~0.6 ms of it the row through the ORM). What is left "
        "against the anonymous trivial view is being signed in (the session's load and copy, the middleware "
        "that reads the member) and the larger body."
    ),
    "feed.commons_new_p1.c32_vs_c8": (
        "the anonymous page is a shared-cache hit, so its cost is the server and the load generator themselves; "
        "at c=32 they queue behind other work on the 2 shared cores (load average above), and the spread "
        "(rounds above and below 0.9) is that noise. Re-measure on a quiet machine before concluding."
    ),
    "feed.api.vs_html": (
        "the HTML page and the API answer are both kept per member (communities.memberpages), so the figure "
        "compares two cache hits. Since the twelfth run the page finds its member without a query "
        "(communities.auth_backend) and the ratio fell from 0.79–0.86 to 0.35: a kept API answer still pays "
        "its token's lookup (one query with its member) and django-ninja's parsing and authentication. "
        "≥ 2× was set when both were rendered on every request (the API then answered ~4× the page). Closing it "
        "means keeping tokens per process as members' rows are, with revocation, expiry and the once-a-minute "
        "last-use write each moving a version; not done."
    ),
    "feed.member_commons.c32_vs_c8": (
        "misses at S (0.78; rounds 0.74–0.97) and passes at L (1.04) in the same run: at 35–50 signed-in pages "
        "a second on 2 shared cores, which round met a neighbour's burst decides the ratio; the page is "
        "CPU-bound at both concurrencies, so throughput cannot grow from c=8 to c=32, only hold."
    ),
    "disc.search.one word": (
        "for \"dog\" (4,802 of 100,000 posts match at S, 47,663 of 1M at L) the page's SQL reads every match "
        "from the heap, so at L it grows with the matches (152–176 ms in the eleventh run, 221 in the eighth; "
        "32–43 ms at S, which passes). EXPLAIN ANALYZE at L (after the eighth run): a parallel bitmap heap "
        "scan of 47,663 rows over 19,100 buffers read from the OS cache (the 167 MB document table does not "
        "fit this machine's PostgreSQL shared_buffers, the 128 MB default), 120 ms in each worker; the ranking "
        "itself is not the cost: the same scan ordered by date without ts_rank took as long, and an index on "
        "the documents' date found the newest 1,000 matches only after 21,046 rows (159 ms), since documents "
        "are not stored in date order. What would close it: a PostgreSQL whose shared_buffers holds the index "
        "tables (a deployment setting), or an index that orders by rank (the RUM extension, which the "
        "deployment's PostgreSQL does not have). Every count and page checks visibility against the real "
        "post and comment rows (a copy of status and audience on the documents could go stale and leak)."
    ),
    "disc.search": (
        "these queries match far fewer rows than one word, so ranking is cheap and the page's ~25 ms in-process "
        "(read checks compiled per scope, one statement for the capped counts, the page shell) is what an "
        "HTTP p95 at c=2 doubles on two cores shared with PostgreSQL and wrk. They passed at 23–50 ms on the "
        "faster machine of the fifth run (bench/results/2026-11-29-S-fifth-discovery.json); in the eighth "
        "run they sit 36–57 ms at S and 38–74 ms at L, a different one missing at each size and in each run. "
        "Not profiled further."
    ),
    "rt.": "see finding C.",
    "mem.per_socket": (
        "passes: permessage-deflate is off (deploy/entrypoint.sh), so a socket keeps no zlib state."
    ),
    "celery.drift": "see the RSS series in the JSON (celery.series): levelling off is warm-up, climbing is a leak.",
}

SIZE_L_NOTE = (
    "Size L (`make bench SIZE=L`: 100k members, 10k pods, 1M posts, 3M comments, 10M impressions) is generated "
    "by COPY in about 2–3 minutes. Its metrics backfill (the metrics app's own code, so not part of that "
    "target) keeps the weeks and 28-day windows of the last 90 days, as at S, and the daily rollups of the "
    "last 14 (S: 90): a day costs ~42 s to roll up at L, and neither the dashboards' default weekly view nor "
    "the weighed pages read day rows. That backfill took 852 s here; L's dashboards and `/metrics/` weight "
    "are measured on it."
)

GENERIC = ("missed in this run; see the figure's spread (a shared 2-core machine) and the raw JSON before "
           "concluding anything.")


def note_for(figure_id: str) -> str:
    best = max((k for k in NOTES if figure_id.startswith(k)), key=len, default=None)
    return NOTES[best] if best else GENERIC
