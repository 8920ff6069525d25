"""Who may message whom: earned on the ladder.

- Both are at least regular in a pod they share (stewards count as regular), or
- the sender stewards a pod the recipient is an active member of, or
- the sender is a manager or moderator writing about a moderation matter (this also passes turned-off
  messages and blocks: a member cannot opt out of hearing about their own moderation).
Nobody hears from a member they blocked, nor from anyone while their messages are off.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.policy import policy_for
from microgroups.models import RUNG_ORDER, Membership, Rung

from .models import Block, Conversation, MessageSettings

NEW_CONVERSATIONS_PER_DAY = getattr(settings, "MESSAGING_NEW_CONVERSATIONS_PER_DAY", 20)
NEWCOMER_CONVERSATIONS_PER_DAY = getattr(settings, "MESSAGING_NEWCOMER_CONVERSATIONS_PER_DAY", 3)
NEWCOMER_DAYS = 14  # an account younger than this starts fewer conversations a day


def _ladder_positions(member_ids: list[int]) -> dict[int, dict[int, tuple[str, str]]]:
    """member id → {pod id: (rung, role)} over active memberships, in one query."""
    out: dict[int, dict[int, tuple[str, str]]] = {pk: {} for pk in member_ids}
    rows = Membership.objects.filter(member_id__in=member_ids, status=Membership.Status.ACTIVE).values_list(
        "member_id", "pod_id", "rung", "role")
    for member_id, pod_id, rung, role in rows:
        out[member_id][pod_id] = (rung, role)
    return out


def _at_least_regular(position: tuple[str, str]) -> bool:
    rung, role = position
    return role == Membership.Role.STEWARD or RUNG_ORDER[rung] >= RUNG_ORDER[Rung.REGULAR]


def ladder_allows(sender, recipient) -> bool:
    positions = _ladder_positions([sender.pk, recipient.pk])
    mine, theirs = positions[sender.pk], positions[recipient.pk]
    for pod_id in mine.keys() & theirs.keys():
        if mine[pod_id][1] == Membership.Role.STEWARD:
            return True
        if _at_least_regular(mine[pod_id]) and _at_least_regular(theirs[pod_id]):
            return True
    return False


def is_blocked(*, blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def accepts_messages(member) -> bool:
    row = MessageSettings.objects.filter(member=member).only("accepts_messages").first()
    return row is None or row.accepts_messages


def check_can_message(sender, recipient, *, about_moderation: bool = False) -> None:
    """Raises ValidationError at the `to` field, naming only what the sender may know."""
    name = recipient.name
    if recipient.pk == sender.pk:
        raise ValidationError({"to": "You can't start a conversation with yourself."})
    if not recipient.is_active or recipient.deleted_at:
        raise ValidationError({"to": f"{name} can't receive messages."})
    if about_moderation:
        if not policy_for(sender).is_moderator:
            raise ValidationError({"to": "Only moderators open conversations about moderation."})
        return
    if is_blocked(blocker_id=sender.pk, blocked_id=recipient.pk):
        raise ValidationError({"to": f"You blocked {name}. Unblock them to send a message."})
    # Turned off and blocked read alike, so a block is never revealed to the blocked member.
    if not accepts_messages(recipient) or is_blocked(blocker_id=recipient.pk, blocked_id=sender.pk):
        raise ValidationError({"to": f"{name} isn't taking messages right now."})
    if not ladder_allows(sender, recipient):
        raise ValidationError({"to": f"You can message {name} once you are both regulars in a shared pod "
                                     "(or you steward a pod they belong to)."})


def daily_limit(sender) -> int:
    newcomer = sender.date_joined > timezone.now() - timedelta(days=NEWCOMER_DAYS)
    return NEWCOMER_CONVERSATIONS_PER_DAY if newcomer else NEW_CONVERSATIONS_PER_DAY


def check_daily_limit(sender) -> None:
    limit = daily_limit(sender)
    started = Conversation.objects.filter(created_by=sender, about_moderation=False,
                                          created_at__gte=timezone.now() - timedelta(days=1)).count()
    if started >= limit:
        raise ValidationError({"to": f"You can start {limit} new conversations a day. "
                                     "Carry on in an existing one, or try again tomorrow."})
