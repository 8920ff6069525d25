"""Appeals: an author may appeal a removal once; the scope above the one that removed decides."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from communities.models import Comment, ContentStatus, Post

from ..models import Appeal, QueueItem
from ..models import ModerationLogEntry as Log
from ..scopes import COMMONS, scope_of_row
from .content import notify, noun, publish
from .log import log_write
from .queue import lock_item, queue_item_open, queue_item_resolve


def removal_entry(*, post: Post | None = None, comment: Comment | None = None) -> Log | None:
    target = {"post": post} if post is not None else {"comment": comment}
    return Log.objects.filter(action=Log.Action.REMOVE, **target).select_related("pod", "region").first()


def can_appeal(user, content) -> bool:
    return (getattr(user, "pk", None) == content.author_id and content.status == ContentStatus.REMOVED
            and not Appeal.objects.filter(**{noun(content): content}).exists())


@transaction.atomic
def appeal_create(*, actor, text: str, post: Post | None = None, comment: Comment | None = None) -> Appeal:
    content = post or comment
    if content is not None:  # read the current status, not what the caller loaded earlier
        content = type(content).objects.select_for_update().get(pk=content.pk)
        post, comment = (content, None) if post is not None else (None, content)
    if content is None or content.author_id != actor.pk or content.status != ContentStatus.REMOVED:
        raise Http404("Nothing to appeal here.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Say why the removal was wrong."})
    entry = removal_entry(post=post, comment=comment)
    if entry is None:
        raise ValidationError("This was not removed by a moderator, so there is nothing to appeal.")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(author=actor, post=post, comment=comment, removal=entry, text=text[:1000])
    except IntegrityError:
        raise ValidationError("You have already appealed this removal; a removal can be appealed once.") from None
    above = scope_of_row(entry).parent or COMMONS
    queue_item_open(kind=QueueItem.Kind.APPEAL, scope=above, subject=actor, reason="Appeal against a removal",
                    post=post, comment=comment, appeal=appeal)
    return appeal


@transaction.atomic
def appeal_decide(*, actor, item_id: int, grant: bool, reason: str = "") -> Appeal:
    """Grant (restore the content) or deny (the removal stands). Whoever removed it may not decide."""
    item = lock_item(actor=actor, item_id=item_id)
    if item.kind != QueueItem.Kind.APPEAL or item.appeal_id is None:
        raise ValidationError("This item is not an appeal.")
    appeal = Appeal.objects.select_for_update().select_related("removal").get(pk=item.appeal_id)
    if appeal.removal.actor_id == actor.pk:
        raise PermissionDenied("You removed this yourself; another moderator decides the appeal.")
    content = item.post or item.comment
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.DENIED
    appeal.decided_by, appeal.decided_at = actor, timezone.now()
    appeal.save(update_fields=["status", "decided_by", "decided_at"])
    if grant and content.status == ContentStatus.REMOVED:
        publish(content)
    log_write(actor=actor, action=Log.Action.APPEAL_GRANTED if grant else Log.Action.APPEAL_DENIED,
              scope=scope_of_row(item), reason=reason, subject=appeal.author, post=item.post, comment=item.comment,
              content_pod_id=item.target_post.pod_id, item=item,
              before=ContentStatus.REMOVED, after=content.status)
    verdict = "granted: it is back" if grant else "denied: the removal stands"
    notify(actor=None, recipient=appeal.author, verb=f"Your appeal about your {noun(content)} was {verdict}. {reason}",
           url=content.get_absolute_url() if grant else "")
    queue_item_resolve(actor=actor, item=item, resolution="granted" if grant else "denied")
    return appeal
