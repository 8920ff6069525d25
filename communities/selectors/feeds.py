"""Feeds: one page of a place's posts (the Commons, or a pod), keyset-paginated, and its pinned posts.

Shared rows. A feed page's rows, the posts with everything their cards need (author, pod, poll, pet, tags,
images), are the same for every viewer in one audience of the place (`Policy.place_audience`: visitors and
members in the Commons; in a pod, its trusted members and everyone else who may read it). So they are read
once per audience and kept in the cache under the place's feed version and the policy version
(`communities.pagecache`), which the writes that change what a feed shows bump after commit, and for
`pagecache.TTL` seconds, which bounds how stale a re-ranked hot order may get.

What differs per viewer comes from one query for the page (`viewer_marks`): their reactions and saves, and
which of the authors they blocked, whose posts are dropped. The rows hold `SLACK` more posts than a page
shows, so a few blocked authors still leave a full page. A viewer takes their own query instead when they
do not, when the page's range holds a segmented announcement this viewer may read (the shared rows of the
Commons leave those out and note where they are), and always for the Following feed.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode

from .. import hooks, pagecache
from ..models import ContentStatus, Post, Tag
from ..policy import UNSEGMENTED, policy_for, readable_in_place_q
from .posts import decorate_posts, is_hidden, post_card_queryset, viewer_marks

FEED_PAGE_SIZE = 20
SORTS = {"new", "hot", "top"}
TOP_WINDOWS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30), "all": None}
# sort → model field the keyset cursor runs on (with id as the tie-breaker)
_SORT_FIELD = {"new": "created_at", "hot": "hot_score", "top": "reaction_count"}
_CURSOR_PARSE = {"new": datetime.fromisoformat, "hot": float, "top": int}
SLACK = 5  # shared rows past the page, for the posts of authors a viewer blocked
SEGMENTED_NOTED = 20  # segmented announcements noted per shared page; past that, members take their own query


@dataclass
class FeedPage:
    posts: list[Post]
    next_cursor: str | None
    sort: str
    top_window: str = "week"


@dataclass(frozen=True)
class _Spec:
    """What picks a page's rows in a place, besides who reads it."""

    sort: str
    top_window: str
    topic: str | None
    species: str | None
    after: tuple | None  # the decoded cursor: (sort value, id)
    exclude_pinned: bool
    page_size: int

    @property
    def field(self) -> str:
        return _SORT_FIELD[self.sort]


def feed(
    *, user, pod=None, sort: str = "new", top_window: str = "week", topic: str | None = None,
    species: str | None = None, cursor: str | None = None, page_size: int = FEED_PAGE_SIZE,
    following_only: bool = False, exclude_pinned: bool = False,
) -> FeedPage:
    """One page of a place's feed (the Commons when pod is None), keyset-paginated on (sort key, id)."""
    sort = sort if sort in SORTS else "new"
    top_window = top_window if top_window in TOP_WINDOWS else "week"
    spec = _Spec(sort, top_window, topic, species, cursor_decode(cursor, _CURSOR_PARSE[sort]), exclude_pinned,
                 page_size)
    shared = None if following_only else _from_shared_rows(user, pod, spec)
    if shared is None:
        rows, marks = _own_rows(user, pod, spec, following_only=following_only), None
    else:
        rows, marks = shared
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = cursor_encode(getattr(rows[-1], spec.field), rows[-1].pk)
    return FeedPage(posts=decorate_posts(rows, user, marks), next_cursor=next_cursor, sort=sort,
                    top_window=top_window)


def _in_order(qs: QuerySet[Post], spec: _Spec) -> QuerySet[Post]:
    """`qs` narrowed to the page's filters and range, in feed order."""
    # Tag filters use subqueries, not joins, so a post never appears twice on a page. A post about a pet
    # carries its species and breed tags (the post service adds them), so the species filter finds it
    # without a typed hashtag, and a card's breed tag (`?topic=maine-coon`) finds the posts about one.
    if spec.topic:
        qs = qs.filter(pk__in=Post.tags.through.objects.filter(tag__kind__in=[Tag.Kind.TOPIC, Tag.Kind.BREED],
                                                               tag__slug=spec.topic).values("post_id"))
    if spec.species:
        qs = qs.filter(pk__in=Post.tags.through.objects.filter(tag__kind=Tag.Kind.SPECIES, tag__slug=spec.species)
                       .values("post_id"))
    if spec.exclude_pinned:  # pinned posts sit above the feed; listing them twice would duplicate ids
        qs = qs.filter(pinned_at__isnull=True)
    if spec.sort == "top" and TOP_WINDOWS.get(spec.top_window):
        qs = qs.filter(created_at__gte=timezone.now() - TOP_WINDOWS[spec.top_window])
    if spec.after:
        value, pk = spec.after
        # The redundant `<=` bound lets the database range-scan the index instead of filtering an OR.
        qs = qs.filter(Q(**{f"{spec.field}__lte": value}),
                       Q(**{f"{spec.field}__lt": value}) | Q(**{spec.field: value, "pk__lt": pk}))
    return qs.order_by(f"-{spec.field}", "-pk")


def _own_rows(user, pod, spec: _Spec, *, following_only: bool) -> list[Post]:
    """This viewer's rows, read for them alone."""
    qs = Post.objects.filter(readable_in_place_q(user, pod))
    for hidden in hooks.hidden_author_subqueries(member_id=getattr(user, "pk", None)):
        qs = qs.exclude(author_id__in=hidden)  # members the viewer blocked (a subquery: no extra query)
    if following_only:
        qs = qs.filter(author__follower_links__follower_id=user.pk)
    return list(post_card_queryset(_in_order(qs, spec))[: spec.page_size + 1])


