"""Search over posts, comments, pods and members, through the one read policy.

Every query starts from what the viewer may read (published posts of places they may read, comments
on those, pods they may know, active members), then matches the text. So a private, trusted-only,
held, removed or unlisted item is never found, never counted and never quoted in a snippet.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import SafeString

from communities import hooks
from communities.models import Comment, ContentStatus, Post, Tag
from communities.policy import filter_pods, readable_posts_q

from .documents import CONFIG, stores_vectors
from .models import CommentDocument, PostDocument
from .text import START, STOP, headline_html, highlight, query_terms

SCOPES = ("posts", "comments", "pods", "members")
PAGE_SIZE = 20
MAX_PAGE = 10  # ranked results: ten pages is more than anyone reads, and keeps OFFSET small
# Tabs count up to what the pages can show (ten pages of twenty) and then say "200+", as Discourse says
# "50+": a figure past the last page promises results nobody can reach, and counting it would read every
# match and check its read policy on each request (a common word matches thousands of posts).
COUNT_CAP = MAX_PAGE * PAGE_SIZE
# A ranked page reads the top (offset + page + 1 + CANDIDATE_SLACK) matches by rank, then applies the read
# check to them in order: PostgreSQL then keeps a small top-N heap instead of sorting every match (4,802
# for "dog" at size S: the statement 12.7 -> 11.6 ms; ranking still reads every match). The slack covers
# matches the viewer may not read; should the check reject more than that, the page is read again over
# every match.
CANDIDATE_SLACK = 30


@dataclass(frozen=True)
class SearchFilters:
    q: str
    scope: str = "posts"
    pod: str | None = None  # slug
    species: str | None = None  # species tag slug
    author: str | None = None  # username
    after: date | None = None
    before: date | None = None


@dataclass
class Hit:
    kind: str  # "post", "comment", "pod", "member"
    obj: object
    snippet: SafeString | str
    url: str


@dataclass
class SearchResults:
    filters: SearchFilters
    counts: dict[str, int] = field(default_factory=dict)  # at most COUNT_CAP each
    capped: frozenset[str] = frozenset()  # scopes with more than COUNT_CAP results
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def total(self) -> int:
        return self.counts.get(self.filters.scope, 0)

    def count_label(self, scope: str) -> str:
        """A tab's count as shown: "7", or "200+" past the cap."""
        count = self.counts.get(scope, 0)
        return f"{count:,}+" if scope in self.capped else str(count)

    @property
    def total_label(self) -> str:
        return self.count_label(self.filters.scope)

    @property
    def tabs(self) -> list[tuple[str, str]]:
        return [(scope, self.count_label(scope)) for scope in self.counts]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _readable_posts(user) -> QuerySet[Post]:
    return Post.objects.filter(readable_posts_q(user))


def _without_hidden_authors(qs: QuerySet, user) -> QuerySet:
    """Members the viewer blocked stay out of their results (the core's `hidden_authors` hook)."""
    for subquery in hooks.hidden_author_subqueries(member_id=getattr(user, "pk", None)):
        qs = qs.exclude(author_id__in=subquery)
    return qs


def _place_filters(qs: QuerySet, f: SearchFilters, *, via: str = "") -> QuerySet:
    """pod, species, author and dates; `via` is "post__" when filtering comments by their post."""
    if f.pod:
        qs = qs.filter(**{f"{via}pod__slug": f.pod})
    if f.species:
        tagged = Post.tags.through.objects.filter(tag__kind=Tag.Kind.SPECIES, tag__slug=f.species).values("post_id")
        qs = qs.filter(**{f"{via}pk__in" if via else "pk__in": tagged})
    if f.author:
        qs = qs.filter(author__username__iexact=f.author)
    if f.after:
        qs = qs.filter(created_at__gte=_day_start(f.after))
    if f.before and f.before < date.max:  # the last day there is has no day after it to stop at
        qs = qs.filter(created_at__lt=_day_start(f.before + timedelta(days=1)))
    return qs


