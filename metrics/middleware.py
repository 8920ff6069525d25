"""Marks a signed-in member active in the scope of the page they used (the Commons or a pod).

Scope from the resolved URL: the home feed and `communities` pages are the Commons; a URL with a
`post_id` takes its post's scope; `microgroups` URLs with a `slug` are that pod. Only successful
responses count, so a page someone may not see never marks them active there. Lookups and the
"seen today" check are cached, so a request costs a cache read or two, and a database write at most
once per member, scope and day.
"""

import logging

from django.core.cache import cache

from communities.models import Post
from microgroups.models import Pod

from .services.events import activity_mark

logger = logging.getLogger(__name__)
_MISSING = -1


def _cached_id(key: str, lookup) -> int | None:
    value = cache.get(key)
    if value is None:
        found = lookup()
        value = _MISSING if found is None else found
        cache.set(key, value, 86400)
    return None if value == _MISSING else value


def _post_scope(post_id) -> tuple[bool, int | None]:

    def lookup():
        rows = list(Post.objects.filter(pk=post_id).values_list("pod_id", flat=True)[:1])
        return (rows[0] or 0) if rows else None  # 0: a Commons post

    pod_id = _cached_id(f"metrics:postpod:{post_id}", lookup)
    return (pod_id is not None), (pod_id or None)


def _pod_scope(slug: str) -> tuple[bool, int | None]:

    pod_id = _cached_id(f"metrics:podslug:{slug}",
                        lambda: Pod.objects.filter(slug=slug).values_list("pk", flat=True).first())
    return (pod_id is not None), pod_id


def request_scope(request) -> tuple[bool, int | None]:
    """(is in a scope, pod id or None for the Commons)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False, None
    if "post_id" in match.kwargs:
        return _post_scope(match.kwargs["post_id"])
    if "slug" in match.kwargs and (match.namespace == "microgroups" or match.view_name == "metrics_pods:pulse"):
        return _pod_scope(match.kwargs["slug"])
    if match.namespace == "communities" or (not match.namespace and match.url_name == "home"):
        return True, None
    return False, None


class ActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code < 400 and user is not None and user.is_authenticated:
            try:
                in_scope, pod_id = request_scope(request)
                if in_scope:
                    activity_mark(member=user, pod_id=pod_id)
            except Exception:  # noqa: BLE001 - metrics never cost a member their page
                logger.exception("activity middleware failed")
        return response
