"""Search: the search page's selector, so the same read policy decides what is found and counted."""

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from search.selectors import MAX_PAGE, SCOPES, SearchFilters, search

from .. import presenters
from ..auth import READ, require_scope
from ..responses import answers
from ..schemas import SearchDate, SearchOut, SearchScope

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field(default="", max_length=200, description='Words; `"a phrase"` keeps words together, '
                                                           '`-word` leaves a word out.')
    scope: SearchScope = "posts"
    pod: str | None = Field(default=None, max_length=80, description="Only in this pod (its slug).")
    species: str | None = Field(default=None, max_length=60, description="A species tag's slug.")
    author: str | None = Field(default=None, max_length=150, description="A username.")
    after: SearchDate | None = None
    before: SearchDate | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@router.get("/search", response=answers(SearchOut))
def search_all(request, f: Query[SearchQuery]):
    """Posts, comments, pods or members matching `q`: one page (20) of the chosen scope and the count
    of every scope. Only what the caller may read is ever found or counted: never a private pod's
    posts, a trusted-only post they may not read, a held or removed post, or an unlisted pod."""
    require_scope(request, READ)
    if f.after and f.before and f.after > f.before:
        raise ValidationError({"before": "Pick an end date on or after the start date."})
    filters = SearchFilters(q=f.q.strip(), scope=f.scope, pod=f.pod or None, species=f.species or None,
                            author=(f.author or "").strip().lstrip("@") or None, after=f.after, before=f.before)
    results = search(user=request.user, filters=filters, page=f.page)
    return {"counts": {scope: results.counts.get(scope, 0) for scope in SCOPES},
            "capped": [scope for scope in SCOPES if scope in results.capped],
            "items": [presenters.search_hit(hit) for hit in results.hits], "page": results.page,
            "has_next": results.has_next}
