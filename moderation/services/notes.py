"""Private moderator notes on a member: for the moderators of the note's scope and of the scopes above."""

from django.core.exceptions import ValidationError
from django.db import transaction

from communities.policy import check_can_delete_moderator_note, check_can_manage_scope

from ..models import ModeratorNote
from ..scopes import Scope


@transaction.atomic
def moderator_note_create(*, actor, member, scope: Scope, text: str) -> ModeratorNote:
    check_can_manage_scope(actor, scope)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note."})
    if len(text) > ModeratorNote.TEXT_MAX:
        raise ValidationError({"text": f"Keep a note to {ModeratorNote.TEXT_MAX} characters (it has {len(text)})."})
    return ModeratorNote.objects.create(**scope.item_fields(), member=member, author=actor, text=text)


@transaction.atomic
def moderator_note_delete(*, actor, note: ModeratorNote) -> None:
    check_can_delete_moderator_note(actor, note)
    note.delete()
