"""Pod discovery and the pod page."""

from django.shortcuts import render

from communities.selectors import feed, pinned_posts
from metrics.services import impressions_record

from ..permissions import can_read_pod, pod_roles
from ..selectors import pod_discover, pod_get_for


def discover(request):
    query = request.GET.get("q", "").strip()
    return render(request, "microgroups/discover.html", {"pods": pod_discover(user=request.user, query=query)[:60],
                                                         "q": query})


def pod_detail(request, slug: str):
    pod = pod_get_for(user=request.user, slug=slug)
    readable = can_read_pod(request.user, pod)
    page = pinned = None
    if readable:
        page = feed(user=request.user, pod=pod, sort=request.GET.get("sort", "new"),
                    top_window=request.GET.get("t", "week"), cursor=request.GET.get("cursor"))
        impressions_record(user=request.user, posts=page.posts)  # metrics: only what this member was shown
        pinned = pinned_posts(user=request.user, pod=pod)
    return render(request, "microgroups/pod_detail.html", {
        "pod": pod, "readable": readable, "page": page, "pinned": pinned,
        "is_member": pod_roles(request.user).is_member(pod.pk), "stream": f"/ws/feed/pod/{pod.slug}/",
    })