def _text_q(field_names: tuple[str, ...], q: str) -> Q:
    """The fallback match: every wanted word in one of the fields, no excluded word in any."""
    wanted, excluded = query_terms(q)
    match = Q()
    for term in wanted:
        match &= _any_field(field_names, term)
    for term in excluded:
        match &= ~_any_field(field_names, term)
    return match if wanted else Q(pk__in=[])


def _any_field(field_names: tuple[str, ...], term: str) -> Q:
    either = Q()
    for name in field_names:
        either |= Q(**{f"{name}__icontains": term})
    return either


def _ts_query(q: str) -> SearchQuery:
    return SearchQuery(q, search_type="websearch", config=CONFIG)


def _post_rows(user, f: SearchFilters) -> QuerySet[Post]:
    """Posts the viewer may read, narrowed by the filters and their blocks; the text not yet matched."""
    return _without_hidden_authors(_place_filters(_readable_posts(user), f), user)


def _comment_rows(user, f: SearchFilters) -> QuerySet[Comment]:
    """Published comments on posts the viewer may read (the post's read policy through its foreign key, so
    one comment is checked with a few primary-key lookups), narrowed by the filters and their blocks."""
    qs = Comment.objects.filter(Q(status=ContentStatus.PUBLISHED) & readable_posts_q(user, "post__"))
    return _without_hidden_authors(_place_filters(qs, f, via="post__"), user)


def post_matches(*, user, filters: SearchFilters) -> QuerySet[Post]:
    qs = _post_rows(user, filters)
    if stores_vectors():
        return qs.filter(search_document__vector=_ts_query(filters.q))
    return qs.filter(_text_q(("body",), filters.q))


def comment_matches(*, user, filters: SearchFilters) -> QuerySet[Comment]:
    qs = _comment_rows(user, filters)
    if stores_vectors():
        return qs.filter(search_document__vector=_ts_query(filters.q))
    return qs.filter(_text_q(("body",), filters.q))


def pod_matches(*, user, filters: SearchFilters):
    return filter_pods(user).filter(_text_q(("name", "description"), filters.q))


def member_matches(*, user, filters: SearchFilters):
    """The member directory is for signed-in members, so is searching it."""
    if not getattr(user, "is_authenticated", False):
        return get_user_model().objects.none()
    return get_user_model().objects.filter(is_active=True, deleted_at__isnull=True).filter(
        _text_q(("username", "display_name"), filters.q))


_MATCHERS = {"posts": post_matches, "comments": comment_matches, "pods": pod_matches, "members": member_matches}
# PostgreSQL: posts and comments are matched from their stored documents (below).
_DOCUMENTS = {"posts": (PostDocument, "post_id", _post_rows),
              "comments": (CommentDocument, "comment_id", _comment_rows)}
_RELATED = {"posts": ("author", "pod"), "comments": ("author", "post", "post__pod", "post__author")}
# What a hit shows (templates/search/results.html, `_hit`): a page loads these columns of its rows and
# their authors and places, not every column of three tables.
_NAME = ("username", "display_name", "deleted_at")  # User.name
_SHOWN = {
    "posts": ("body", "created_at", "pod__slug", "pod__name", *(f"author__{n}" for n in _NAME)),
    "comments": ("body", "created_at", "post__pod__name", *(f"author__{n}" for n in _NAME),
                 *(f"post__author__{n}" for n in _NAME)),
}


@dataclass(frozen=True)
class _ReadCheck:
    """One scope's read policy as SQL, compiled once per search: a scalar subquery that yields the row's
    key when the viewer may read the post or comment `"doc".<key>` names, else NULL. The capped count and
    the ranked page both wrap it around the matching documents.

    It is a scalar subquery on the document's key, which PostgreSQL runs per matching document and never
    turns into a join: a join let the planner hash the whole posts table for a common word. So a capped
    count stops after COUNT_CAP readable matches, and a page checks only the documents it ranks."""
    table: str
    key: str
    sql: str
    params: tuple

    @classmethod
    def build(cls, scope: str, readable_rows: QuerySet) -> "_ReadCheck":
        model, key, _ = _DOCUMENTS[scope]
        # Only names from _meta are formatted in; every value is a parameter.
        check = readable_rows.filter(pk=RawSQL(f'"doc"."{key}"', ())).values("pk")[:1]  # noqa: S611
        sql, params = check.query.sql_with_params()
        return cls(model._meta.db_table, key, sql, tuple(params))


