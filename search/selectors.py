"""Search over posts, comments, pods and members, through the one read policy.

Every query starts from what the viewer may read (published posts of places they may read, comments
on those, pods they may know, active members), then matches the text. So a private, trusted-only,
held, removed or unlisted item is never found, never counted and never quoted in a snippet.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from communities import hooks
from communities.models import Comment, ContentStatus, Post, Tag
from communities.policy import filter_pods, readable_posts_q

from .documents import CONFIG, stores_vectors
from .text import START, STOP, headline_html, highlight, query_terms

SCOPES = ("posts", "comments", "pods", "members")
PAGE_SIZE = 20
MAX_PAGE = 10  # ranked results: ten pages is more than anyone reads, and keeps OFFSET small


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
    counts: dict[str, int] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def total(self) -> int:
        return self.counts.get(self.filters.scope, 0)


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


def post_matches(*, user, filters: SearchFilters) -> QuerySet[Post]:
    qs = _without_hidden_authors(_place_filters(_readable_posts(user), filters), user)
    if stores_vectors():
        query = SearchQuery(filters.q, search_type="websearch", config=CONFIG)
        return qs.filter(search_document__vector=query).annotate(
            rank=SearchRank(F("search_document__vector"), query))
    return qs.filter(_text_q(("body",), filters.q))


def comment_matches(*, user, filters: SearchFilters) -> QuerySet[Comment]:
    qs = Comment.objects.filter(status=ContentStatus.PUBLISHED, post__in=_readable_posts(user).values("pk"))
    qs = _without_hidden_authors(_place_filters(qs, filters, via="post__"), user)
    if stores_vectors():
        query = SearchQuery(filters.q, search_type="websearch", config=CONFIG)
        return qs.filter(search_document__vector=query).annotate(
            rank=SearchRank(F("search_document__vector"), query))
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


def search(*, user, filters: SearchFilters, page: int = 1) -> SearchResults:
    """Counts per scope and one ranked page of the chosen scope: five queries whatever the page length."""
    results = SearchResults(filters=filters, page=min(max(page, 1), MAX_PAGE))
    if not query_terms(filters.q)[0]:
        return results
    results.counts = {scope: matcher(user=user, filters=filters).count() for scope, matcher in _MATCHERS.items()}
    start = (results.page - 1) * PAGE_SIZE
    rows = list(_page_rows(user, filters)[start:start + PAGE_SIZE + 1])
    results.hits = [_hit(filters, row) for row in rows[:PAGE_SIZE]]
    results.has_next = len(rows) > PAGE_SIZE and results.page < MAX_PAGE
    return results


def _page_rows(user, f: SearchFilters):
    qs = _MATCHERS[f.scope](user=user, filters=f)
    if f.scope == "pods":
        return qs.order_by("-member_count", "name")
    if f.scope == "members":
        return qs.select_related(None).order_by("username")
    if f.scope == "comments":
        qs = qs.select_related("author", "post", "post__pod", "post__author")
    else:
        qs = qs.select_related("author", "pod")
    if not stores_vectors():
        return qs.order_by("-created_at", "-id")
    query = SearchQuery(f.q, search_type="websearch", config=CONFIG)
    headline = SearchHeadline("body", query, config=CONFIG, start_sel=START, stop_sel=STOP,
                              max_words=35, min_words=15, max_fragments=2)
    return qs.annotate(headline=headline).order_by("-rank", "-created_at", "-id")


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
