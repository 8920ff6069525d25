"""Live-stream catch-up: after a reconnect the browser asks for the cards it missed, newest first."""

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from petcommunity.parsing import parse_id

from .. import hooks
from ..policy import policy_for
from ..selectors import feed_after


def catchup(request, pod_slug: str | None = None):
    pod = None
    if pod_slug:
        pod = hooks.pod_rules.get().find(pod_slug)
        if pod is None:
            raise Http404("No pod here.")
        policy_for(request.user).check_can_read_pod(pod)  # 404 when they may not know it, 403 when they may not read
    if not request.htmx:  # a person following the link gets the page itself
        return redirect(reverse("microgroups:detail", args=[pod.slug]) if pod else reverse("home"))
    after_id = parse_id(request.GET.get("after", "0"))
    if after_id is None:
        return HttpResponseBadRequest("after must be a post id", content_type="text/plain")
    posts = feed_after(user=request.user, pod=pod, after_id=after_id)
    return render(request, "communities/_catchup.html", {"posts": posts})
