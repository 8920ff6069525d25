"""A moderator's queue: list, claim, release and act (the queue pages' selectors and services)."""

from ninja import Router

from communities.policy import policy_for
from moderation import selectors
from moderation.services import actions
from moderation.services.queue import queue_item_claim, queue_item_release

from .. import presenters
from ..auth import MODERATE, require_scope
from ..responses import answers
from ..schemas import ActIn, Done, Id, QueueItemOut, QueuePage

router = Router(tags=["moderation"])

ACTIONS = {
    "approve": lambda u, i, reason: actions.item_approve(actor=u, item_id=i, note=reason),
    "remove": lambda u, i, reason: actions.item_remove(actor=u, item_id=i, reason=reason),
    "warn": lambda u, i, reason: actions.item_warn(actor=u, item_id=i, message=reason),
    "escalate": lambda u, i, reason: actions.item_escalate(actor=u, item_id=i, reason=reason),
}


def _item(item) -> dict:
    return {"id": item.pk, "kind": item.kind, "status": item.status, "reason": item.reason, "post": item.post_id,
            "comment": item.comment_id, "subject": presenters.member_ref(item.subject),
            "report_count": item.report_count, "claimed_by": presenters.member_ref(item.claimed_by),
            "created_at": item.created_at}


@router.get("/moderation/queue", response=answers(QueuePage))
def queue(request, scope: str | None = None, kind: str | None = None, cursor: str | None = None):
    """Open items in the caller's scopes whose content they may read, oldest first."""
    require_scope(request, MODERATE)
    policy_for(request.user).check_is_moderator()
    page = selectors.queue_page(user=request.user, scope=scope, kind=kind, cursor=cursor)
    return {"items": [_item(i) for i in page.items], "next_cursor": page.next_cursor}


@router.get("/moderation/queue/{item_id}", response=answers(QueueItemOut))
def queue_item(request, item_id: Id):
    require_scope(request, MODERATE)
    return _item(selectors.queue_item_get(user=request.user, item_id=item_id))


@router.post("/moderation/queue/{item_id}/claim", response=answers(QueueItemOut, extra=(409,)))
def queue_item_claim_now(request, item_id: Id, release: bool = False):
    """Claim an item (409 while another moderator's claim is fresh); `release=true` gives it back."""
    require_scope(request, MODERATE)
    selectors.queue_item_get(user=request.user, item_id=item_id)
    (queue_item_release if release else queue_item_claim)(actor=request.user, item_id=item_id)
    return _item(selectors.queue_item_get(user=request.user, item_id=item_id))


@router.post("/moderation/queue/{item_id}/act", response=answers(Done))
def queue_item_act(request, item_id: Id, data: ActIn):
    require_scope(request, MODERATE)
    selectors.queue_item_get(user=request.user, item_id=item_id)
    ACTIONS[data.action](request.user, item_id, data.reason)
    return {"ok": True}
