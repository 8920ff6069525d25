"""What a moderator does with a queue item. Each action locks and claims the item, checks scope and read
access, writes the log, and notifies who it concerns; removals and escalations resolve or move it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import ngettext

from communities.models import ContentStatus
from communities.policy import can_steward
from communities.services.comments import comment_edit_decline, comment_edit_release
from communities.services.counters import bump
from communities.services.posts import render_body
from communities.streams import close_streams, pod_group
from microgroups.models import Membership, MembershipEvent, Pod
from microgroups.permissions import pod_roles_forget
from microgroups.services.membership import member_ban

from ..models import ModerationLogEntry as Log
from ..models import Mute, QueueItem, RemovalReason, Report, Rule
from ..scopes import moderator_scopes, scope_for_pod, scope_of_item, scope_of_row
from .content import notify, noun, publish, set_status
from .log import log_write
from .queue import lock_item, queue_announce, queue_item_resolve, queue_withdraw

EDITED_OUT = "[removed by a moderator]"
MUTE_MAX_HOURS = 24 * 90
BAN_MAX_DAYS = 3650
REMOVAL_REASON_MAX = 500


def _content(item: QueueItem):
    content = item.post or item.comment
    if content is None:
        raise ValidationError("This item is about a member, not a post or comment.")
    if content.status == ContentStatus.DELETED:
        raise ValidationError("The author deleted this already.")
    return content


def _content_pod_id(item: QueueItem) -> int | None:
    post = item.target_post
    if post is not None:
        return post.pod_id
    return item.join_request.pod_id if item.join_request_id else item.pod_id


def _log(actor, item: QueueItem, action: str, **kwargs) -> Log:
    return log_write(actor=actor, action=action, scope=scope_of_row(item), subject=item.subject, post=item.post,
                     comment=item.comment, content_pod_id=_content_pod_id(item), item=item, **kwargs)


def _thank_reporters(item: QueueItem, outcome: str) -> None:
    for report in Report.objects.filter(item=item).select_related("reporter"):
        notify(actor=None, recipient=report.reporter, verb=f"A moderator reviewed your report: {outcome}.")


@transaction.atomic
def item_approve(*, actor, item_id: int, note: str = "") -> QueueItem:
    """Keep the content (publishing it if it was held) and close the item; for member reports: dismiss."""
    item = lock_item(actor=actor, item_id=item_id)
    if item.kind == QueueItem.Kind.APPEAL:
        raise ValidationError("Decide an appeal with grant or deny.")
    content = item.post or item.comment
    before = after = ""
    if item.comment is not None and item.comment.pending_body:
        # A held edit of a comment: its text replaces the published one (a held comment is published too).
        before, after = item.comment.body, item.comment.pending_body
        comment_edit_release(comment=item.comment)
        item.comment.refresh_from_db()
        if content.status != ContentStatus.HELD:
            notify(actor=None, recipient=content.author, verb="A moderator approved your edit of a comment.",
                   url=content.get_absolute_url(), post=item.target_post)
    if content is not None and content.status == ContentStatus.HELD:
        publish(content)
        notify(actor=None, recipient=content.author, verb=f"A moderator approved your {noun(content)}.",
               url=content.get_absolute_url(), post=item.target_post)
    _log(actor, item, Log.Action.APPROVE, reason=note, before=before, after=after)
    _thank_reporters(item, "no action was needed")
    queue_item_resolve(actor=actor, item=item, resolution="approved")
    return item


def _removal_rule(item: QueueItem, rule_id: int | None) -> Rule | None:
    if rule_id is None:
        return item.rule
    return Rule.objects.filter(pk=rule_id).first()


def _removal_text(item: QueueItem, reason: str, reason_id: int | None) -> str:
    """The moderator's words, or else the chosen reason's text (a reason of the item's scope or above)."""
    reason = (reason or "").strip()
    if len(reason) > REMOVAL_REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {REMOVAL_REASON_MAX} characters "
                                         f"(it has {len(reason)})."})
    if reason_id is not None:
        template = RemovalReason.objects.filter(scope_of_item(item).rows_q(), pk=reason_id).first()
        if template is None:
            raise ValidationError({"template": "Choose one of the reasons offered for this scope."})
        reason = reason or template.text
    if not reason:
        raise ValidationError({"reason": "Give the author a reason: they will see it."})
    return reason


