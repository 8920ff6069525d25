from django import template

from ..selectors import unread_badge_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """Conversations with a message the member has not read yet: the navigation bar's count when the page
    has it (cached with the bar, `communities.navcache`), else its own per-member cache."""
    nav = context.get("nav")
    if nav is not None and "message_count" in nav:
        return nav["message_count"]
    return unread_badge_count(context["request"].user)
