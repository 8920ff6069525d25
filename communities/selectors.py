"""Reads for pages: feeds with keyset pagination, post pages, notifications."""

import base64
import json
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .models import Comment, ContentStatus, Notification, Post
from .permissions import readable_posts_q

FEED_PAGE_SIZE = 20
SORTS = {"new", "hot", "top"}
TOP_WINDOWS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30), "all": None}
# sort → (model field, cursor key)
_SORT_FIELD = {"new": "created_at", "hot": "hot_score", "top": "reaction_count"}


@dataclass
class FeedPage:
    posts: list[Post]
    next_cursor: str | None
    sort: str


def _encode_cursor(value, pk: int) -> str:
    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, sort: str):
    """Returns (value, pk) or None; a malformed cursor means the first page, never an error."""
    if not cursor:
        return None
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if sort == "new":
            from datetime import datetime

            value = datetime.fromisoformat(value)
        else:
            value = float(value)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def post_card_queryset(qs: QuerySet[Post]) -> QuerySet[Post]:
    """What a post card needs, in a fixed number of queries whatever the page length."""
    return qs.select_related("author", "pod", "poll").prefetch_related("tags", "images")


def feed(
    *, user, pod=None, sort: str = "new", top_window: str = "week", topic: str | None = None,
    species: str | None = None, cursor: str | None = None, page_size: int = FEED_PAGE_SIZE,
    following_only: bool = False,
) -> FeedPage:
    """One page of a place's feed (the Commons when pod is None), keyset-paginated on (sort key, id)."""
    sort = sort if sort in SORTS else "new"
    qs = Post.objects.filter(readable_posts_q(user))
    qs = qs.filter(pod=pod) if pod is not None else qs.filter(pod__isnull=True)
    if topic:
        qs = qs.filter(tags__kind="topic", tags__slug=topic)
    if species:
        qs = qs.filter(tags__kind="species", tags__slug=species)
    if following_only:
        qs = qs.filter(author__follower_links__follower_id=user.pk)
    if sort == "top" and TOP_WINDOWS.get(top_window):
        qs = qs.filter(created_at__gte=timezone.now() - TOP_WINDOWS[top_window])
    field = _SORT_FIELD[sort]
    after = _decode_cursor(cursor, sort)
    if after:
        value, pk = after
        qs = qs.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))
    rows = list(post_card_queryset(qs.order_by(f"-{field}", "-pk"))[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        next_cursor = _encode_cursor(getattr(last, field), last.pk)
    return FeedPage(posts=rows, next_cursor=next_cursor, sort=sort)


def pinned_posts(*, user, pod=None) -> list[Post]:
    qs = Post.objects.filter(readable_posts_q(user), pinned_at__isnull=False, segment__isnull=True)
    qs = qs.filter(pod=pod) if pod is not None else qs.filter(pod__isnull=True)
    return list(post_card_queryset(qs.order_by("-pinned_at"))[:5])


def post_with_comments(*, post: Post, user) -> list[Comment]:
    """Top-level comments with their replies, in two queries whatever their number."""
    visible = Q(status=ContentStatus.PUBLISHED)
    if getattr(user, "is_authenticated", False):
        visible |= Q(status=ContentStatus.HELD, author_id=user.pk)
    replies = Comment.objects.filter(visible).select_related("author").order_by("created_at", "id")
    return list(
        Comment.objects.filter(visible, post=post, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def notification_unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user).select_related("actor").order_by("-updated_at", "-id")[:limit]
    )