@transaction.atomic
def item_remove(*, actor, item_id: int, reason: str, rule_id: int | None = None,
                reason_id: int | None = None) -> QueueItem:
    """Remove the content with a reason its author sees (and may appeal once): the moderator's own words,
    or a reusable removal reason of the item's scope (`reason_id`)."""
    if not (reason or "").strip() and reason_id is None:
        raise ValidationError({"reason": "Give the author a reason: they will see it."})
    item = lock_item(actor=actor, item_id=item_id)
    if item.kind == QueueItem.Kind.APPEAL:
        raise ValidationError("Decide an appeal with grant or deny.")
    reason = _removal_text(item, reason, reason_id)
    content = _content(item)
    if item.comment is not None:
        comment_edit_decline(comment=item.comment)  # an edit waiting on a removed comment goes with it
    before = set_status(content, ContentStatus.REMOVED, reason=reason)
    _log(actor, item, Log.Action.REMOVE, reason=reason, rule=_removal_rule(item, rule_id),
         before=before, after=ContentStatus.REMOVED)
    kind = noun(content)
    notify(actor=None, recipient=content.author, verb=f"A moderator removed your {kind}: {reason}",
           url=f"/moderation/appeal/{kind}/{content.pk}/", post=item.target_post)
    _thank_reporters(item, "the content was removed")
    queue_item_resolve(actor=actor, item=item, resolution="removed")
    return item


@transaction.atomic
def item_decline_edit(*, actor, item_id: int, reason: str = "") -> QueueItem:
    """A comment's held edit breaks a rule: drop it, keep the published text, close the item. The author
    is told why; the comment itself stays (remove it for that)."""
    item = lock_item(actor=actor, item_id=item_id)
    comment = item.comment
    if comment is None or not comment.pending_body:
        raise ValidationError("No edit is waiting on this item.")
    declined = comment.pending_body
    comment_edit_decline(comment=comment)
    _log(actor, item, Log.Action.DECLINE_EDIT, reason=reason, before=declined, after=comment.body)
    notify(actor=None, recipient=comment.author,
           verb=f"A moderator declined your edit of a comment: {reason or 'it broke a rule'}. The earlier text stays.",
           url=comment.get_absolute_url(), post=item.target_post)
    _thank_reporters(item, "the edit was declined")
    queue_item_resolve(actor=actor, item=item, resolution="edit declined")
    return item


@transaction.atomic
def item_edit_out(*, actor, item_id: int, part: str, reason: str) -> QueueItem:
    """Replace one passage with a marker, re-render, keep before/after in the log. The item stays open."""
    item = lock_item(actor=actor, item_id=item_id)
    content = _content(item)
    part = part or ""
    if not part.strip() or part not in content.body:
        raise ValidationError({"part": "Paste the exact passage to remove; it was not found in the text."})
    before = content.body
    content.body = before.replace(part, EDITED_OUT)
    content.body_html, _ = render_body(content.body)
    content.edited_at = timezone.now()
    content.save(update_fields=["body", "body_html", "edited_at"])
    _log(actor, item, Log.Action.EDIT_OUT, reason=reason, before=before, after=content.body)
    notify(actor=None, recipient=content.author, verb=f"A moderator edited out part of your {noun(content)}: "
                                                      f"{reason or 'it broke a rule'}", url=content.get_absolute_url())
    return item


@transaction.atomic
def item_warn(*, actor, item_id: int, message: str) -> QueueItem:
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Write the warning the member will read."})
    item = lock_item(actor=actor, item_id=item_id)
    if item.subject is None:
        raise ValidationError("There is no member to warn on this item.")
    _log(actor, item, Log.Action.WARN, reason=message)
    notify(actor=None, recipient=item.subject, verb=f"A moderator warned you: {message}")
    return item


@transaction.atomic
def item_mute(*, actor, item_id: int, hours: int, reason: str) -> Mute:
    """The member may not post or comment in the item's scope (and beneath it) for `hours`."""
    if not 1 <= int(hours) <= MUTE_MAX_HOURS:
        raise ValidationError({"hours": f"Mute for 1 to {MUTE_MAX_HOURS} hours."})
    item = lock_item(actor=actor, item_id=item_id)
    if item.subject is None:
        raise ValidationError("There is no member to mute on this item.")
    scope = scope_of_row(item)
    until = timezone.now() + timedelta(hours=int(hours))
    mute = Mute.objects.create(member=item.subject, **scope.model_fields(), until=until, reason=reason[:300],
                               created_by=actor)
    duration = ngettext("%(n)d hour", "%(n)d hours", int(hours)) % {"n": int(hours)}
    _log(actor, item, Log.Action.MUTE, reason=reason, after=f"muted for {duration}")
    notify(actor=None, recipient=item.subject,
           verb=f"A moderator muted you in {item.scope_label} for {duration}: {reason or 'rule breaking'}")
    return mute


def _ban_pod(item: QueueItem) -> Pod:
    pod_id = _content_pod_id(item)
    if pod_id is None:
        raise ValidationError("Bans are from a pod; this item is not in one.")
    return Pod.objects.get(pk=pod_id)