_TS_QUERY = "websearch_to_tsquery(%s::regconfig, %s)"  # the same as _ts_query, for the hand-written SQL


def _document_matches_sql(f: SearchFilters, check: _ReadCheck) -> tuple[str, tuple]:
    """The readable matching documents' keys, at most one past COUNT_CAP."""
    sql = (f'SELECT "doc"."{check.key}" FROM "{check.table}" "doc" '  # noqa: S608 (names from _meta)
           f'WHERE "doc"."vector" @@ {_TS_QUERY} AND ({check.sql}) IS NOT NULL LIMIT %s')
    return sql, (CONFIG, f.q, *check.params, COUNT_CAP + 1)


def search(*, user, filters: SearchFilters, page: int = 1) -> SearchResults:
    """Counts per scope (capped at COUNT_CAP) in one statement and one ranked page of the chosen scope:
    two queries whatever the page length (and the viewer's roles once), one when the scope has nothing
    to show."""
    results = SearchResults(filters=filters, page=min(max(page, 1), MAX_PAGE))
    if not query_terms(filters.q)[0]:
        return results
    checks = ({scope: _ReadCheck.build(scope, rows(user, filters)) for scope, (_, _, rows) in _DOCUMENTS.items()}
              if stores_vectors() else {})
    found = _capped_counts({scope: (_document_matches_sql(filters, checks[scope]) if scope in checks
                                    else _limited_sql(_MATCHERS[scope](user=user, filters=filters)))
                            for scope in SCOPES})
    results.counts = {scope: min(n, COUNT_CAP) for scope, n in found.items()}
    results.capped = frozenset(scope for scope, n in found.items() if n > COUNT_CAP)
    start = (results.page - 1) * PAGE_SIZE
    if found[filters.scope] <= start:  # nothing (more) to show: the count already said so
        return results
    rows = _page_rows(user, filters, start, checks, expected=min(found[filters.scope] - start, PAGE_SIZE + 1))
    results.hits = [_hit(filters, row) for row in rows[:PAGE_SIZE]]
    results.has_next = len(rows) > PAGE_SIZE and results.page < MAX_PAGE
    return results


def _limited_sql(qs: QuerySet) -> tuple[str, tuple] | None:
    """The queryset's keys, at most one past COUNT_CAP, as SQL; None when it cannot match anything (e.g.
    members for an anonymous viewer), so nothing is asked of the database."""
    try:
        sql, params = qs.order_by().values("pk")[:COUNT_CAP + 1].query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def _capped_counts(matches: dict[str, tuple[str, tuple] | None]) -> dict[str, int]:
    """How many rows each scope's LIMITed SQL yields, in one statement: a COUNT over each, so PostgreSQL
    stops reading matches (and checking their read policy) once it has enough, and the four tabs cost
    one round trip."""
    found, parts, params = {}, [], []
    for scope, limited in matches.items():
        if limited is None:
            found[scope] = 0
            continue
        sql, scope_params = limited
        parts.append((scope, f"(SELECT COUNT(*) FROM ({sql}) AS n_{scope})"))  # noqa: S608 (our SCOPES)
        params.extend(scope_params)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(sql for _, sql in parts), params)
            found.update(zip((scope for scope, _ in parts), cursor.fetchone(), strict=True))
    return {scope: found[scope] for scope in matches}


