from django import template

from ..selectors import unread_conversation_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """Conversations with a message the member has not read yet (one query, signed-in members only)."""
    return unread_conversation_count(context["request"].user)