def _ban_until(days: int | None):
    if days in (None, ""):
        return None  # permanent
    if not 1 <= int(days) <= BAN_MAX_DAYS:
        raise ValidationError({"days": f"Ban for 1 to {BAN_MAX_DAYS} days, or leave it empty for good."})
    return timezone.now() + timedelta(days=int(days))


@transaction.atomic
def item_ban(*, actor, item_id: int, reason: str, days: int | None = None) -> Membership:
    """Ban the member from the pod the content lives in (a pod moderator or anyone covering it); with
    `days`, the ban ends by itself then (checked on read; `bans_lift_expired` records the lift)."""
    until = _ban_until(days)
    item = lock_item(actor=actor, item_id=item_id)
    pod = _ban_pod(item)
    if not moderator_scopes(actor).covers(scope_for_pod(pod)):
        raise PermissionDenied("Only moderators of this pod may ban from it.")
    member = item.subject
    membership = Membership.objects.filter(pod=pod, member=member).first()
    if membership is None or membership.status == Membership.Status.BANNED:
        raise ValidationError("This member is not in the pod (or is banned already).")
    if membership.is_steward:
        raise PermissionDenied("Stewards are removed by a community manager, not banned from the queue.")
    before = membership.status
    if can_steward(actor, pod):
        # The pods service does the whole ban (waitlist, requests, counters, streams, the notice).
        member_ban(actor=actor, pod=pod, member=member, reason=reason, until=until)
    else:
        _ban_membership(actor=actor, membership=membership, reason=reason, until=until)
        notify(actor=None, recipient=member,
               verb=f"A moderator banned you from {pod.name}{_until_words(until)}: {reason or 'rule breaking'}")
    _log(actor, item, Log.Action.BAN, reason=reason, before=before,
         after=f"{Membership.Status.BANNED}{_until_words(until)}")
    return Membership.objects.get(pk=membership.pk)


def _until_words(until) -> str:
    return f" until {until:%d %b %Y %H:%M} UTC" if until is not None else ""


def _ban_membership(*, actor, membership: Membership, reason: str, until=None) -> None:
    # Assigned moderators who are not the pod's stewards: `microgroups.services.membership.member_ban`
    # checks stewardship, so this writes the ban directly, mirroring it: status, end date, the event row
    # the metrics read, the member count, and closing their pod streams.
    was_active = membership.status == Membership.Status.ACTIVE
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.BANNED, ended_at=timezone.now(),
                                                       banned_until=until)
    MembershipEvent.objects.create(pod_id=membership.pod_id, member_id=membership.member_id, kind="banned",
                                   from_value=membership.status, to_value="banned", actor=actor, reason=reason[:300])
    if was_active:

        Pod.objects.filter(pk=membership.pod_id).update(member_count=bump("member_count", -1))
    pod_roles_forget(membership.member)
    close_streams(membership.member_id, groups=[pod_group(membership.pod_id), pod_group(membership.pod_id,
                                                                                        trusted=True)])


@transaction.atomic
def item_escalate(*, actor, item_id: int, reason: str) -> QueueItem:
    """Hand the item to the scope above (pod → its region or the Commons; region → the Commons)."""
    item = lock_item(actor=actor, item_id=item_id)
    scope = scope_of_row(item)
    parent = scope.parent
    if parent is None:
        raise ValidationError("The Commons is the top scope; there is nowhere higher to escalate.")
    queue_withdraw(item, scope)
    for name, value in parent.item_fields().items():
        setattr(item, name, value)
    item.claimed_by, item.claimed_at = None, None
    item.save(update_fields=["scope_kind", "region", "pod", "claimed_by", "claimed_at"])
    log_write(actor=actor, action=Log.Action.ESCALATE, scope=scope, reason=reason, subject=item.subject,
              post=item.post, comment=item.comment, content_pod_id=_content_pod_id(item), item=item,
              before=scope.key, after=parent.key)
    queue_announce(item)
    return item


ACTIONS = {"approve", "remove", "escalate"}


def items_bulk(*, actor, item_ids: list[int], action: str, reason: str = "",
               reason_id: int | None = None) -> tuple[int, list[str]]:
    """Spam waves: the same action on many items, each in its own transaction (one failure skips one).
    A removal takes the moderator's words or a reusable reason; an item outside that reason's scope is skipped
    with the reason's own message."""
    if action not in ACTIONS:
        raise ValidationError({"action": "Choose approve, remove or escalate."})
    done, problems = 0, []
    for item_id in item_ids[:200]:
        try:
            if action == "approve":
                item_approve(actor=actor, item_id=item_id, note=reason)
            elif action == "remove":
                item_remove(actor=actor, item_id=item_id, reason=reason, reason_id=reason_id)
            else:
                item_escalate(actor=actor, item_id=item_id, reason=reason)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            problems.append(f"#{item_id}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        except Http404:
            problems.append(f"#{item_id}: not in your queue")
    return done, problems
