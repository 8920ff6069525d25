"""Link previews (OpenGraph, Twitter cards) and search snippets, only for what an anonymous visitor may see."""

from django import template
from django.contrib.auth.models import AnonymousUser

from ..policy import Policy

register = template.Library()


def _anonymous() -> Policy:
    return Policy(AnonymousUser())


@register.filter
def public_post(post) -> bool:
    """A signed-out visitor could open this post: its preview tags may describe it."""
    return _anonymous().can_read_post(post)


@register.filter
def public_pod(pod) -> bool:
    """An open, listed pod whose posts a signed-out visitor can read."""
    policy = _anonymous()
    return pod.privacy == "open" and policy.can_know_pod(pod) and policy.can_read_pod(pod)


@register.filter
def snippet(text, length: int = 155) -> str:
    """One line of plain text for a meta description: whitespace collapsed, cut at a word."""
    text = " ".join(str(text or "").split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
