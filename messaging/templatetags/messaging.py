from django import template

from ..selectors import unread_badge_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """Conversations with a message the member has not read yet (cached per member)."""
    return unread_badge_count(context["request"].user)
