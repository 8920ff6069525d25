"""Group names and broadcasting. Only services call `broadcast`, and always after commit."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from microgroups.models import Pod
from microgroups.permissions import can_know_pod, can_read_pod, pod_roles

COMMONS_GROUP = "feed.commons"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def pod_group(pod_id: int, *, trusted: bool = False) -> str:
    return f"feed.pod.{pod_id}.{'trusted' if trusted else 'all'}"


def feed_groups_for(user, pod_slug: str | None) -> list[str] | None:
    """The groups a feed socket may join, by the same rules as the feed page; None refuses."""
    if pod_slug is None:
        return [COMMONS_GROUP]
    pod = Pod.objects.filter(slug=pod_slug).first()
    if pod is None or not can_know_pod(user, pod) or not can_read_pod(user, pod):
        return None
    groups = [pod_group(pod.pk)]
    if pod.pk in pod_roles(user).trusted_pod_ids:
        groups.append(pod_group(pod.pk, trusted=True))
    return groups


def post_groups(post) -> list[str]:
    if post.pod_id is None:
        return [COMMONS_GROUP]
    return [pod_group(post.pod_id, trusted=post.audience == "trusted")]


def broadcast(groups: list[str], frame: dict) -> None:
    """Queue frames for after the surrounding transaction commits (a rollback sends nothing)."""

    def send():
        layer = get_channel_layer()
        if layer is None:
            return
        for group in groups:
            try:
                async_to_sync(layer.group_send)(group, {"type": "stream.frame", "frame": frame})
            except Exception:  # noqa: BLE001 - the stream is an enhancement; pages catch up over HTTP
                import logging

                logging.getLogger(__name__).warning("broadcast to %s failed", group, exc_info=True)

    transaction.on_commit(send)
