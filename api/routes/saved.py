"""Saved posts: the member's list and the save toggle, through the same selector and services as /saved/."""

from ninja import Query, Router, Schema

from communities.selectors import saved_posts_page
from communities.services.saved import saved_post_create, saved_post_delete

from .. import presenters
from ..auth import READ, WRITE, require_scope
from ..limits import limit
from ..responses import answers
from ..schemas import Id, SavedPage, SavedResult
from .posts import _readable_post

router = Router(tags=["saved"])


class SavedQuery(Schema):
    cursor: str | None = None


@router.get("/saved", response=answers(SavedPage))
def saved_list(request, q: Query[SavedQuery]):
    """The caller's saved posts, most recently saved first, 20 a page. Only posts the caller may still
    read: one removed, held, deleted, made private or in a pod they left is neither listed nor counted."""
    require_scope(request, READ)
    page = saved_posts_page(user=request.user, cursor=q.cursor)
    return {"items": [presenters.saved(p) for p in page.posts], "next_cursor": page.next_cursor,
            "count": page.count}


@router.put("/saved/{post_id}", response=answers(SavedResult))
def saved_put(request, post_id: Id):
    """Save a post (idempotent). 404 for a post the caller may not read, exactly as for a missing one."""
    require_scope(request, WRITE)
    post = _readable_post(request, post_id)
    limit(request, "react")
    saved_post_create(actor=request.user, post=post)
    return {"saved": True}


@router.delete("/saved/{post_id}", response=answers(SavedResult))
def saved_delete(request, post_id: Id):
    """Unsave a post (idempotent)."""
    require_scope(request, WRITE)
    post = _readable_post(request, post_id)
    limit(request, "react")
    saved_post_delete(actor=request.user, post=post)
    return {"saved": False}
