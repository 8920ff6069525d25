"""Timed bans end by themselves: `is_banned` reads `banned_until` (a ban is active while it is in the
future). The periodic task tidies the ended ones and writes each lift to the moderation log."""

from django.db import transaction

from microgroups.services.membership import bans_expired_lift

from ..models import ModerationLogEntry as Log
from ..scopes import scope_for_pod
from .log import log_write


@transaction.atomic
def bans_lift_expired(*, now=None) -> int:
    lifted = bans_expired_lift(now=now)
    for membership in lifted:
        log_write(actor=None, action=Log.Action.BAN_LIFTED, scope=scope_for_pod(membership.pod),
                  subject=membership.member, content_pod_id=membership.pod_id,
                  reason="The timed ban ended.", before="banned", after="left")
    return len(lifted)