def _page_rows(user, f: SearchFilters, start: int, checks: dict[str, _ReadCheck], *, expected: int) -> list:
    """The page's rows from `start`, and one more (so the caller knows whether a next page exists);
    `expected` is how many the capped count promises."""
    end = start + PAGE_SIZE + 1
    if f.scope == "pods":
        return list(pod_matches(user=user, filters=f).order_by("-member_count", "name")[start:end])
    if f.scope == "members":
        return list(member_matches(user=user, filters=f).order_by("username")[start:end])
    if not stores_vectors():
        qs = _MATCHERS[f.scope](user=user, filters=f).select_related(*_RELATED[f.scope]).only(*_shown(f.scope))
        return list(qs.order_by("-created_at", "-id")[start:end])
    rows = _ranked_page(f, start, checks[f.scope], candidates=start + PAGE_SIZE + 1 + CANDIDATE_SLACK)
    if len(rows) < expected:  # the read check rejected more than the slack among the top matches
        rows = _ranked_page(f, start, checks[f.scope], candidates=None)
    return rows


def _ranked_page(f: SearchFilters, start: int, check: _ReadCheck, *, candidates: int | None) -> list:
    """The page's posts or comments with their authors and places, quoted (SearchHeadline for these rows
    only), in rank order: one statement around `_page_ids`."""
    query = _ts_query(f.q)
    headline = SearchHeadline("body", query, config=CONFIG, start_sel=START, stop_sel=STOP,
                              max_words=35, min_words=15, max_fragments=2)
    source = Post if f.scope == "posts" else Comment
    qs = (source.objects.filter(pk__in=_page_ids(f, start, check, candidates))
          .select_related(*_RELATED[f.scope]).only(*_shown(f.scope))
          .annotate(rank=SearchRank(F("search_document__vector"), query), headline=headline))
    return list(qs.order_by("-rank", F("search_document__created_at").desc(nulls_last=True), "-id"))


def _shown(scope: str) -> tuple[str, ...]:
    return (*_RELATED[scope], *_SHOWN[scope])


def _page_ids(f: SearchFilters, start: int, check: _ReadCheck, candidates: int | None) -> RawSQL:
    """The ids of the page's rows (and one more): the matching documents ranked and sorted on their own
    columns (rank, their copy of created_at, their key), the top `candidates` of them (all when None),
    then the read check in that order until the page is full.

    The LIMIT (or OFFSET 0) keeps PostgreSQL from merging the sorted subquery into the outer query, so it
    reads the documents in rank order and checks only as many as the page needs, instead of checking
    every match and then sorting."""
    key = check.key
    bound, bound_params = ("LIMIT %s", (candidates,)) if candidates is not None else ("OFFSET 0", ())
    ranked = (f'SELECT "{key}", ts_rank("vector", {_TS_QUERY}) AS "rank", "created_at" '  # noqa: S608
              f'FROM "{check.table}" WHERE "vector" @@ {_TS_QUERY} '
              f'ORDER BY 2 DESC, 3 DESC NULLS LAST, 1 DESC {bound}')
    sql = (f'SELECT "doc"."{key}" FROM ({ranked}) "doc" WHERE ({check.sql}) IS NOT NULL '  # noqa: S608
           f'ORDER BY "doc"."rank" DESC, "doc"."created_at" DESC NULLS LAST, "doc"."{key}" DESC '
           "LIMIT %s OFFSET %s")
    params = (CONFIG, f.q, CONFIG, f.q, *bound_params, *check.params, PAGE_SIZE + 1, start)
    return RawSQL(sql, params)  # noqa: S611


def _snippet(f: SearchFilters, row, text: str) -> SafeString:
    if getattr(row, "headline", None) is not None:
        return headline_html(row.headline)
    return highlight(text, query_terms(f.q)[0])


def _hit(f: SearchFilters, row) -> Hit:
    if f.scope == "posts":
        return Hit("post", row, _snippet(f, row, row.body), row.get_absolute_url())
    if f.scope == "comments":
        return Hit("comment", row, _snippet(f, row, row.body), row.get_absolute_url())
    if f.scope == "pods":
        return Hit("pod", row, highlight(row.description or row.name, query_terms(f.q)[0]), f"/pods/{row.slug}/")
    return Hit("member", row, "", f"/members/{row.username}/")
