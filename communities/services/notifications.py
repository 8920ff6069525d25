"""Notifications: one service every app uses (replies, mentions, reactions, pods, moderation).

Rows are created inside the caller's transaction; the unread count is pushed to the member's personal
stream and the email task is queued only after commit, so a rollback notifies nobody.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from .. import navcache
from ..models import Notification, NotificationKind, Reaction
from ..streams import broadcast, user_group

# Announcements are emailed by their own task (governed by User.announcement_emails).
EMAILED_SEPARATELY = {NotificationKind.ANNOUNCEMENT}


def wants_in_app(recipient, kind: str) -> bool:
    return kind not in (recipient.muted_notification_kinds or [])


def wants_email(recipient, kind: str) -> bool:
    return kind not in EMAILED_SEPARATELY and kind in (recipient.email_notification_kinds or [])


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def push_unread(user_ids: Iterable[int]) -> None:
    """Send each member their unread count (one grouped query whatever the number of members)."""
    ids = list(set(user_ids))
    if not ids:
        return
    navcache.forget(*ids)  # every notification change passes here: the bar's unread badge follows
    counts = dict(Notification.objects.filter(recipient_id__in=ids, read_at__isnull=True)
                  .values_list("recipient_id").annotate(n=Count("pk")).values_list("recipient_id", "n"))
    for uid in ids:
        broadcast([user_group(uid)], {"type": "notify", "unread": counts.get(uid, 0)})


def _after_create(notification: Notification, recipient, *, personal: bool = False) -> None:
    push_unread([recipient.pk])
    if personal or wants_email(recipient, notification.kind):
        # tasks (entry points) import the services at the top; a service queues one by name at call time
        from ..tasks import send_notification_email

        if personal:
            send_notification_email.delay_on_commit(notification.pk, personal=True)
        else:
            send_notification_email.delay_on_commit(notification.pk)


@transaction.atomic
def notification_create(*, recipient, kind: str, verb: str, actor=None, url: str = "", post=None,
                        comment=None, pod=None, personal: bool = False) -> Notification | None:
    """Notify one member, unless it's their own act or they muted the kind. `verb` must only name
    things the recipient may see (callers check read access first). `personal`: something addressed to
    this member alone that waits for their answer (an invitation to steward): shown and emailed whatever
    their per-kind choices."""
    if actor is not None and actor.pk == recipient.pk:
        return None
    if recipient.deleted_at or not recipient.is_active or not (personal or wants_in_app(recipient, kind)):
        return None
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, verb=verb[:200], actor=actor, url=url[:300], post=post, comment=comment,
        pod=pod,
    )
    _after_create(notification, recipient, personal=personal)
    return notification


def _reaction_verb(actor, n: int, target: str) -> str:
    if n <= 1:
        return f"{actor.name} reacted to your {target}"
    return f"{n} members reacted to your {target}"


def _reactors_since_last_read(recipient, post, comment, target: dict) -> int:
    """Distinct members (not the recipient) who reacted to the target since the recipient last read a
    reaction notice about it: what the batched row reports ("12 members reacted")."""
    last_read = (Notification.objects.filter(recipient=recipient, kind=NotificationKind.REACTION,
                                             read_at__isnull=False, **target)
                 .aggregate(at=Max("read_at"))["at"])
    reactions = Reaction.objects.filter(comment=comment) if comment is not None else Reaction.objects.filter(post=post)
    if last_read is not None:
        reactions = reactions.filter(created_at__gt=last_read)
    return max(reactions.exclude(member_id=recipient.pk).values("member_id").distinct().count(), 1)


@transaction.atomic
def notification_reaction(*, recipient, actor, post, comment=None) -> Notification | None:
    """Batch reactions: one unread row per target (a unique constraint keeps it one under concurrency),
    whose actor_count is recomputed from the reaction rows each time."""
    if actor.pk == recipient.pk or not wants_in_app(recipient, NotificationKind.REACTION):
        return None
    target = {"comment": comment} if comment is not None else {"post": post, "comment__isnull": True}
    existing = (Notification.objects.select_for_update()
                .filter(recipient=recipient, kind=NotificationKind.REACTION, read_at__isnull=True, **target).first())
    url = (comment or post).get_absolute_url()
    noun = "comment" if comment is not None else "post"
    n = _reactors_since_last_read(recipient, post, comment, target)
    if existing is None:
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    recipient=recipient, kind=NotificationKind.REACTION, actor=actor, post=post, comment=comment,
                    actor_count=n, verb=_reaction_verb(actor, n, noun), url=url,
                )
        except IntegrityError:  # a concurrent first reaction created it: batch into that one
            return notification_reaction(recipient=recipient, actor=actor, post=post, comment=comment)
        _after_create(row, recipient)
        return row
    existing.actor, existing.actor_count, existing.updated_at = actor, n, timezone.now()
    existing.verb = _reaction_verb(actor, n, noun)
    existing.save(update_fields=["actor", "actor_count", "updated_at", "verb"])
    push_unread([recipient.pk])
    return existing


@transaction.atomic
def notification_bulk_create(*, recipients: list, kind: str, verb: str, actor=None, url: str = "",
                             post=None) -> int:
    """One row each for many members (announcements): bulk_create, then one grouped unread push."""
    rows = [
        Notification(recipient_id=r.pk, kind=kind, verb=verb[:200], actor=actor, url=url[:300], post=post)
        for r in recipients
        if wants_in_app(r, kind) and (actor is None or r.pk != actor.pk)
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    push_unread([r.recipient_id for r in rows])
    return len(rows)


@transaction.atomic
def notification_mark_all_read(*, actor) -> int:
    changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    push_unread([actor.pk])
    return changed


@transaction.atomic
def notification_mark_read(*, actor, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        push_unread([actor.pk])


@transaction.atomic
def notification_preferences_update(*, actor, muted_kinds: list[str], email_kinds: list[str],
                                    announcement_emails: bool) -> None:
    valid = set(NotificationKind.values)
    actor.muted_notification_kinds = sorted(set(muted_kinds) & valid)
    actor.email_notification_kinds = sorted(set(email_kinds) & valid - EMAILED_SEPARATELY)
    actor.announcement_emails = announcement_emails
    actor.save(update_fields=["muted_notification_kinds", "email_notification_kinds", "announcement_emails"])