def _from_shared_rows(user, pod, spec: _Spec) -> tuple[list[Post], dict] | None:
    """The page's rows (one more than the page, when there are more) and the viewer's marks, from the rows
    shared by their audience; None when this viewer needs their own query."""
    policy = policy_for(user)
    audience = policy.place_audience(pod)
    if audience is None:
        return [], {}
    rows, complete, segmented = _shared_rows(pod, audience, spec)
    if segmented is None or policy.addressed_among(segmented):
        return None  # they read an announcement the audience does not
    marks = viewer_marks(rows, user, hidden=True)
    visible = [post for post in rows if not is_hidden(marks, post)]
    if len(visible) <= spec.page_size and not complete:
        return None  # blocked authors took more than the slack
    return _in_place(visible[: spec.page_size + 1], pod), marks


def _place(pod) -> str:
    return pagecache.commons() if pod is None else pagecache.pod(pod.pk)


def _in_place(rows: list[Post], pod) -> list[Post]:
    """Cached rows given the caller's pod row: its privacy as of now, not as cached."""
    if pod is not None:
        for post in rows:
            post.pod = pod
    return rows


def _shared_rows(pod, audience: tuple[str, Q], spec: _Spec) -> tuple[list[Post], bool, list | None]:
    """(rows, whether they are all the place has in this range, the segmented announcements in the range as
    (id, author id), or None when there are too many to note), cached per audience, place and version."""
    name, readable = audience
    place = _place(pod)
    shape = hashlib.md5(repr((name, spec)).encode(), usedforsecurity=False).hexdigest()
    key = f"feedrows:{pagecache.version_tag(place, pagecache.POLICY)}:{shape}"
    entry = cache.get(key)
    if entry is None:
        wanted = spec.page_size + 1 + SLACK
        # The password hash has no place on a card, nor in a cache entry.
        qs = post_card_queryset(_in_order(Post.objects.filter(readable), spec)).defer("author__password")
        rows = list(qs[:wanted])
        complete = len(rows) < wanted
        segmented = _segmented_in_range(spec, rows, complete) if name == UNSEGMENTED else []
        entry = (rows, complete, segmented)
        cache.set(key, entry, pagecache.TTL)
    return entry


def _segmented_in_range(spec: _Spec, rows: list[Post], complete: bool) -> list | None:
    """The Commons' segmented announcements that would fall among `rows` for someone who may read them."""
    qs = _in_order(Post.objects.filter(status=ContentStatus.PUBLISHED, pod__isnull=True, segment__isnull=False),
                   spec)
    if not complete:  # past the last shared row, a segmented post is never on this page
        value, pk = getattr(rows[-1], spec.field), rows[-1].pk
        qs = qs.filter(Q(**{f"{spec.field}__gt": value}) | Q(**{spec.field: value, "pk__gt": pk}))
    found = list(qs.values_list("pk", "author_id")[: SEGMENTED_NOTED + 1])
    return None if len(found) > SEGMENTED_NOTED else found


PINNED_SHOWN = 5
PINNED_SHARED = 20  # pinned rows kept per place; a place rarely has more than a handful


def pinned_posts(*, user, pod=None) -> list[Post]:
    """Pinned posts the viewer may read (segmented announcements only for their recipients), newest pin
    first, without those of members they blocked, decorated for the viewer.

    The rows come from a cache shared by every viewer of the place: the place's published pinned posts,
    fetched with the feed's card queryset, under the place's feed version (`communities.pagecache`), which
    every write that changes them bumps after commit (pin, unpin, edit, removal, deletion, new counts). The
    shared rows are what anyone may be shown; the policy then filters them for this viewer in Python
    (`can_read_post`: trusted-only posts, pods they may not read, segmented announcements, whose recipients
    `addressed_among` reads in one query), and `viewer_marks` adds their own state and whom they blocked in
    one more. A viewer who may read fewer than `PINNED_SHOWN` of a full shared list takes the uncached query.
    Entries also expire with the page cache's `TTL`, which bounds how stale an author's name may get.
    """
    rows, complete = _pinned_shared(pod)
    policy = policy_for(user)
    policy.addressed_among([(p.pk, p.author_id) for p in rows if p.segment is not None])
    readable = [p for p in _in_place(rows, pod) if policy.can_read_post(p)]
    if not complete and len(readable) < PINNED_SHOWN:
        qs = Post.objects.filter(readable_in_place_q(user, pod), pinned_at__isnull=False)
        readable = list(post_card_queryset(qs.order_by("-pinned_at", "-id"))[:PINNED_SHARED])
    marks = viewer_marks(readable, user, hidden=True)
    shown = [p for p in readable if not is_hidden(marks, p)][:PINNED_SHOWN]
    return decorate_posts(shown, user, marks)


def _pinned_shared(pod) -> tuple[list[Post], bool]:
    """The place's published pinned posts (undecorated, the same for every viewer) and whether that is all
    of them."""
    place = _place(pod)
    key = f"pinned:{place}:{pagecache.place_version(place)}"
    rows = cache.get(key)
    if rows is None:
        qs = Post.objects.filter(status=ContentStatus.PUBLISHED, pod=pod, pinned_at__isnull=False)
        # The password hash has no place on a card, nor in a cache entry.
        qs = post_card_queryset(qs.order_by("-pinned_at", "-id")).defer("author__password")
        rows = list(qs[: PINNED_SHARED + 1])
        cache.set(key, rows, pagecache.TTL)
    return rows[:PINNED_SHARED], len(rows) <= PINNED_SHARED
