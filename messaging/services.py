"""Writes: starting conversations, sending, reading, reporting, blocking, turning messages off.

Every entry point (pages, and any future API) calls these; the checks live here and in `rules`.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from communities import memberpages
from communities.policy import check_can_act, policy_for
from communities.rendering import render_markdown
from communities.streams import broadcast, hidden_authors_changed, user_group

from . import rules
from .models import MAX_PARTICIPANTS, Block, Conversation, Message, MessageReport, MessageSettings, Participant
from .selectors import unread_badge_forget, unread_conversation_count


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a message first."})
    if len(body) > 5000:
        raise ValidationError({"body": f"Keep it under 5,000 characters (this is {len(body):,})."})
    return body


def _existing_pair(a, b) -> Conversation | None:
    """The one-to-one conversation two members already have (not a moderation matter), if any."""
    mine = Participant.objects.filter(member=a).values("conversation_id")
    # Annotate before filtering on participants, so the count is over every participant, not the joined one.
    return (Conversation.objects.annotate(size=Count("participants", distinct=True))
            .filter(pk__in=mine, about_moderation=False, size=2, participants__member=b).order_by("pk").first())


@transaction.atomic
def conversation_start(*, actor, recipients: list, body: str, about_moderation: bool = False) -> Conversation:
    """Open a conversation (or continue the one-to-one two members already have) with its first message."""
    check_can_act(actor)
    body = _clean_body(body)
    recipients = list({r.pk: r for r in recipients if r.pk != actor.pk}.values()) or list(recipients)
    if not recipients:
        raise ValidationError({"to": "Name at least one member."})
    if len(recipients) + 1 > MAX_PARTICIPANTS:
        raise ValidationError({"to": f"A conversation holds up to {MAX_PARTICIPANTS} people, you included."})
    for recipient in recipients:
        rules.check_can_message(actor, recipient, about_moderation=about_moderation)
    if len(recipients) == 1 and not about_moderation:
        existing = _existing_pair(actor, recipients[0])
        if existing is not None:
            message_send(actor=actor, conversation=existing, body=body)
            return existing
    if not about_moderation:
        rules.check_daily_limit(actor)
    conversation = Conversation.objects.create(created_by=actor, about_moderation=about_moderation)
    Participant.objects.bulk_create([Participant(conversation=conversation, member=m) for m in [actor, *recipients]])
    message_send(actor=actor, conversation=conversation, body=body)
    return conversation


def _participant(actor, conversation: Conversation) -> Participant:
    """Only participants know a conversation exists (managers included): 404 for everyone else."""
    row = Participant.objects.filter(conversation=conversation, member_id=getattr(actor, "pk", None)).first()
    if row is None:
        raise Http404("No conversation here.")
    return row


@transaction.atomic
def message_send(*, actor, conversation: Conversation, body: str) -> Message:
    check_can_act(actor)
    me = _participant(actor, conversation)
    body = _clean_body(body)
    others = list(conversation.participants.exclude(member_id=actor.pk).select_related("member"))
    if len(others) == 1 and not conversation.about_moderation:
        other = others[0].member
        if rules.is_blocked(blocker_id=actor.pk, blocked_id=other.pk):
            raise ValidationError({"body": f"You blocked {other.name}. Unblock them to send a message."})
        if not rules.accepts_messages(other) or rules.is_blocked(blocker_id=other.pk, blocked_id=actor.pk):
            raise ValidationError({"body": f"{other.name} isn't taking messages right now."})
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, sender=actor, body=body,
                                     body_html=render_markdown(body), created_at=now)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    Participant.objects.filter(pk=me.pk).update(last_read_at=now)
    member_ids = [actor.pk, *(o.member_id for o in others)]
    transaction.on_commit(lambda: unread_badge_forget(*member_ids))
    blockers = set(Block.objects.filter(blocker_id__in=[o.member_id for o in others], blocked_id=actor.pk)
                   .values_list("blocker_id", flat=True))
    for other in others:
        if other.member_id not in blockers:
            _deliver(message, other.member)
    return message


def _deliver(message: Message, recipient) -> None:
    """The live frame (with the recipient's unread count) and, if they want it, an email; after commit."""
    # tasks (entry points) import the services at the top; a service queues one by name at call time
    from .tasks import send_message_email

    html = render_to_string("messaging/_message.html", {"message": message, "live": True})
    unread = unread_conversation_count(recipient)
    broadcast([user_group(recipient.pk)], {"type": "message.new", "conversation_id": message.conversation_id,
                                           "id": message.pk, "html": html, "unread": unread})
    send_message_email.delay_on_commit(message.pk, recipient.pk)


def conversation_read(*, actor, conversation: Conversation) -> None:
    me = _participant(actor, conversation)
    Participant.objects.filter(pk=me.pk).update(last_read_at=timezone.now())
    unread_badge_forget(actor.pk)


@transaction.atomic
def message_report(*, actor, message: Message, reason: str) -> MessageReport:
    """A participant reports someone else's message; managers then see that message in the reports list."""
    check_can_act(actor)
    _participant(actor, message.conversation)
    if message.sender_id == actor.pk:
        raise PermissionDenied("You can't report your own message.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what is wrong with this message."})
    report, _ = MessageReport.objects.get_or_create(message=message, reporter=actor,
                                                    defaults={"reason": reason[:500]})
    return report


