"""Members report posts, comments and members. Reports gather on one open queue item per target; when
their summed weight passes the threshold the content is hidden (held) until a moderator decides."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from communities import hooks
from communities.models import Comment, ContentStatus, Post
from communities.policy import can_read_post, check_can_act, pod_roles
from microgroups.models import Rung

from ..models import ModerationLogEntry as Log
from ..models import QueueItem, Report
from ..scopes import COMMONS, moderator_scopes, scope_for_pod
from .content import set_status
from .log import log_write
from .queue import queue_item_open, queue_refresh

HIDE_THRESHOLD = 3.0
WEIGHT_BASE, WEIGHT_TRUSTED, WEIGHT_MODERATOR, WEIGHT_NEW_ACCOUNT = 1.0, 2.0, 3.0, 0.5
NEW_ACCOUNT_DAYS = 2


def report_weight(actor, pod) -> float:
    """Moderators of the place count most, then trusted members (of that pod; for the Commons, of any
    pod); brand-new accounts count half, so a fresh sock-puppet wave needs many more voices."""
    if moderator_scopes(actor).covers(scope_for_pod(pod)):
        return WEIGHT_MODERATOR
    roles = pod_roles(actor)
    trusted = (roles.rung_at_least(pod.pk, Rung.TRUSTED) if pod is not None
               else any(r == Rung.TRUSTED for r in roles.rungs.values()))
    if trusted:
        return WEIGHT_TRUSTED
    if actor.date_joined > timezone.now() - timedelta(days=NEW_ACCOUNT_DAYS):
        return WEIGHT_NEW_ACCOUNT
    return WEIGHT_BASE


def _readable_target(actor, *, post, comment, member):
    """Reporting needs read access; an unreadable target answers 404 like a missing one."""
    if post is not None:
        if post.status != ContentStatus.PUBLISHED or not can_read_post(actor, post):
            raise Http404("No post here.")
        return post, post.pod, post.author
    if comment is not None:
        if comment.status != ContentStatus.PUBLISHED or not can_read_post(actor, comment.post):
            raise Http404("No comment here.")
        return comment, comment.post.pod, comment.author
    if member is None or member.deleted_at or not member.is_active:
        raise Http404("No member here.")
    return member, None, member


@transaction.atomic
def report_create(*, actor, reason: str, text: str = "", post: Post | None = None, comment: Comment | None = None,
                  member=None) -> Report:
    check_can_act(actor)
    target, pod, subject = _readable_target(actor, post=post, comment=comment, member=member)
    if subject.pk == actor.pk:
        raise ValidationError("You can't report yourself or your own posts.")
    text = (text or "").strip()[:500]
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason."})
    if reason == Report.Reason.OTHER and not text:
        raise ValidationError({"text": "Tell the moderators what is wrong."})
    if reason == Report.Reason.OFF_TOPIC and pod is None:
        raise ValidationError({"reason": "Off-topic reports are for pod posts."})
    scope = scope_for_pod(pod) if member is None else COMMONS
    item, created = queue_item_open(kind=QueueItem.Kind.REPORT, scope=scope, subject=subject,
                                    reason=Report.Reason(reason).label, post=post, comment=comment, member=member)
    weight = report_weight(actor, pod)
    try:
        with transaction.atomic():
            report = Report.objects.create(reporter=actor, item=item, reason=reason, text=text, weight=weight)
    except IntegrityError:
        raise ValidationError("You have already reported this; the moderators have it.") from None
    hooks.contribution(member_id=actor.pk, pod_id=pod.pk if pod is not None else None, at=report.created_at)
    _gather(item, report)
    if not created:
        queue_refresh(item)  # a new item arrives whole (queue.new); an open one shows its new count
    return report


def _gather(item: QueueItem, report: Report) -> None:
    """Add the report to its (locked) item; hide the content once the weight passes the threshold."""
    item.score += report.weight
    item.report_count += 1
    item.reasons[report.reason] = item.reasons.get(report.reason, 0) + 1
    item.save(update_fields=["score", "report_count", "reasons"])
    content = item.post or item.comment
    if content is not None and item.score >= HIDE_THRESHOLD and content.status == ContentStatus.PUBLISHED:
        set_status(content, ContentStatus.HELD)
        log_write(actor=None, action=Log.Action.HIDE, scope=scope_for_pod(item.target_post.pod),
                  reason=f"Reports reached {item.score:g} (threshold {HIDE_THRESHOLD:g})", subject=item.subject,
                  post=item.post, comment=item.comment, content_pod_id=item.target_post.pod_id, item=item,
                  before=ContentStatus.PUBLISHED, after=ContentStatus.HELD)
