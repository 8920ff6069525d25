"""Reads for moderators: who moderates, and what waits for them."""

from django.db.models import Q

from communities.models import ContentStatus, Post
from microgroups.models import JoinRequest
from microgroups.permissions import is_manager, pod_roles


def user_is_moderator(user) -> bool:
    return is_manager(user) or bool(pod_roles(user).stewarded)


def moderator_queue_count(user) -> int:
    """Items waiting in this person's scopes: held posts and pending join requests."""
    if is_manager(user):
        held = Post.objects.filter(status=ContentStatus.HELD).count()
        return held + JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).count()
    pods = pod_roles(user).stewarded
    held = Post.objects.filter(Q(pod_id__in=pods), status=ContentStatus.HELD).count()
    return held + JoinRequest.objects.filter(pod_id__in=pods, status=JoinRequest.Status.PENDING).count()
