"""Feeds, posts, comments, reactions and poll votes: the same selectors and services as the pages."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from communities import memberpages, pagecache
from communities.models import Comment, Poll, Post, Reaction
from communities.policy import policy_for
from communities.selectors import decorate_posts, feed, post_comments_page, post_get
from communities.services.comments import comment_create, comment_delete, comment_edit
from communities.services.polls import PollSpec, poll_vote
from communities.services.posts import can_delete_post, can_edit_post, post_create, post_delete, post_edit
from communities.services.reactions import reaction_toggle
from metrics.services import impressions_record
from microgroups.selectors import pod_get_for

from .. import presenters
from ..auth import READ, WRITE, require_scope
from ..limits import limit
from ..responses import answers
from ..schemas import (
    CommentEditIn,
    CommentIn,
    CommentOut,
    CommentsPage,
    Done,
    FeedPage,
    Id,
    PostDetail,
    PostEditIn,
    PostIn,
    PostOut,
    ReactionIn,
    ReactionResult,
    Sort,
    VoteIn,
    Window,
)

router = Router(tags=["posts"])


class FeedQuery(Schema):
    sort: Sort = "new"
    t: Window = "week"
    topic: str | None = None
    species: str | None = None
    cursor: str | None = None


def _feed(request, q: FeedQuery, pod=None):
    """The page, kept for the member's next request while nothing on it changes (communities.memberpages):
    answered here as the operation would answer its `FeedPage` (the model's dump through the API's
    renderer), so a kept answer is the same bytes."""
    def render():
        topic = (q.topic or "").strip().lstrip("#").lower()[:60] or None
        page = feed(user=request.user, pod=pod, sort=q.sort, top_window=q.t, topic=topic,
                    species=(q.species or "").strip()[:60] or None, cursor=q.cursor, exclude_pinned=False)
        impressions_record(user=request.user, posts=page.posts)  # metrics: what this member was shown
        answer = FeedPage(items=[presenters.post(p) for p in page.posts], next_cursor=page.next_cursor)
        from ..v1 import api  # the API object mounts this router: imported when a request runs, not before

        return api.create_response(request, answer.model_dump(), status=200)

    places = [pagecache.commons() if pod is None else pagecache.pod(pod.pk), pagecache.POLICY]
    return memberpages.member_answer(request, places, render)


@router.get("/feeds/commons", response=answers(FeedPage), tags=["feeds"])
def commons_feed(request, q: Query[FeedQuery]):
    """The Commons, newest/hottest/top first, 20 a page; follow `next_cursor` for more."""
    require_scope(request, READ)
    return _feed(request, q)


@router.get("/pods/{slug}/feed", response=answers(FeedPage), tags=["feeds"])
def pod_feed(request, slug: str, q: Query[FeedQuery]):
    """A pod's feed: 404 for a pod the caller may not know, 403 for one whose posts are for members."""
    require_scope(request, READ)
    pod = pod_get_for(user=request.user, slug=slug)
    policy_for(request.user).check_can_read_pod(pod)
    return _feed(request, q, pod=pod)


def _readable_post(request, post_id: int) -> Post:
    post = get_object_or_404(Post.objects.select_related("author", "pod", "poll"), pk=post_id)
    policy_for(request.user).check_can_read_post(post)
    return post


def _poll_spec(data: PostIn) -> PollSpec | None:
    if not (data.poll_question or "").strip():
        return None
    return PollSpec(question=data.poll_question, choices=data.poll_choices, multiple=data.poll_multiple)


def _created(post: Post, user) -> dict:
    return presenters.post(decorate_posts([post_get(post.pk)], user)[0])


@router.post("/posts", response=answers(PostOut, status=201))
def commons_post(request, data: PostIn):
    """Post in the Commons (held for review when a rule says so: see `status`)."""
    require_scope(request, WRITE)
    limit(request, "post")
    post = post_create(actor=request.user, body=data.body, audience=data.audience, poll=_poll_spec(data),
                       pet=data.pet)
    return Status(201, _created(post, request.user))


@router.post("/pods/{slug}/posts", response=answers(PostOut, status=201))
def pod_post(request, slug: str, data: PostIn):
    """Post in a pod: its members, within their rung's unlocks (links, images, trusted-only)."""
    require_scope(request, WRITE)
    pod = pod_get_for(user=request.user, slug=slug)
    limit(request, "post")
    post = post_create(actor=request.user, pod=pod, body=data.body, audience=data.audience, poll=_poll_spec(data),
                       pet=data.pet)
    return Status(201, _created(post, request.user))


@router.get("/posts/{post_id}", response=answers(PostDetail))
def post_detail(request, post_id: Id):
    require_scope(request, READ)
    post = _readable_post(request, post_id)
    impressions_record(user=request.user, posts=[post])
    shown = decorate_posts([post_get(post.pk)], request.user)[0]
    comments = post_comments_page(post=shown, user=request.user)
    return {"post": presenters.post(shown), "comments": presenters.comments_page(comments),
            "can_edit": can_edit_post(request.user, post), "can_delete": can_delete_post(request.user, post)}


