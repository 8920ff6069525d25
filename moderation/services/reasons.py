"""Reusable removal reasons: written at a scope by its moderators, offered in that scope and beneath it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communities.policy import check_can_edit_removal_reason, check_can_manage_scope

from ..models import RemovalReason
from ..scopes import Scope


def _clean(title: str, text: str) -> tuple[str, str]:
    """Both are required; the service checks lengths too, so every caller gets the message at the field."""
    title, text = (title or "").strip(), (text or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Give the reason a short title moderators will pick it by."
    elif len(title) > RemovalReason.TITLE_MAX:
        errors["title"] = f"Keep the title to {RemovalReason.TITLE_MAX} characters (it has {len(title)})."
    if not text:
        errors["text"] = "Write what the author will read when their post is removed."
    elif len(text) > RemovalReason.TEXT_MAX:
        errors["text"] = f"Keep the reason to {RemovalReason.TEXT_MAX} characters (it has {len(text)})."
    if errors:
        raise ValidationError(errors)
    return title, text


@transaction.atomic
def removal_reason_create(*, actor, scope: Scope, title: str, text: str) -> RemovalReason:
    check_can_manage_scope(actor, scope)
    title, text = _clean(title, text)
    return RemovalReason.objects.create(**scope.model_fields(), title=title, text=text, created_by=actor)


@transaction.atomic
def removal_reason_update(*, actor, reason: RemovalReason, title: str, text: str) -> RemovalReason:
    check_can_edit_removal_reason(actor, reason)
    reason.title, reason.text = _clean(title, text)
    reason.updated_at = timezone.now()
    reason.save(update_fields=["title", "text", "updated_at"])
    return reason


@transaction.atomic
def removal_reason_delete(*, actor, reason: RemovalReason) -> None:
    """Past removals keep their text (the log and the post hold it), so deleting a reason loses nothing."""
    check_can_edit_removal_reason(actor, reason)
    reason.delete()
