"""Template tags for other apps' pages: the pod's public moderation summary."""

from django import template
from django.core.cache import cache

from ..selectors import pod_moderation_summary as summary_for

register = template.Library()

SUMMARY_TTL = 600  # a transparency summary may lag ten minutes; the pod page stays at its query count


@register.inclusion_tag("moderation/_pod_summary.html")
def pod_moderation_summary(pod):
    key = f"moderation:podsummary:{pod.pk}"
    summary = cache.get(key)
    if summary is None:
        summary = summary_for(pod)
        cache.set(key, summary, SUMMARY_TTL)
    return {"summary": summary}
