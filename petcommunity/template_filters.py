"""Filters every template may use without {% load %} (registered as builtins in settings)."""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso(value) -> str:
    """A `<time datetime>` value: seconds precision with the zone offset (HTML allows at most three
    digits of a fraction of a second, so Django's 'c' format with microseconds is invalid)."""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def initials(name) -> str:
    """Up to two letters for an avatar that stands in for a missing picture ("Ella Park" -> "EP")."""
    words = [w for w in str(name or "").replace("_", " ").replace(".", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else words[0][1:2])
    return letters.upper()


@register.filter
def canonical_url(request) -> str:
    """The page's absolute URL without its query string (sort orders and cursors are the same page)."""
    return request.build_absolute_uri(request.path)
