"""Template helpers for content: reaction labels, clipped post HTML and the follow button (profile pages)."""

from django import template

from ..models import Follow, ReactionKind
from ..rendering import clip_html

register = template.Library()

_EMOJI = {k.value: k.label.split(" ", 1)[0] for k in ReactionKind}
_NAME = {k.value: k.label.split(" ", 1)[1] for k in ReactionKind}


@register.filter
def reaction_emoji(kind: str) -> str:
    return _EMOJI.get(kind, "")


@register.filter
def reaction_name(kind: str) -> str:
    return _NAME.get(kind, kind)


@register.filter
def clipped(html: str, limit: int = 280):
    """Post HTML (already sanitised when saved) cut to `limit` characters of text, re-sanitised with nh3.
    Returned unmarked: the template says `|safe` on the body_html it clips, where the XSS scan checks it."""
    return clip_html(html, int(limit))


@register.inclusion_tag("communities/_follow_button.html", takes_context=True)
def follow_button(context, member):
    """A POST form (works without JS; htmx swaps it in place). One query, on profile pages only."""
    user = context["request"].user
    show = user.is_authenticated and user.pk != member.pk and not member.deleted_at
    following = show and Follow.objects.filter(follower_id=user.pk, followee_id=member.pk).exists()
    return {"member": member, "show": show, "following": following, "csrf_token": context.get("csrf_token")}
