"""Reads for pages: feeds with keyset pagination, post pages.

Every function here costs a fixed number of queries whatever the page length: related rows come by
select_related/prefetch, and per-viewer state (my reactions, my poll ballots) by one query per page.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import CharField, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode

from .. import hooks, pagecache
from ..models import (
    Comment,
    CommentRevision,
    ContentStatus,
    PollBallot,
    PollChoice,
    PollVote,
    Post,
    PostRevision,
    Reaction,
    SavedPost,
    Tag,
)
from ..policy import filter_posts, policy_for, readable_comments_q, readable_in_place_q, readable_posts_q
from ..services.comments import can_edit_comment

FEED_PAGE_SIZE = 20
SORTS = {"new", "hot", "top"}
TOP_WINDOWS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30), "all": None}
# sort → model field the keyset cursor runs on (with id as the tie-breaker)
_SORT_FIELD = {"new": "created_at", "hot": "hot_score", "top": "reaction_count"}


@dataclass
class FeedPage:
    posts: list[Post]
    next_cursor: str | None
    sort: str
    top_window: str = "week"


_CURSOR_PARSE = {"new": datetime.fromisoformat, "hot": float, "top": int}


def post_card_queryset(qs: QuerySet[Post]) -> QuerySet[Post]:
    """What a post card needs, in a fixed number of queries whatever the page length."""
    # The pet (its chip on the card, its species and breed in the API) comes in the same row: no query per card.
    return qs.select_related("author", "pod", "poll", "pet__species", "pet__breed").prefetch_related("tags", "images")


def feed(
    *, user, pod=None, sort: str = "new", top_window: str = "week", topic: str | None = None,
    species: str | None = None, cursor: str | None = None, page_size: int = FEED_PAGE_SIZE,
    following_only: bool = False, exclude_pinned: bool = False,
) -> FeedPage:
    """One page of a place's feed (the Commons when pod is None), keyset-paginated on (sort key, id)."""
    sort = sort if sort in SORTS else "new"
    top_window = top_window if top_window in TOP_WINDOWS else "week"
    qs = Post.objects.filter(readable_in_place_q(user, pod))
    for hidden in hooks.hidden_author_subqueries(member_id=getattr(user, "pk", None)):
        qs = qs.exclude(author_id__in=hidden)  # members the viewer blocked (a subquery: no extra query)
    # Tag filters use subqueries, not joins, so a post never appears twice on a page. A post about a pet
    # carries its species and breed tags (the post service adds them), so the species filter finds it
    # without a typed hashtag, and a card's breed tag (`?topic=maine-coon`) finds the posts about one.
    if topic:
        qs = qs.filter(pk__in=Post.tags.through.objects.filter(tag__kind__in=[Tag.Kind.TOPIC, Tag.Kind.BREED],
                                                               tag__slug=topic).values("post_id"))
    if species:
        qs = qs.filter(pk__in=Post.tags.through.objects.filter(tag__kind=Tag.Kind.SPECIES, tag__slug=species)
                       .values("post_id"))
    if following_only:
        qs = qs.filter(author__follower_links__follower_id=user.pk)
    if exclude_pinned:  # pinned posts sit above the feed; listing them twice would duplicate ids
        qs = qs.filter(pinned_at__isnull=True)
    if sort == "top" and TOP_WINDOWS.get(top_window):
        qs = qs.filter(created_at__gte=timezone.now() - TOP_WINDOWS[top_window])
    sort_field = _SORT_FIELD[sort]
    after = cursor_decode(cursor, _CURSOR_PARSE[sort])
    if after:
        value, pk = after
        # The redundant `<=` bound lets the database range-scan the index instead of filtering an OR.
        qs = qs.filter(Q(**{f"{sort_field}__lte": value}),
                       Q(**{f"{sort_field}__lt": value}) | Q(**{sort_field: value, "pk__lt": pk}))
    rows = list(post_card_queryset(qs.order_by(f"-{sort_field}", "-pk"))[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = cursor_encode(getattr(rows[-1], sort_field), rows[-1].pk)
    return FeedPage(posts=decorate_posts(rows, user), next_cursor=next_cursor, sort=sort, top_window=top_window)


IN_REVIEW_LIMIT = 5
REMOVED_SHOWN_DAYS = 14


def posts_in_review(*, user, pod=None) -> list[Post]:
    """The viewer's own posts in one place (the Commons when pod is None) that moderation took out of
    the feed: held ones (waiting for a moderator) and those of the last two weeks that a moderator
    removed (with the reason). Shown above the feed to their author alone; one query when there is none."""
    if not getattr(user, "is_authenticated", False):
        return []
    since = timezone.now() - timedelta(days=REMOVED_SHOWN_DAYS)
    mine = Post.objects.filter(author_id=user.pk, pod=pod, created_at__gte=since,
                               status__in=[ContentStatus.HELD, ContentStatus.REMOVED])
    rows = list(post_card_queryset(filter_posts(user, mine).order_by("-created_at", "-pk"))[:IN_REVIEW_LIMIT])
    return decorate_posts(rows, user)


def held_notice(*, kind: str, pod_id: int | None) -> str:
    """What the author of a held post or comment reads at once: it waits for a moderator, for about as
    long as held content waits in this place (measured from the queue by moderation)."""
    hours = hooks.review_wait_hours(pod_id=pod_id)
    wait = f": usually within {hours} hour{'s' if hours != 1 else ''}" if hours else ""
    return f"Your {kind} is waiting for a moderator{wait}. Until then only you can see it."


PINNED_SHOWN = 5
PINNED_SHARED = 20  # pinned rows kept per place; a place rarely has more than a handful


def pinned_posts(*, user, pod=None) -> list[Post]:
    """Pinned posts the viewer may read (segmented announcements only for their recipients), newest pin
    first, decorated for the viewer.

    The rows come from a cache shared by every viewer of the place: the place's published pinned posts,
    fetched with the feed's card queryset, under the place's feed version (`communities.pagecache`), which
    every write that changes them bumps after commit (pin, unpin, edit, removal, deletion, new counts). The
    shared rows are what anyone may be shown; the policy then filters them for this viewer in Python
    (`can_read_post`: trusted-only posts, pods they may not read), which costs no query once their roles
    are known, and `decorate_posts` adds their own state. A segmented announcement would need a query per
    row to know its recipients, so a viewer who is not a manager takes the uncached query instead while the
    place has one pinned; so does a viewer who may read fewer than `PINNED_SHOWN` of a full shared list.
    Entries also expire with the page cache's `TTL`, which bounds how stale an author's name may get.
    """
    rows, complete = _pinned_shared(pod)
    policy = policy_for(user)
    if policy.is_manager or not any(p.segment is not None for p in rows):
        for post in rows:
            if pod is not None:
                post.pod = pod  # the caller's pod row: its privacy as of now, not as cached
        readable = [p for p in rows if policy.can_read_post(p)]
        if complete or len(readable) >= PINNED_SHOWN:
            return decorate_posts(readable[:PINNED_SHOWN], user)
    qs = Post.objects.filter(readable_in_place_q(user, pod), pinned_at__isnull=False)
    return decorate_posts(list(post_card_queryset(qs.order_by("-pinned_at", "-id"))[:PINNED_SHOWN]), user)


def _pinned_shared(pod) -> tuple[list[Post], bool]:
    """The place's published pinned posts (undecorated, the same for every viewer) and whether that is all
    of them."""
    place = pagecache.commons() if pod is None else pagecache.pod(pod.pk)
    key = f"pinned:{place}:{pagecache.place_version(place)}"
    rows = cache.get(key)
    if rows is None:
        qs = Post.objects.filter(status=ContentStatus.PUBLISHED, pod=pod, pinned_at__isnull=False)
        # The password hash has no place on a card, nor in a cache entry.
        qs = post_card_queryset(qs.order_by("-pinned_at", "-id")).defer("author__password")
        rows = list(qs[: PINNED_SHARED + 1])
        cache.set(key, rows, pagecache.TTL)
    return rows[:PINNED_SHARED], len(rows) <= PINNED_SHARED


_SAVED = "+saved"  # not a reaction kind: marks the viewer's saved posts in the one per-viewer query


def decorate_posts(posts: list[Post], user) -> list[Post]:
    """Per-viewer state for cards: `viewer_reactions` (kinds), `viewer_saved` and poll choices/ballot, in
    ≤3 queries (reactions and saves come in one query, a UNION, so saving cost no page a query)."""
    authed = getattr(user, "is_authenticated", False)
    mine: dict[int, set[str]] = {}
    if authed and posts:
        ids = [p.pk for p in posts]
        reactions = Reaction.objects.filter(member_id=user.pk, post_id__in=ids).values_list("post_id", "kind")
        saves = SavedPost.objects.filter(member_id=user.pk, post_id__in=ids).annotate(
            kind=Value(_SAVED, output_field=CharField())).values_list("post_id", "kind")
        for post_id, kind in reactions.union(saves, all=True):
            mine.setdefault(post_id, set()).add(kind)
    for post in posts:
        kinds = mine.get(post.pk, set())
        post.viewer_saved = _SAVED in kinds
        post.viewer_reactions = kinds - {_SAVED}
    polls = [poll for poll in (p.poll_or_none for p in posts) if poll is not None]
    if polls:
        decorate_polls(polls, user)
    return posts


def decorate_polls(polls: list, user) -> None:
    choices: dict[int, list[PollChoice]] = {}
    for choice in PollChoice.objects.filter(poll__in=polls).order_by("position", "id"):
        choices.setdefault(choice.poll_id, []).append(choice)
    voted, picked = set(), set()
    if getattr(user, "is_authenticated", False):
        voted = set(PollBallot.objects.filter(member_id=user.pk, poll__in=polls).values_list("poll_id", flat=True))
        if voted:
            picked = set(PollVote.objects.filter(member_id=user.pk, poll_id__in=voted)
                         .values_list("choice_id", flat=True))
    for poll in polls:
        poll.choice_list = choices.get(poll.pk, [])
        poll.viewer_voted = poll.pk in voted
        poll.show_results = poll.viewer_voted or poll.is_closed
        for choice in poll.choice_list:
            choice.viewer_picked = choice.pk in picked
            choice.percent = round(100 * choice.vote_count / poll.voter_count) if poll.voter_count else 0


@dataclass
class PostPage:
    post: Post
    comments: list[Comment] = field(default_factory=list)


def post_page(*, post: Post, user) -> PostPage:
    """The post (decorated) and its comments with replies, in a fixed number of queries."""
    decorate_posts([post], user)
    return PostPage(post=post, comments=post_with_comments(post=post, user=user))


def post_get(post_id: int) -> Post:
    """The post with what its card needs (the caller checks read access)."""
    return post_card_queryset(Post.objects.filter(pk=post_id)).get()


def post_with_comments(*, post: Post, user) -> list[Comment]:
    """Top-level comments with their replies, and the viewer's reactions on them: 3 queries whatever
    their number. A deleted top-level comment stays as a placeholder while it has visible replies. Held and
    removed comments show to their author only (the policy's `readable_comments_q`)."""
    visible = readable_comments_q(user)  # published, and the viewer's own held or removed ones (marked)
    for hidden in hooks.hidden_author_subqueries(member_id=getattr(user, "pk", None)):
        visible &= ~Q(author_id__in=hidden)  # members the viewer blocked, with their replies
    replies = Comment.objects.filter(visible).select_related("author").order_by("created_at", "id")
    top = list(
        Comment.objects.filter(visible | Q(status=ContentStatus.DELETED), post=post, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .order_by("created_at", "id")
    )
    top = [c for c in top if c.status != ContentStatus.DELETED or c.visible_replies]
    every = top + [r for c in top for r in c.visible_replies]
    mine: dict[int, set[str]] = {}
    if getattr(user, "is_authenticated", False) and every:
        for comment_id, kind in Reaction.objects.filter(member_id=user.pk, comment_id__in=[c.pk for c in every]) \
                .values_list("comment_id", "kind"):
            mine.setdefault(comment_id, set()).add(kind)
    for comment in every:
        comment.viewer_reactions = mine.get(comment.pk, set())
        comment.viewer_can_edit = can_edit_comment(user, comment, post=post)
        # Only the author learns that an edit of theirs waits for a moderator.
        comment.viewer_edit_pending = bool(comment.pending_body) and comment.author_id == getattr(user, "pk", None)
    return top


def post_revisions(*, post: Post) -> list[PostRevision]:
    return list(post.revisions.all())


def comment_revisions(*, comment: Comment) -> list[CommentRevision]:
    return list(comment.revisions.all())


SAVED_PAGE_SIZE = 20


@dataclass
class SavedPage:
    posts: list[Post]  # each with `saved_at`
    next_cursor: str | None
    count: int  # every saved post the member may still read, not only this page's


def saved_posts_page(*, user, cursor: str | None = None, page_size: int = SAVED_PAGE_SIZE) -> SavedPage:
    """The member's saved posts, most recently saved first, keyset-paginated on (saved at, save id).

    Only what they may read now, through the policy (published, in a place they may read, addressed to
    them): a post that was removed, held, deleted or made private, or that sits in a pod they left,
    is neither listed nor counted, and comes back if they may read it again. Members they blocked are
    left out as in the feeds. A fixed number of queries whatever the page or its depth."""
    saves = SavedPost.objects.filter(readable_posts_q(user, "post__"), member_id=user.pk)
    for hidden in hooks.hidden_author_subqueries(member_id=user.pk):
        saves = saves.exclude(post__author_id__in=hidden)
    count = saves.count()
    after = cursor_decode(cursor, datetime.fromisoformat)
    page = saves
    if after:
        value, pk = after
        page = page.filter(Q(created_at__lte=value), Q(created_at__lt=value) | Q(created_at=value, pk__lt=pk))
    rows = list(page.order_by("-created_at", "-pk").values_list("pk", "post_id", "created_at")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = cursor_encode(rows[-1][2], rows[-1][0])
    cards = {p.pk: p for p in post_card_queryset(Post.objects.filter(pk__in=[r[1] for r in rows]))} if rows else {}
    posts = []
    for _, post_id, saved_at in rows:
        post = cards[post_id]
        post.saved_at = saved_at
        posts.append(post)
    return SavedPage(posts=decorate_posts(posts, user), next_cursor=next_cursor, count=count)


def species_options() -> list[Tag]:
    return list(Tag.objects.filter(kind=Tag.Kind.SPECIES).only("slug", "name").order_by("name"))


def feed_after(*, user, pod=None, after_id: int, limit: int = 50) -> list[Post]:
    """Live catch-up after a reconnect: readable posts of one place (the Commons when pod is None)
    newer than the newest id the browser holds, newest first, in a fixed number of queries."""
    qs = Post.objects.filter(readable_in_place_q(user, pod), pk__gt=after_id)
    return decorate_posts(list(post_card_queryset(qs.order_by("-pk"))[:limit]), user)
