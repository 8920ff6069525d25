"""Comments under a post: a page of top-level comments (oldest first) with their replies.

A post page shows `COMMENTS_PAGE_SIZE` top-level comments and the first `REPLIES_SHOWN` replies of each;
the rest come by a keyset cursor on (created at, id), never OFFSET, so a page costs the same queries and
rows whatever the thread's length. A link to one comment (`?comment=<pk>`) starts the page at its
top-level comment unless that sits on the first page, and shows that one thread's replies in full.

What a viewer may read is the policy's `readable_comments_q` less members they blocked; a deleted
top-level comment stays as a placeholder while it has replies they may read. Every page, count and
"N more" is taken from those rows only, so a comment the viewer may not read is never shown or counted.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber

from common.cursors import cursor_decode, cursor_encode

from .. import hooks
from ..models import Comment, ContentStatus, Post, Reaction
from ..policy import readable_comments_q
from ..services.comments import can_edit_comment

COMMENTS_PAGE_SIZE = 50
REPLIES_SHOWN = 10  # per top-level comment on a page; a "N more replies" link shows the whole thread


@dataclass
class CommentsPage:
    comments: list[Comment]  # each with `visible_replies` and `more_replies` (readable replies not shown)
    next_cursor: str | None  # the page after this one, None on the last
    more: int  # readable top-level comments after this page
    earlier: bool  # the page does not start at the first comment (a cursor, or a linked comment)


def _visible_q(user) -> Q:
    """Published comments and the viewer's own held or removed ones, less members the viewer blocked."""
    visible = readable_comments_q(user)
    for hidden in hooks.hidden_author_subqueries(member_id=getattr(user, "pk", None)):
        visible &= ~Q(author_id__in=hidden)
    return visible


def _top_level(post: Post, visible: Q) -> QuerySet[Comment]:
    """The post's top-level comments the viewer sees, each with `reply_total` (the replies they may read)."""
    replies = Comment.objects.filter(visible, parent_id=OuterRef("pk"))
    total = replies.order_by().values("parent_id").annotate(n=Count("pk")).values("n")
    return (Comment.objects.filter(visible | Q(status=ContentStatus.DELETED) & Exists(replies),
                                   post=post, parent__isnull=True)
            .annotate(reply_total=Coalesce(Subquery(total, output_field=IntegerField()), 0))
            .select_related("author").order_by("created_at", "id"))


def _from_key(qs: QuerySet[Comment], key: tuple[datetime, int], *, inclusive: bool) -> QuerySet[Comment]:
    value, pk = key
    same = Q(created_at=value, pk__gte=pk) if inclusive else Q(created_at=value, pk__gt=pk)
    return qs.filter(Q(created_at__gte=value), Q(created_at__gt=value) | same)


def post_comments_page(*, post: Post, user, after: str | None = None, comment_id: int | None = None,
                       page_size: int = COMMENTS_PAGE_SIZE) -> CommentsPage:
    """One page of threads: the first, the one after the cursor `after`, or the one holding the linked
    comment `comment_id` (ignored when the viewer may not read it). 3 queries (the viewer's reactions
    only for a member); a linked comment adds 3 (finding it, its place, its whole thread)."""
    visible = _visible_q(user)
    top = _top_level(post, visible)
    linked = _linked_thread(visible, post=post, comment_id=comment_id)
    start, earlier = top, False
    if linked is not None and _past_first_page(top, linked, page_size):
        start, earlier = _from_key(top, linked, inclusive=True), True
    elif (key := cursor_decode(after, datetime.fromisoformat)) is not None:
        start, earlier = _from_key(top, key, inclusive=False), True
    rows = list(start.annotate(remaining=Window(Count("pk")))[:page_size])
    more = rows[0].remaining - len(rows) if rows else 0
    replies = Comment.objects.filter(visible).select_related("author").order_by("created_at", "id")
    _attach_first_replies(rows, replies)
    if linked is not None:
        _show_whole_thread(rows, linked[1], replies)
    for comment in rows:
        comment.more_replies = max(comment.reply_total - len(comment.visible_replies), 0)
    _decorate(rows, user, post)
    next_cursor = cursor_encode(rows[-1].created_at, rows[-1].pk) if more else None
    return CommentsPage(comments=rows, next_cursor=next_cursor, more=more, earlier=earlier)


def _linked_thread(visible: Q, *, post: Post, comment_id: int | None) -> tuple[datetime, int] | None:
    """The key of the linked comment's top-level comment, when the viewer may read the linked one."""
    if comment_id is None:
        return None
    found = (Comment.objects.filter(visible, post=post, pk=comment_id)
             .values_list("created_at", "pk", "parent__created_at", "parent_id").first())
    if found is None:
        return None
    return found[2:] if found[3] is not None else found[:2]


def _past_first_page(top: QuerySet[Comment], key: tuple[datetime, int], page_size: int) -> bool:
    created_at, pk = key
    before = top.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    return before.values("pk")[:page_size].count() >= page_size


def _attach_first_replies(rows: list[Comment], replies: QuerySet[Comment]) -> None:
    """Each thread's first `REPLIES_SHOWN` replies as `visible_replies`, in one query. Ranking replies
    per thread (a window) costs Django more to compile than the plain list costs to run, so it is used
    only when some thread on the page has more replies than that."""
    threads = {c.pk: c for c in rows}
    for comment in rows:
        comment.visible_replies = []
    if not rows:
        return
    wanted = replies.filter(parent_id__in=list(threads))  # also when none has replies: a page's cost is fixed
    if any(c.reply_total > REPLIES_SHOWN for c in rows):
        wanted = wanted.annotate(rank=Window(RowNumber(), partition_by=F("parent_id"),
                                             order_by=(F("created_at").asc(), F("id").asc())))
        wanted = wanted.filter(rank__lte=REPLIES_SHOWN)
    for reply in wanted:
        threads[reply.parent_id].visible_replies.append(reply)


def _show_whole_thread(rows: list[Comment], thread_id: int, replies: QuerySet[Comment]) -> None:
    """Every reply of the linked thread (one query, also when they all fit: a page's cost stays the same)."""
    every = list(replies.filter(parent_id=thread_id))
    for comment in rows:
        if comment.pk == thread_id:
            comment.visible_replies = every


def _decorate(top: list[Comment], user, post: Post) -> None:
    """The viewer's reactions and edit rights on each comment and reply: one query whatever their number."""
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