class CommentsQuery(Schema):
    cursor: str | None = Field(default=None, max_length=200)
    comment: int | None = Field(default=None, ge=1, le=2**63 - 1,
                                description="Start at the page holding this comment, with its thread in full.")


@router.get("/posts/{post_id}/comments", response=answers(CommentsPage))
def post_comments(request, post_id: Id, q: Query[CommentsQuery]):
    """A page of the post's comments, the same pages as the post's web page: 50 threads oldest first,
    each with its first 10 replies; `comment` gives that comment's page and its whole thread."""
    require_scope(request, READ)
    post = _readable_post(request, post_id)
    return presenters.comments_page(post_comments_page(post=post, user=request.user, after=q.cursor,
                                                      comment_id=q.comment))


@router.patch("/posts/{post_id}", response=answers(PostOut))
def post_update(request, post_id: Id, data: PostEditIn):
    """The author edits within the edit window (403 after it)."""
    require_scope(request, WRITE)
    post = _readable_post(request, post_id)
    if request.user.pk != post.author_id:
        raise PermissionDenied("Only the author can edit a post.")
    post_edit(actor=request.user, post=post, body=data.body)
    return _created(post, request.user)


@router.delete("/posts/{post_id}", response=answers(Done))
def post_remove(request, post_id: Id):
    require_scope(request, WRITE)
    post_delete(actor=request.user, post=_readable_post(request, post_id))
    return {"ok": True}


@router.post("/posts/{post_id}/reactions", response=answers(ReactionResult))
def post_react(request, post_id: Id, data: ReactionIn):
    """Toggle a reaction: given when absent, taken back when present."""
    require_scope(request, WRITE)
    post = _readable_post(request, post_id)
    limit(request, "react")
    active = reaction_toggle(actor=request.user, kind=data.kind, post=post)
    return {"active": active, "reactions": presenters.reactions(decorate_posts([post_get(post.pk)], request.user)[0])}


@router.post("/posts/{post_id}/comments", response=answers(CommentOut, status=201))
def comment_new(request, post_id: Id, data: CommentIn):
    """Comment, or reply to a top-level comment (`parent`)."""
    require_scope(request, WRITE)
    post = _readable_post(request, post_id)
    parent = get_object_or_404(Comment, pk=data.parent, post=post) if data.parent else None
    limit(request, "comment")
    comment = comment_create(actor=request.user, post=post, body=data.body, parent=parent)
    comment.viewer_reactions = set()
    return Status(201, presenters.comment(comment))


def _readable_comment(request, comment_id: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("post", "post__pod", "author"), pk=comment_id)
    policy_for(request.user).check_can_read_post(comment.post)
    return comment


@router.patch("/comments/{comment_id}", response=answers(CommentOut))
def comment_update(request, comment_id: Id, data: CommentEditIn):
    """The author edits within the posts' edit window (403 after it). The rules check the new text: when
    they hold it, `edit_pending` is true and readers keep seeing the published text until a moderator
    approves the edit."""
    require_scope(request, WRITE)
    comment = _readable_comment(request, comment_id)
    limit(request, "comment")
    comment_edit(actor=request.user, comment=comment, body=data.body)
    comment.refresh_from_db()
    comment.viewer_reactions = set(Reaction.objects.filter(member=request.user, comment=comment)
                                   .values_list("kind", flat=True))
    comment.viewer_edit_pending = bool(comment.pending_body)
    return presenters.comment(comment)


@router.delete("/comments/{comment_id}", response=answers(Done))
def comment_remove(request, comment_id: Id):
    require_scope(request, WRITE)
    comment_delete(actor=request.user, comment=_readable_comment(request, comment_id))
    return {"ok": True}


@router.post("/comments/{comment_id}/reactions", response=answers(ReactionResult))
def comment_react(request, comment_id: Id, data: ReactionIn):
    require_scope(request, WRITE)
    comment = _readable_comment(request, comment_id)
    limit(request, "react")
    active = reaction_toggle(actor=request.user, kind=data.kind, comment=comment)
    comment.refresh_from_db()
    comment.viewer_reactions = {data.kind} if active else set()
    return {"active": active, "reactions": presenters.reactions(comment)}


@router.post("/polls/{poll_id}/votes", response=answers(Done))
def poll_vote_new(request, poll_id: Id, data: VoteIn):
    """Vote once: one choice, or several when the poll allows it."""
    require_scope(request, WRITE)
    poll = get_object_or_404(Poll.objects.select_related("post"), pk=poll_id)
    _readable_post(request, poll.post_id)
    poll_vote(actor=request.user, poll=poll, choice_ids=data.choices)
    return {"ok": True}
