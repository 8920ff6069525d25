"""Queue items: opening one per target, claiming, resolving, and telling the right moderators live."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from communities import navcache
from communities.models import ContentStatus, Post
from communities.policy import check_can_moderate_item, managers_q, readers_of
from communities.streams import broadcast, emit
from microgroups.models import Membership, Pod

from ..models import ModeratorAssignment, QueueItem, ScopeKind
from ..scopes import Scope, scope_for_pod, scope_of_item, scope_of_row
from ..streams import queue_group

CLAIM_TTL = timedelta(minutes=15)  # a claim older than this is stale: anyone in scope may take the item


class ClaimConflict(PermissionDenied):
    """Another moderator holds a fresh claim on the item."""


def _target(*, post=None, comment=None, member=None, join_request=None) -> dict:
    for name, value in (("post", post), ("comment", comment), ("member", member), ("join_request", join_request)):
        if value is not None:
            return {name: value}
    raise ValueError("A queue item needs a target.")


@transaction.atomic
def queue_item_open(*, kind: str, scope: Scope, subject=None, reason: str = "", rule_id: int | None = None,
                    post=None, comment=None, member=None, join_request=None, appeal=None) -> tuple[QueueItem, bool]:
    """The open item for this target (locked), creating it when there is none: one per target."""
    target = _target(post=post, comment=comment, member=member, join_request=join_request)
    existing = QueueItem.objects.select_for_update().filter(status=QueueItem.Status.OPEN, **target).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            item = QueueItem.objects.create(kind=kind, **scope.item_fields(), subject=subject, reason=reason[:300],
                                            rule_id=rule_id, appeal=appeal, **target)
    except IntegrityError:  # a concurrent report opened it first: gather into that one
        return QueueItem.objects.select_for_update().get(status=QueueItem.Status.OPEN, **target), False
    queue_announce(item)
    return item, True


def queue_item_for_rules(*, post=None, comment=None, outcome) -> QueueItem:
    """Content a rule held or flagged waits in the queue of the scope it was posted in."""
    content = post or comment
    pod = post.pod if post is not None else comment.post.pod
    held = outcome.status == ContentStatus.HELD
    relevant = [h for h in outcome.hits if h["outcome"] in ("held", "flagged")] or outcome.hits
    reason = "; ".join(dict.fromkeys(h["title"] for h in relevant)) or "Rule check"
    item, _ = queue_item_open(
        kind=QueueItem.Kind.HELD if held else QueueItem.Kind.FLAGGED, scope=scope_for_pod(pod),
        subject=content.author, reason=reason, rule_id=relevant[0]["rule_id"] if relevant else None,
        post=post, comment=comment,
    )
    return item


def moderator_ids_for(scope: Scope, *, post: Post | None = None, pod: Pod | None = None) -> list[int]:
    """Everyone whose scopes cover `scope` AND who may read the content: managers, assigned moderators
    of the scope or any scope above, and the pod's stewards."""
    manager_ids = set(get_user_model().objects.filter(managers_q()).values_list("pk", flat=True))
    assigned = Q(scope_kind=ScopeKind.COMMONS)
    if scope.region_id and scope.kind != ScopeKind.COMMONS:
        assigned |= Q(scope_kind=ScopeKind.REGION, region_id=scope.region_id)
    if scope.kind == ScopeKind.POD:
        assigned |= Q(scope_kind=ScopeKind.POD, pod_id=scope.pod_id)
    others = set(ModeratorAssignment.objects.filter(assigned, revoked_at__isnull=True, member__is_active=True)
                 .values_list("member_id", flat=True))
    if scope.kind == ScopeKind.POD:
        others |= set(Membership.objects.filter(pod_id=scope.pod_id, status=Membership.Status.ACTIVE,
                                                role=Membership.Role.STEWARD).values_list("member_id", flat=True))
    others -= manager_ids
    content = post if post is not None else pod
    if content is not None and others:  # the same read rule as the item page (the policy's)
        others = set(readers_of(content, moderating=True).filter(pk__in=others).values_list("pk", flat=True))
    return sorted(manager_ids | others)


