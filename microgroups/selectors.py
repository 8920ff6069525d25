"""Reads for pod pages."""

from django.db.models import QuerySet

from .models import Pod
from .permissions import visible_pods


def pod_discover(*, user, query: str = "") -> QuerySet[Pod]:
    qs = visible_pods(user).select_related("region").prefetch_related("tags")
    if query:
        qs = qs.filter(name__icontains=query) | qs.filter(description__icontains=query)
    return qs.order_by("-last_post_at", "name")


def pod_get_for(*, user, slug: str) -> Pod:
    """The pod, or 404 when it does not exist or this person may not know it exists."""
    from django.shortcuts import get_object_or_404

    from .permissions import check_can_know_pod

    pod = get_object_or_404(Pod.objects.select_related("region", "parent"), slug=slug)
    check_can_know_pod(user, pod)
    return pod
