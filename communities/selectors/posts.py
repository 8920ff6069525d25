"""Reads for pages: post cards and their per-viewer state, post pages, saved posts (feeds: `feeds`).

Every function here costs a fixed number of queries whatever the page length: related rows come by
select_related/prefetch, and per-viewer state (my reactions, my poll ballots) by one query per page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode

from .. import hooks
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
from ..policy import policy_for, readable_in_place_q, readable_posts_q
from ..segments import tag_choices
from .comments import CommentsPage, post_comments_page


def post_card_queryset(qs: QuerySet[Post]) -> QuerySet[Post]:
    """What a post card needs, in a fixed number of queries whatever the page length."""
    # The pet (its chip on the card, its species and breed in the API) comes in the same row: no query per card.
    return qs.select_related("author", "pod", "poll", "pet__species", "pet__breed").prefetch_related("tags", "images")


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
    # Almost every member has none, so ask for ids first: the card query's seven-table join costs
    # PostgreSQL ~2.5 ms to plan and Django ~4 ms to compile even when it finds nothing (bench.profile).
    ids = list(mine.order_by("-created_at", "-pk").values_list("pk", flat=True)[:IN_REVIEW_LIMIT])
    if not ids:
        return []
    rows = list(post_card_queryset(Post.objects.filter(pk__in=ids)).order_by("-created_at", "-pk"))
    # The policy decides on the rows (all of one place and one author, so all or none pass), which costs
    # no query once the viewer's roles are known; `filter_posts` in SQL made the statement cost more to
    # compile than to run.
    policy = policy_for(user)
    return decorate_posts([post for post in rows if policy.can_read_post(post)], user)


def held_notice(*, kind: str, pod_id: int | None) -> str:
    """What the author of a held post or comment reads at once: it waits for a moderator, for about as
    long as held content waits in this place (measured from the queue by moderation)."""
    hours = hooks.review_wait_hours(pod_id=pod_id)
    wait = f": usually within {hours} hour{'s' if hours != 1 else ''}" if hours else ""
    return f"Your {kind} is waiting for a moderator{wait}. Until then only you can see it."


_SAVED = "+saved"  # not a reaction kind: marks the viewer's saved posts in the one per-viewer query
_HIDDEN = "+hidden"  # marks posts by members the viewer blocked, where the caller asks (shared feed rows)


def viewer_marks(posts: list[Post], user, *, hidden: bool = False) -> dict[int, set[str]]:
    """Per post id, the kinds the viewer reacted with, `_SAVED` if they saved it and, with `hidden`,
    `_HIDDEN` if its author is someone they blocked: one query (a UNION) for any number of posts."""
    if not getattr(user, "is_authenticated", False) or not posts:
        return {}
    ids = [p.pk for p in posts]
    # Written by hand: every signed-in feed page asks this twice (its posts, its pinned posts), and the
    # ORM took ~6 ms to build and compile the UNION that PostgreSQL plans and runs in ~0.7 ms. Only names
    # from _meta are formatted in; every value is a parameter.
    in_ids = ", ".join(["%s"] * len(ids))
    reaction, saved, post = _names(Reaction, "post", "kind", "member"), _names(SavedPost, "post", "member"), \
        _names(Post, "id", "author")
    parts = [f"SELECT {reaction.post}, {reaction.kind} FROM {reaction.table} "  # noqa: S608
             f"WHERE {reaction.member} = %s AND {reaction.post} IN ({in_ids})",
             f"SELECT {saved.post}, %s FROM {saved.table} "  # noqa: S608
             f"WHERE {saved.member} = %s AND {saved.post} IN ({in_ids})"]
    params = [user.pk, *ids, _SAVED, user.pk, *ids]
    if hidden:
        for blocked in hooks.hidden_author_subqueries(member_id=user.pk):
            blocked_sql, blocked_params = blocked.query.sql_with_params()
            parts.append(f"SELECT {post.id}, %s FROM {post.table} "  # noqa: S608
                         f"WHERE {post.id} IN ({in_ids}) AND {post.author} IN ({blocked_sql})")
            params += [_HIDDEN, *ids, *blocked_params]
    mine: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for post_id, kind in cursor.fetchall():
            mine.setdefault(post_id, set()).add(kind)
    return mine


def _names(model, *fields: str) -> SimpleNamespace:
    """`model`'s quoted table (`.table`) and the quoted columns of `fields`, by field name."""
    quote = connection.ops.quote_name
    return SimpleNamespace(table=quote(model._meta.db_table),
                           **{name: quote(model._meta.get_field(name).column) for name in fields})


def is_hidden(marks: dict[int, set[str]], post: Post) -> bool:
    return _HIDDEN in marks.get(post.pk, ())


def decorate_posts(posts: list[Post], user, marks: dict[int, set[str]] | None = None) -> list[Post]:
    """Per-viewer state for cards: `viewer_reactions` (kinds), `viewer_saved` and poll choices/ballot, in
    ≤3 queries (reactions and saves come in one query, a UNION, so saving cost no page a query); none for
    reactions and saves when the caller already read `marks` (`viewer_marks`)."""
    mine = viewer_marks(posts, user) if marks is None else marks
    for post in posts:
        kinds = mine.get(post.pk, set())
        post.viewer_saved = _SAVED in kinds
        post.viewer_reactions = kinds - {_SAVED, _HIDDEN}
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
    thread: CommentsPage  # one page of its comments

    @property
    def comments(self) -> list[Comment]:
        return self.thread.comments


def post_page(*, post: Post, user, after: str | None = None, comment_id: int | None = None) -> PostPage:
    """The post (decorated) and one page of its comments with replies (`post_comments_page`), in a fixed
    number of queries whatever the thread's length."""
    decorate_posts([post], user)
    return PostPage(post=post, thread=post_comments_page(post=post, user=user, after=after, comment_id=comment_id))


def post_get(post_id: int) -> Post:
    """The post with what its card needs (the caller checks read access)."""
    return post_card_queryset(Post.objects.filter(pk=post_id)).get()


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


def species_options() -> list[tuple[str, str]]:
    """(slug, name) of every species tag, from the vocabulary cache the directory's forms use."""
    return tag_choices(Tag.Kind.SPECIES)


def feed_after(*, user, pod=None, after_id: int, limit: int = 50) -> list[Post]:
    """Live catch-up after a reconnect: readable posts of one place (the Commons when pod is None)
    newer than the newest id the browser holds, newest first, in a fixed number of queries."""
    qs = Post.objects.filter(readable_in_place_q(user, pod), pk__gt=after_id)
    return decorate_posts(list(post_card_queryset(qs.order_by("-pk"))[:limit]), user)