def _recipients(item: QueueItem, scope: Scope | None = None) -> list[int]:
    return moderator_ids_for(scope or scope_of_row(item), post=item.target_post, pod=item.pod)


def queue_announce(item: QueueItem) -> None:
    """After commit, each moderator whose scopes cover the item gets it (rendered by the presenter)."""

    def send():
        ids = _recipients(item)
        if ids:
            emit([queue_group(uid) for uid in ids], {"type": "queue.new", "id": item.pk})

    transaction.on_commit(send)
    navcache.queue_changed()  # the moderators' queue badges


def queue_refresh(item: QueueItem) -> None:
    """After commit, covering moderators' open queue pages redraw the item's row head (who claimed it,
    how many reports): the presenter renders it once for all of them."""

    def send():
        ids = _recipients(item)
        if ids:
            emit([queue_group(uid) for uid in ids], {"type": "queue.update", "id": item.pk})

    transaction.on_commit(send)


def queue_frame_facts(item: QueueItem, scope: Scope | None = None) -> dict:
    """What a filtered queue page needs to know whether an item is one of its own: kind, the filter keys
    of its scope, and when it arrived (the age filter). No content, no names."""
    return {"kind": item.kind, "scopes": (scope or scope_of_item(item)).filter_keys,
            "created": int(item.created_at.timestamp())}


def queue_withdraw(item: QueueItem, scope: Scope | None = None) -> None:
    """After commit, take the item off every covering moderator's open queue page."""
    scope = scope or scope_of_row(item)
    frame = {"type": "queue.remove", "id": item.pk, **queue_frame_facts(item, scope)}

    def send():
        ids = _recipients(item, scope)
        if ids:
            broadcast([queue_group(uid) for uid in ids], frame)

    transaction.on_commit(send)
    navcache.queue_changed()  # the moderators' queue badges


def claim_is_fresh(item: QueueItem, now=None) -> bool:
    now = now or timezone.now()
    return bool(item.claimed_by_id and item.claimed_at and item.claimed_at > now - CLAIM_TTL)


def lock_item(*, actor, item_id: int) -> QueueItem:
    """Inside a transaction: lock the row, check scope and read access, and take (or keep) the claim.

    The row lock makes two moderators acting at once queue up; the second then sees the first's claim.
    """
    assert transaction.get_connection().in_atomic_block, "lock_item needs a transaction"
    item = QueueItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise Http404("No queue item here.")
    check_can_moderate_item(actor, item)
    if item.status != QueueItem.Status.OPEN:
        raise ValidationError("This item has already been handled.")
    now = timezone.now()
    if item.claimed_by_id not in (None, actor.pk) and claim_is_fresh(item, now):
        raise ClaimConflict(f"{item.claimed_by.name} is handling this item.")
    if item.claimed_by_id != actor.pk or not claim_is_fresh(item, now):
        changed = item.claimed_by_id != actor.pk
        item.claimed_by, item.claimed_at = actor, now
        item.save(update_fields=["claimed_by", "claimed_at"])
        if changed:
            queue_refresh(item)
    return item


@transaction.atomic
def queue_item_claim(*, actor, item_id: int) -> QueueItem:
    return lock_item(actor=actor, item_id=item_id)


@transaction.atomic
def queue_item_release(*, actor, item_id: int) -> QueueItem:
    item = lock_item(actor=actor, item_id=item_id)
    item.claimed_by, item.claimed_at = None, None
    item.save(update_fields=["claimed_by", "claimed_at"])
    queue_refresh(item)
    return item


def queue_item_resolve(*, actor, item: QueueItem, resolution: str) -> None:
    """Close a locked item (callers hold the lock from `lock_item`)."""
    item.status, item.resolution = QueueItem.Status.RESOLVED, resolution
    item.resolved_at, item.resolved_by = timezone.now(), actor
    item.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
    queue_withdraw(item)