@transaction.atomic
def message_report_resolve(*, actor, report: MessageReport) -> None:
    if not policy_for(actor).is_manager:
        raise PermissionDenied("Community managers handle reported messages.")
    MessageReport.objects.filter(pk=report.pk).update(status=MessageReport.Status.RESOLVED, resolved_by=actor)


@transaction.atomic
def block_create(*, actor, member) -> Block | None:
    """Block a member: no messages between you, and their posts and comments are hidden from you."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to do that.")
    if member.pk == actor.pk:
        raise ValidationError("You can't block yourself.")
    hidden_authors_changed(actor.pk)  # their open feeds stop showing the member's new posts and comments
    memberpages.forget(actor.pk)  # and their kept pages, the member's posts they showed
    try:
        with transaction.atomic():
            return Block.objects.create(blocker=actor, blocked=member)
    except IntegrityError:  # already blocked: blocking twice is the same as once
        return Block.objects.filter(blocker=actor, blocked=member).first()


@transaction.atomic
def block_remove(*, actor, member) -> None:
    Block.objects.filter(blocker_id=actor.pk, blocked=member).delete()
    hidden_authors_changed(actor.pk)
    memberpages.forget(actor.pk)


def message_settings_update(*, actor, accepts_messages: bool, email_new_messages: bool) -> MessageSettings:
    settings_row, _ = MessageSettings.objects.update_or_create(
        member=actor, defaults={"accepts_messages": accepts_messages, "email_new_messages": email_new_messages})
    return settings_row


def message_email_send(*, message_id: int, recipient_id: int) -> bool:
    """One email per new message, re-checked at send time: still a participant, still wants email,
    not blocked, and the message not read since. Carries the sender's name and a link, never the text."""

    message = Message.objects.select_related("sender", "conversation").filter(pk=message_id).first()
    recipient = get_user_model().objects.filter(pk=recipient_id, is_active=True, deleted_at__isnull=True).first()
    if message is None or recipient is None or not recipient.email:
        return False
    me = Participant.objects.filter(conversation_id=message.conversation_id, member=recipient).first()
    row = MessageSettings.objects.filter(member=recipient).first()
    if me is None or (row is not None and not row.email_new_messages):
        return False
    if (me.last_read_at and me.last_read_at >= message.created_at) or \
            rules.is_blocked(blocker_id=recipient.pk, blocked_id=message.sender_id):
        return False
    site = settings.SITE_URL.rstrip("/")
    context = {"message": message, "member": recipient, "url": site + message.conversation.get_absolute_url(),
               "settings_url": site + "/messages/settings/"}
    send_mail(subject=f"PetCommunity: a new message from {message.sender.name}"[:150],
              message=render_to_string("messaging/email/new_message.txt", context),
              from_email=None, recipient_list=[recipient.email])
    return True
