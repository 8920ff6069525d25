"""Helpers the pod services share: notifications, stream control, the system account, steward lookup."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db.models import F

from communities.models import NotificationKind
from communities.policy import can_steward, check_can_act
from communities.services.counters import bump
from communities.services.notifications import notification_create
from communities.services.webhooks import webhooks_emit
from communities.streams import close_streams, pod_group, refresh_streams

from ..models import Membership, MembershipEvent, Pod
from ..permissions import pod_roles_forget

SYSTEM_USERNAME = "petcommunity"


def system_account():
    """The "PetCommunity" author of automatic posts in pods without a steward; no password, no login."""

    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"display_name": "PetCommunity", "password": make_password(None),
                  "bio": "Posts the pods' weekly prompts and welcomes when a pod has no steward."})
    return user


def pod_url(pod: Pod) -> str:
    return f"/pods/{pod.slug}/"


def standing_url(pod: Pod) -> str:
    """Where someone waiting or invited sees where they stand: reachable for them in an unlisted pod too."""
    return f"/pods/{pod.slug}/standing/"


def outsider_url(pod: Pod) -> str:
    """A link for someone who holds nothing in the pod (any more): an unlisted pod's page would be a 404."""
    return "/pods/" if pod.is_unlisted else pod_url(pod)


def notify(*, recipient, verb: str, pod: Pod | None = None, actor=None, url: str = "") -> None:
    """A "pod news" notification. `verb` names only what the recipient may know (their own pod, their
    own request); never content of a pod they can't read."""

    notification_create(recipient=recipient, kind=NotificationKind.POD, verb=verb, actor=actor,
                        url=url or (pod_url(pod) if pod else ""), pod=pod)


def check_steward(actor, pod: Pod) -> None:
    check_can_act(actor)
    if not can_steward(actor, pod):
        raise PermissionDenied("Only this pod's stewards can do that.")


def log_event(*, pod: Pod, member, kind: str, actor=None, from_value: str = "", to_value: str = "",
              reason: str = "") -> MembershipEvent:
    return MembershipEvent.objects.create(pod=pod, member=member, kind=kind, actor=actor, from_value=from_value,
                                          to_value=to_value, reason=reason[:300])


def bump_members(pod: Pod, delta: int) -> None:

    Pod.objects.filter(pk=pod.pk).update(member_count=bump(F("member_count"), delta))
    pod.member_count = max(pod.member_count + delta, 0)


def cut_off(member, pod: Pod) -> None:
    """Leaving, removal and bans act at once: fresh roles in this process, and every socket of the
    member leaves the pod's groups after commit (the consumers re-check access with fresh roles)."""
    pod_roles_forget(member)
    close_streams(member.pk, groups=[pod_group(pod.pk), pod_group(pod.pk, trusted=True)])


def access_grew(member) -> None:
    pod_roles_forget(member)
    refresh_streams(member.pk)


def stewards_of(pod: Pod):
    return get_user_model().objects.filter(pod_memberships__pod=pod, pod_memberships__status=Membership.Status.ACTIVE,
                                           pod_memberships__role=Membership.Role.STEWARD).order_by(
        "pod_memberships__joined_at", "pk")


def voice_of(pod: Pod):
    """Who authors the pod's automatic posts: its longest-serving steward, else the system account."""
    return stewards_of(pod).first() or system_account()


def emit(event: str, *, pod: Pod, key, data: dict) -> None:
    """A pod-scoped webhook event (only hooks registered for this pod hear it; delivered after commit)."""

    webhooks_emit(event, pod=pod, key=key, payload_builder=lambda: data)
