"""The pods app's rules, contributed to the one policy (`communities.policy`) through `hooks.pod_rules`.

Nothing here is called directly: pages, services and sockets ask `communities.policy`, which adds the
site-wide rules (managers, post status, the Commons) and asks `PodRules` about content in a pod.
Roles are computed once per request or connection (memoised on the user object).
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from communities import navcache
from communities.models import Post
from communities.policy import ComposerUnlocks

from .models import RUNG_ORDER, Invite, Membership, Pod, Rung, WaitlistEntry


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
    for attr in ("_pod_roles", "_rung_progress"):  # the rung progress (selectors) follows the roles
        if hasattr(user, attr):
            delattr(user, attr)
    navcache.forget(user.pk)  # a steward moderates the pod: the navigation bar's queue link and badge


def usable_invites_q(now=None) -> Q:
    """Invites that can still be redeemed: not withdrawn, not expired, not used up."""
    now = now or timezone.now()
    return (Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            & (Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses"))))


def invites_bound_to(user):
    """Usable invites bound to this member (the same test as `services.invites.invite_is_for`, as a query):
    to their account, or to an email they have verified. Open links are bound to nobody."""
    verified = (EmailAddress.objects.filter(user_id=user.pk, verified=True).annotate(address=Lower("email"))
                .values("address"))
    mine = ((Q(for_member_id=user.pk) | Q(for_member__isnull=True)) & (Q(email="") | Q(email__in=verified))
            & ~Q(for_member__isnull=True, email=""))
    return Invite.objects.filter(usable_invites_q()).filter(mine)


def past_newcomer_rung(user) -> bool:
    """Standing for the rate limits: a steward anywhere, or past the newcomer rung in some pod."""
    roles = pod_roles(user)  # memoised on the user: usually already loaded by the view
    return bool(roles.stewarded) or any(rung != Rung.NEWCOMER for rung in roles.rungs.values())


def _active(**filters):
    return Membership.objects.filter(status=Membership.Status.ACTIVE, **filters)


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def unlock_hint(progress, locked: dict[str, str]) -> str:
    """One line on what the composer keeps back and when it unlocks, from `locked` (what → the rung that
    unlocks it) and the member's `progress` (selectors.RungProgress, or None): "Photos and links unlock at
    regular: 2 more days active, 1 more post or comment; trusted-only posts at trusted." Only the nearest
    rung says what it still needs (the ladder counts towards the next rung only)."""
    if not locked:
        return ""
    by_rung: dict[str, list[str]] = {}
    for what, rung in sorted(locked.items(), key=lambda item: RUNG_ORDER[item[1]]):
        by_rung.setdefault(rung, []).append(what)
    (first, things), *later = by_rung.items()
    line = f"{_words(things)} unlock at {first}"
    if progress is not None and progress.next_rung == first:
        if progress.by_hand:
            line += " (a steward set your rung)"
        elif progress.needs:
            line += ": " + ", ".join(progress.needs)
        else:
            line += ": you've done what it needs, the nightly update will move you up"
    parts = [line[:1].upper() + line[1:], *(f"{_words(things)} at {rung}" for rung, things in later)]
    return "; ".join(parts) + "."


class PodRules:
    """Who may know, read and post in a pod, and who reads a pod's post (see `communities.policy.NoPods`).

    `rung_progress(user, pod)` reads a member's progress up the ladder (the selectors' memoised
    `member_rung_progress`, given at start-up: the ladder's services import this module)."""

    def __init__(self, rung_progress=None):
        self.rung_progress = rung_progress or (lambda user, pod: None)

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

    def holds_place(self, policy, pod) -> bool:
        """A place on the pod's waitlist (an offer included), or an invite to it bound to them. Holding one
        lets them see where they stand, even in an unlisted pod; it shows them nothing else of the pod."""
        user = policy.user
        if WaitlistEntry.objects.filter(pod=pod, member_id=user.pk).exists():
            return True
        return invites_bound_to(user).filter(pod=pod).exists()

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

    def composer_unlocks(self, policy, pod) -> ComposerUnlocks:
        """What `check_can_post` would allow, for the composer to offer: trusted-only posts at trusted,
        photos and links at the pod's ladder settings (stewards: everything), with a one-line hint at what
        is still locked. Nothing for a non-member (the page shows no composer to them)."""
        roles = policy.pods
        if not roles.is_member(pod.pk):
            return ComposerUnlocks(audience=False, images=False, links=False)
        needs = {"photos": pod.ladder_setting("images_min_rung"), "links": pod.ladder_setting("links_min_rung"),
                 "trusted-only posts": Rung.TRUSTED}
        locked = {what: rung for what, rung in needs.items() if not roles.rung_at_least(pod.pk, rung)}
        hint = unlock_hint(self.rung_progress(policy.user, pod), locked) if locked else ""
        return ComposerUnlocks(audience="trusted-only posts" not in locked, images="photos" not in locked,
                               links="links" not in locked, hint=hint)

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
