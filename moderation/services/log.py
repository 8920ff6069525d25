"""The append-only moderation log: every action and rule change is written here, in the same transaction."""

from ..models import ModerationLogEntry
from ..scopes import Scope


def log_write(*, actor, action: str, scope: Scope, reason: str = "", subject=None, post=None, comment=None,
              content_pod_id: int | None = None, rule=None, item=None, before: str = "",
              after: str = "") -> ModerationLogEntry:
    return ModerationLogEntry.objects.create(
        actor=actor, action=action, **scope.item_fields(), reason=reason[:500], subject=subject, post=post,
        comment=comment, content_pod_id=content_pod_id, rule=rule, rule_title=rule.title if rule else "",
        item=item, before=before, after=after,
    )
