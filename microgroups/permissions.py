"""The pods app's rules, contributed to the one policy (`communities.policy`) through `hooks.pod_rules`.

Nothing here is called directly: pages, services and sockets ask `communities.policy`, which adds the
site-wide rules (managers, post status, the Commons) and asks `PodRules` about content in a pod.
Roles are computed once per request or connection (memoised on the user object).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from communities.models import Post

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




def past_newcomer_rung(user) -> bool:
    """Standing for the rate limits: a steward anywhere, or past the newcomer rung in some pod."""
    roles = pod_roles(user)  # memoised on the user: usually already loaded by the view
    return bool(roles.stewarded) or any(rung != Rung.NEWCOMER for rung in roles.rungs.values())


def _active(**filters):
    return Membership.objects.filter(status=Membership.Status.ACTIVE, **filters)


class PodRules:
    """Who may know, read and post in a pod, and who reads a pod's post (see `communities.policy.NoPods`)."""

    def roles(self, user) -> PodRoles:
        return pod_roles(user)

    def readable_q(self, policy, prefix: str) -> Q:
        """Posts (under `prefix`) in pods whose place the member may read, whatever the post's status."""
        roles = policy.pods
        everyone = Post.Audience.EVERYONE
        return (
            Q(**{f"{prefix}pod__privacy": Pod.Privacy.OPEN, f"{prefix}audience": everyone})
            | Q(**{f"{prefix}pod_id__in": roles.member_pod_ids, f"{prefix}audience": everyone})
            | Q(**{f"{prefix}pod_id__in": roles.trusted_pod_ids})
        )

    def can_read_post_place(self, policy, post) -> bool:
        roles = policy.pods
        if post.audience == Post.Audience.TRUSTED:
            return post.pod_id in roles.trusted_pod_ids
        return post.pod.privacy == Pod.Privacy.OPEN or roles.is_member(post.pod_id)

    def can_know(self, policy, pod) -> bool:
        return not pod.is_unlisted or policy.pods.is_member(pod.pk)

    def can_read(self, policy, pod) -> bool:
        """Posts, comments and the member list: open pods to everyone, others to members only."""
        return pod.privacy == Pod.Privacy.OPEN or policy.pods.is_member(pod.pk)

    def filter_known(self, policy, qs):
        """Pods whose existence the member may know: every listed pod, plus unlisted ones they belong to."""
        qs = Pod.objects.all() if qs is None else qs
        if policy.is_manager:
            return qs
        return qs.exclude(is_unlisted=True) | qs.filter(pk__in=policy.pods.member_pod_ids)

    def hidden_q(self, policy, field: str) -> Q:
        return Q(**{f"{field}__is_unlisted": True}) & ~Q(**{f"{field}_id__in": policy.pods.member_pod_ids})

    def readable_pods_q(self, policy, field: str) -> Q:
        """Rows naming a pod in `field` (queue items without content) whose content the member may read."""
        return Q(**{f"{field}__privacy": Pod.Privacy.OPEN}) | Q(**{f"{field}_id__in": policy.pods.member_pod_ids})

    def find(self, slug: str):
        """The pod a feed socket names, or None."""
        return Pod.objects.filter(slug=slug).first()

    def check_can_post(self, policy, pod, *, audience: str, has_links: bool, has_images: bool) -> None:
        """An active member who acknowledged the current charter, and whose rung unlocks links, images and
        trusted-only posts (per-pod ladder settings)."""
        roles = policy.pods
        if not roles.is_member(pod.pk):
            # They know the pod (a listed one): 403, as for any listed pod they may see but not act in.
            raise PermissionDenied("Join this pod to post in it.")
        membership = _active(pod=pod, member_id=policy.user.pk).only("charter_version_acknowledged").get()
        if membership.charter_version_acknowledged < pod.charter_version:
            raise PermissionDenied("Please read and acknowledge the pod's updated charter first.")
        if audience == "trusted" and not roles.rung_at_least(pod.pk, Rung.TRUSTED):
            raise ValidationError({"audience": "Trusted-only posts are for trusted members and stewards."})
        if has_links and not roles.rung_at_least(pod.pk, pod.ladder_setting("links_min_rung")):
            raise ValidationError(
                {"body": f"Links unlock at the {pod.ladder_setting('links_min_rung')} rung in this pod."})
        if has_images and not roles.rung_at_least(pod.pk, pod.ladder_setting("images_min_rung")):
            raise ValidationError(
                {"images": f"Images unlock at the {pod.ladder_setting('images_min_rung')} rung here."})

    def trusted_circle_ids(self, user) -> frozenset[int]:
        """Active members of a pod where `user` is trusted or a steward. One query, memoised on the user,
        so a page asks it once whatever its length."""
        cached = getattr(user, "_trusted_circle", None)
        if cached is None:
            vouching = _active(member_id=user.pk).filter(
                Q(rung=Rung.TRUSTED) | Q(role=Membership.Role.STEWARD)).values("pod_id")
            cached = frozenset(_active(pod_id__in=vouching).values_list("member_id", flat=True))
            user._trusted_circle = cached
        return cached

    def trusted_circle_members(self, policy):
        """Ids (a subquery) of active members of the pods where the member is trusted or a steward."""
        return _active(pod_id__in=policy.pods.trusted_pod_ids).values("member_id")

    def post_readers_q(self, post) -> Q:
        """Users who may read a post's place in its pod (the reverse of `can_read_post_place`)."""
        members = _active(pod_id=post.pod_id)
        if post.audience == Post.Audience.TRUSTED:
            return Q(pk__in=members.filter(Q(rung=Rung.TRUSTED) | Q(role=Membership.Role.STEWARD)).values("member_id"))
        return self.pod_readers_q(post.pod)

    def is_steward_invitee(self, policy, invitation) -> bool:
        """An invitation to steward is for its member alone (not its sender, not other managers)."""
        return invitation.member_id == policy.user.pk

    def pod_readers_q(self, pod) -> Q:
        if pod.privacy == Pod.Privacy.OPEN:
            return Q()
        return Q(pk__in=_active(pod_id=pod.pk).values("member_id"))
