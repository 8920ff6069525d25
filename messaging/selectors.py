"""Reads: the inbox, one conversation, unread counts, blocks and reported messages."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F, Q
from django.http import Http404

from communities import navcache

from .models import Block, Conversation, Message, MessageReport, MessageSettings, Participant

INBOX_SIZE = 50


UNREAD_TTL = 300


def _unread_key(member_id: int) -> str:
    return f"messaging:unread:{member_id}"


def unread_badge_count(user) -> int:
    """The header badge on every page: cached per member (no query on most pages), dropped by the
    services when a message arrives for them or they read a conversation."""
    if not getattr(user, "is_authenticated", False):
        return 0
    count = cache.get(_unread_key(user.pk))
    if count is None:
        count = unread_conversation_count(user)
        cache.set(_unread_key(user.pk), count, UNREAD_TTL)
    return count


def unread_badge_forget(*member_ids: int) -> None:
    cache.delete_many([_unread_key(pk) for pk in member_ids])
    navcache.forget_now(*member_ids)  # the navigation bar carries the same count (callers run after commit)


def nav_badges(*, policy) -> dict:
    """The navigation bar's messages badge (`communities.hooks.nav_badges`; cached with the bar)."""
    return {"message_count": unread_conversation_count(policy.user)}


def unread_conversation_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Participant.objects.filter(member_id=user.pk).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lt=F("conversation__last_message_at"))).count()


@dataclass
class InboxRow:
    conversation: Conversation
    others: list
    unread: bool
    last: Message | None


def inbox(*, user) -> list[InboxRow]:
    """The member's conversations, newest activity first, in three queries."""
    mine = {p.conversation_id: p for p in Participant.objects.filter(member=user).select_related("conversation")
            .order_by("-conversation__last_message_at")[:INBOX_SIZE]}
    others: dict[int, list] = {pk: [] for pk in mine}
    for p in Participant.objects.filter(conversation_id__in=mine).exclude(member=user).select_related("member"):
        others[p.conversation_id].append(p.member)
    last = {}
    for m in Message.objects.filter(conversation_id__in=mine).order_by("conversation_id", "-created_at", "-id") \
            .select_related("sender"):
        last.setdefault(m.conversation_id, m)
    return [InboxRow(conversation=p.conversation, others=others[pk], last=last.get(pk),
                     unread=p.last_read_at is None or p.last_read_at < p.conversation.last_message_at)
            for pk, p in mine.items()]


def conversation_get(*, user, conversation_id: int) -> Conversation:
    """404 unless the member takes part (managers included: messages are private to participants)."""
    conversation = Conversation.objects.filter(pk=conversation_id, participants__member_id=getattr(user, "pk", None)) \
        .first()
    if conversation is None:
        raise Http404("No conversation here.")
    return conversation


def conversation_messages(*, user, conversation: Conversation, limit: int = 200) -> list[Message]:
    """The latest messages, oldest first, without those from members the viewer blocked."""
    blocked = Block.objects.filter(blocker_id=user.pk).values("blocked_id")
    rows = list(conversation.messages.exclude(sender_id__in=blocked).select_related("sender")
                .order_by("-created_at", "-id")[:limit])
    return rows[::-1]


def conversation_members(*, conversation: Conversation) -> list:
    return [p.member for p in conversation.participants.select_related("member").order_by("member__username")]


def message_get(*, user, message_id: int) -> Message:
    message = Message.objects.select_related("conversation", "sender").filter(
        pk=message_id, conversation__participants__member_id=getattr(user, "pk", None)).first()
    if message is None:
        raise Http404("No message here.")
    return message


def blocked_members(*, user) -> list:
    return [b.blocked for b in Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")]


def blocked_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Block.objects.filter(blocker_id=user.pk).values_list("blocked_id", flat=True))


def message_settings_get(*, user) -> MessageSettings:
    return MessageSettings.objects.filter(member=user).first() or MessageSettings(member=user)


def open_message_reports() -> list[MessageReport]:
    """For managers only (the view checks): each reported message, and nothing else of its conversation."""
    return list(MessageReport.objects.filter(status=MessageReport.Status.OPEN)
                .select_related("message__sender", "reporter").order_by("-created_at"))


def blocked_ids_subquery(*, member_id: int):
    """For the core's `hidden_authors` hook: the members this member blocked, as a subquery."""
    return Block.objects.filter(blocker_id=member_id).values("blocked_id")
