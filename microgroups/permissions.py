"""Who may see and do what in pods. Roles are computed once per request or connection."""

from dataclasses import dataclass, field

from django.http import Http404

from .models import RUNG_ORDER, Membership, Pod, Rung


@dataclass(frozen=True)
class PodRoles:
    """A member's active memberships: pod id → rung, and the pods they steward."""

    rungs: dict[int, str] = field(default_factory=dict)
    stewarded: frozenset[int] = frozenset()

    @property
    def member_pod_ids(self) -> set[int]:
        return set(self.rungs)

    @property
    def trusted_pod_ids(self) -> set[int]:
        # Stewards see everything in their pod, trusted-only posts included.
        return {pid for pid, rung in self.rungs.items() if rung == Rung.TRUSTED} | set(self.stewarded)

    def is_member(self, pod_id: int) -> bool:
        return pod_id in self.rungs

    def rung_at_least(self, pod_id: int, rung: str) -> bool:
        if pod_id in self.stewarded:
            return True
        have = self.rungs.get(pod_id)
        return have is not None and RUNG_ORDER[have] >= RUNG_ORDER[rung]


def pod_roles(user) -> PodRoles:
    """Memoised on the user object, so a request or websocket connection asks the database once.

    Services that change memberships call `pod_roles_forget(user)` for the acting user.
    """
    if not getattr(user, "is_authenticated", False):
        return PodRoles()
    cached = getattr(user, "_pod_roles", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(member_id=user.pk, status=Membership.Status.ACTIVE).values_list(
        "pod_id", "rung", "role"
    )
    roles = PodRoles(
        rungs={pod_id: rung for pod_id, rung, _ in rows},
        stewarded=frozenset(pod_id for pod_id, _, role in rows if role == Membership.Role.STEWARD),
    )
    user._pod_roles = roles
    return roles


def pod_roles_forget(user) -> None:
    if hasattr(user, "_pod_roles"):
        del user._pod_roles


def is_manager(user) -> bool:
    """Community managers: superusers and staff in the "Community managers" group."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_manager", None)
    if cached is None:
        cached = user.is_staff and user.groups.filter(name="Community managers").exists()
        user._is_manager = cached
    return cached


def visible_pods(user):
    """Pods whose existence this person may know: every listed pod, plus unlisted ones they belong to."""
    qs = Pod.objects.all()
    if is_manager(user):
        return qs
    member_ids = pod_roles(user).member_pod_ids
    return qs.exclude(is_unlisted=True) | qs.filter(pk__in=member_ids)


def can_know_pod(user, pod: Pod) -> bool:
    return not pod.is_unlisted or is_manager(user) or pod_roles(user).is_member(pod.pk)


def can_read_pod(user, pod: Pod) -> bool:
    """Posts, comments and the member list: open pods to everyone, others to members only."""
    if pod.privacy == Pod.Privacy.OPEN or is_manager(user):
        return True
    return pod_roles(user).is_member(pod.pk)


def can_steward(user, pod: Pod) -> bool:
    return is_manager(user) or pod.pk in pod_roles(user).stewarded


def check_can_know_pod(user, pod: Pod) -> None:
    if not can_know_pod(user, pod):
        raise Http404("No pod here.")


def check_can_post_in_pod(user, pod: Pod, *, audience: str, has_links: bool, has_images: bool) -> None:
    """Posting and commenting in a pod: an active member who acknowledged the current charter, and
    whose rung unlocks links, images and trusted-only posts (per-pod ladder settings)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    check_can_know_pod(user, pod)
    roles = pod_roles(user)
    if not roles.is_member(pod.pk):
        # They know the pod (a listed one): 403, as for any listed pod they may see but not act in.
        raise PermissionDenied("Join this pod to post in it.")
    membership = Membership.objects.only("charter_version_acknowledged").get(
        pod=pod, member_id=user.pk, status=Membership.Status.ACTIVE
    )
    if membership.charter_version_acknowledged < pod.charter_version:
        raise PermissionDenied("Please read and acknowledge the pod's updated charter first.")
    if audience == "trusted" and not roles.rung_at_least(pod.pk, Rung.TRUSTED):
        raise ValidationError({"audience": "Trusted-only posts are for trusted members and stewards."})
    if has_links and not roles.rung_at_least(pod.pk, pod.ladder_setting("links_min_rung")):
        raise ValidationError({"body": f"Links unlock at the {pod.ladder_setting('links_min_rung')} rung in this pod."})
    if has_images and not roles.rung_at_least(pod.pk, pod.ladder_setting("images_min_rung")):
        raise ValidationError({"images": f"Images unlock at the {pod.ladder_setting('images_min_rung')} rung here."})


def check_can_read_pod(user, pod: Pod) -> None:
    """The pod's posts, comments and member list: 404 for a pod they may not know, 403 otherwise."""
    from django.core.exceptions import PermissionDenied

    check_can_know_pod(user, pod)
    if not can_read_pod(user, pod):
        raise PermissionDenied("This pod's posts are for its members.")


def check_can_steward(user, pod: Pod) -> None:
    """Settings pages: 404 for a pod they may not know, 403 for one they know but don't steward."""
    from django.core.exceptions import PermissionDenied

    check_can_know_pod(user, pod)
    if not can_steward(user, pod):
        raise PermissionDenied("Only this pod's stewards can change its settings.")
