"""Live-stream catch-up: after a reconnect the browser asks for the cards it missed, newest first."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from microgroups.permissions import can_read_pod
from microgroups.selectors import pod_get_for
from petcommunity.parsing import parse_id

from ..selectors import feed_after


def catchup(request, pod_slug: str | None = None):
    pod = pod_get_for(user=request.user, slug=pod_slug) if pod_slug else None  # 404: may not know it
    if pod is not None and not can_read_pod(request.user, pod):
        raise PermissionDenied("This pod's posts are for its members.")
    if not request.htmx:  # a person following the link gets the page itself
        return redirect(reverse("microgroups:detail", args=[pod.slug]) if pod else reverse("home"))
    after_id = parse_id(request.GET.get("after", "0"))
    if after_id is None:
        return HttpResponseBadRequest("after must be a post id", content_type="text/plain")
    posts = feed_after(user=request.user, pod=pod, after_id=after_id)
    return render(request, "communities/_catchup.html", {"posts": posts})
