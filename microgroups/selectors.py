"""Reads for pod pages. Each costs a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode
from communities import pagecache
from communities.models import Place, Tag
from communities.policy import (
    can_know_pod,
    can_read_pod,
    can_steward,
    check_can_answer_steward_invitation,
    check_can_know_pod,
    check_can_see_standing,
    is_manager,
    pod_roles,
)
from communities.policy import filter_pods as visible_pods

from .models import (
    Charter,
    EmergingNiche,
    Invite,
    JoinRequest,
    Membership,
    MembershipEvent,
    Pod,
    PodSuggestion,
    StewardInvitation,
    WaitlistEntry,
)
from .permissions import invites_bound_to
from .services.ladder import ladder_stats, next_rung_needs, thresholds
from .services.membership import OFFER_HOURS, is_banned, waitlist_position

DISCOVER_PAGE_SIZE = 24


@dataclass
class DiscoverFilters:
    query: str = ""
    species: str = ""
    need: str = ""
    region: str = ""
    privacy: str = ""
    has_room: bool = False

    @property
    def active(self) -> bool:
        return any([self.query, self.species, self.need, self.region, self.privacy, self.has_room])


@dataclass
class DiscoverPage:
    pods: list[Pod]
    next_cursor: str | None


def _tag_subquery(kind: str, slug: str):
    return Pod.tags.through.objects.filter(tag__kind=kind, tag__slug=slug).values("pod_id")


def pod_discover(*, user, filters: DiscoverFilters | None = None, cursor: str | None = None,
                 page_size: int = DISCOVER_PAGE_SIZE) -> DiscoverPage:
    """Pods this person may know of, filtered, by name; keyset-paginated; 2 queries (pods, tags)."""
    f = filters or DiscoverFilters()
    qs = visible_pods(user)
    if f.query:
        tagged = Pod.tags.through.objects.filter(tag__name__icontains=f.query).values("pod_id")
        qs = qs.filter(Q(name__icontains=f.query) | Q(description__icontains=f.query) | Q(pk__in=tagged))
    if f.species:
        qs = qs.filter(pk__in=_tag_subquery(Tag.Kind.SPECIES, f.species))
    if f.need:
        qs = qs.filter(pk__in=_tag_subquery(Tag.Kind.NEED, f.need))
    if f.region:
        qs = qs.filter(Q(region__slug=f.region) | Q(region__parent__slug=f.region))
    if f.privacy in Pod.Privacy.values:
        qs = qs.filter(privacy=f.privacy)
    if f.has_room:
        qs = qs.filter(member_count__lt=F("member_cap"))
    after = cursor_decode(cursor)
    if after:
        qs = qs.filter(Q(name__gt=after[0]) | Q(name=after[0], pk__gt=after[1]))
    rows = list(qs.select_related("region").prefetch_related("tags").order_by("name", "pk")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_cursor = cursor_encode(rows[-1].name, rows[-1].pk)
    return DiscoverPage(pods=rows, next_cursor=next_cursor)


def discover_facets() -> dict:
    """Filter choices: species, needs, and regions with their cities (3 queries)."""
    return {
        "species": list(Tag.objects.filter(kind=Tag.Kind.SPECIES).order_by("name").values_list("slug", "name")),
        "needs": list(Tag.objects.filter(kind=Tag.Kind.NEED).order_by("name").values_list("slug", "name")),
        "regions": list(Place.objects.filter(kind__in=[Place.Kind.REGION, Place.Kind.CITY]).order_by("name")
                        .values_list("slug", "name")),
    }


def pods_for_you(*, user, limit: int = 6) -> list[PodSuggestion]:
    """The stored suggestions (one query), minus pods that since they were computed were joined, hidden,
    made invite-only or closed to this member by a ban: only pods they can join or ask to join."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = pod_roles(user)
    now = timezone.now()
    banned = Membership.objects.filter(member=user, status=Membership.Status.BANNED).filter(
        Q(banned_until__isnull=True) | Q(banned_until__gt=now)).values("pod_id")
    qs = (PodSuggestion.objects.filter(member=user, pod__in=visible_pods(user))
          .exclude(pod_id__in=roles.member_pod_ids).exclude(pod__privacy=Pod.Privacy.INVITE)
          .exclude(pod_id__in=banned).select_related("pod", "pod__region").order_by("-score", "pk"))
    return list(qs[:limit])


def emerging_niches(*, limit: int = 4) -> list[EmergingNiche]:
    return list(EmergingNiche.objects.filter(covered_by__isnull=True).prefetch_related("tags")
                .order_by("-author_count", "pk")[:limit])


def my_pods(*, user) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(member=user, status=Membership.Status.ACTIVE).select_related("pod")
                .order_by("pod__name"))


def pod_get_for(*, user, slug: str) -> Pod:
    """The pod, or 404 when it does not exist or this person may not know it exists."""
    pod = get_object_or_404(Pod.objects.select_related("region", "parent"), slug=slug)
    check_can_know_pod(user, pod)
    return pod


def pod_get_stewarded(*, user, slug: str) -> Pod:
    """The pod, or 404 unless this person stewards it (or is a manager): for settings whose very
    existence is the stewards' business (webhooks)."""
    pod = pod_get_for(user=user, slug=slug)
    if not can_steward(user, pod):
        raise Http404("No pod here.")
    return pod


def pod_get_for_holder(*, user, slug: str) -> Pod:
    """The pod, or 404 unless this person may know it or holds a place in it (`check_can_see_standing`):
    the waitlist and invite pages of an unlisted pod, for the people waiting or invited."""
    pod = get_object_or_404(Pod.objects.select_related("region", "parent"), slug=slug)
    check_can_see_standing(user, pod)
    return pod


@dataclass
class Standing:
    """Where one person stands in a pod."""

    pod: Pod
    knows_pod: bool  # may they see the pod's own page (listed, or a member)
    is_member: bool = False
    banned: bool = False
    waitlist_entry: WaitlistEntry | None = None
    position: int | None = None  # 1 = next in line
    waiting: int = 0  # people on the waitlist
    offer_open: bool = False
    offer_expires_at: datetime | None = None
    pending_request: JoinRequest | None = None
    invite: Invite | None = None  # a usable invite bound to them, not yet redeemed

    @property
    def holds_anything(self) -> bool:
        return bool(self.waitlist_entry or self.pending_request or self.invite)


def pod_standing(*, user, pod: Pod) -> Standing:
    """Membership, waitlist place and position, a held place and when its hold ends, a pending request, an
    invite bound to them. Says nothing about who else is in the pod (only how many are waiting)."""
    standing = Standing(pod=pod, knows_pod=can_know_pod(user, pod))
    if pod_roles(user).is_member(pod.pk):
        standing.is_member = True
        return standing
    standing.banned = is_banned(pod, user)
    entry = WaitlistEntry.objects.filter(pod=pod, member=user).first()
    if entry is not None:
        standing.waitlist_entry = entry
        standing.position = waitlist_position(pod, user)
        standing.waiting = WaitlistEntry.objects.filter(pod=pod).count()
        if entry.offered_at:
            expires = entry.offered_at + timedelta(hours=OFFER_HOURS)
            standing.offer_open = expires > timezone.now()
            standing.offer_expires_at = expires if standing.offer_open else None
    standing.pending_request = JoinRequest.objects.filter(pod=pod, member=user,
                                                          status=JoinRequest.Status.PENDING).first()
    if entry is None:
        standing.invite = invites_bound_to(user).filter(pod=pod).order_by("-created_at", "-pk").first()
    return standing


def pods_without_steward() -> QuerySet[Pod]:
    """Pods with no active steward: flagged to community managers."""
    stewards = Membership.objects.filter(pod=OuterRef("pk"), status=Membership.Status.ACTIVE,
                                         role=Membership.Role.STEWARD)
    return Pod.objects.filter(~Exists(stewards))


def charter_current(pod: Pod) -> Charter | None:
    return pod.charters.order_by("-version").first()


def next_prompt_on(pod: Pod, today: date | None = None) -> date | None:
    if not pod.prompt_text or pod.prompt_weekday is None:
        return None
    today = today or timezone.localdate()
    ahead = (pod.prompt_weekday - today.weekday()) % 7
    if ahead == 0 and pod.prompt_last_posted_on == today:
        ahead = 7
    return today + timedelta(days=ahead)


@dataclass
class RungProgress:
    rung: str
    next_rung: str | None
    needs: list[str]
    by_hand: bool


@dataclass
class PodPage:
    pod: Pod
    readable: bool
    stewarding: bool
    membership: Membership | None = None
    charter: Charter | None = None
    needs_ack: bool = False
    progress: RungProgress | None = None
    members: list[Membership] = field(default_factory=list)
    children: list[Pod] = field(default_factory=list)
    pending_request: JoinRequest | None = None
    waitlist_entry: WaitlistEntry | None = None
    waitlist_position: int | None = None
    offer_open: bool = False
    offer_expires_at: datetime | None = None
    banned: bool = False
    next_prompt: date | None = None


def pod_page(*, user, pod: Pod) -> PodPage:
    """Everything around the feed on the pod page; who is in the pod only for those who may read it."""

    readable = can_read_pod(user, pod)
    roles = pod_roles(user)
    page = PodPage(pod=pod, readable=readable, stewarding=can_steward(user, pod), charter=charter_current(pod),
                   next_prompt=next_prompt_on(pod) if readable else None)
    page.children = list(visible_pods(user).filter(parent=pod).order_by("name")) if pod.is_umbrella else []
    if not getattr(user, "is_authenticated", False):
        return page
    if roles.is_member(pod.pk) or is_manager(user):
        page.members = pod_members(pod=pod)
    if roles.is_member(pod.pk):
        # The member's own row is in the member list (one query for both).
        page.membership = next((m for m in page.members if m.member_id == user.pk), None) or \
            Membership.objects.get(pod=pod, member=user, status=Membership.Status.ACTIVE)
        page.membership.pod = pod
        page.needs_ack = page.membership.charter_version_acknowledged < pod.charter_version
        page.progress = member_rung_progress(user, pod, membership=page.membership)
    else:
        page.banned = is_banned(pod, user)
        page.pending_request = JoinRequest.objects.filter(pod=pod, member=user, status="pending").first()
        page.waitlist_entry = WaitlistEntry.objects.filter(pod=pod, member=user).first()
        cutoff = timezone.now() - timedelta(hours=OFFER_HOURS)
        page.offer_open = bool(page.waitlist_entry and page.waitlist_entry.offered_at
                               and page.waitlist_entry.offered_at >= cutoff)
        if page.offer_open:
            page.offer_expires_at = page.waitlist_entry.offered_at + timedelta(hours=OFFER_HOURS)
        elif page.waitlist_entry:
            page.waitlist_position = waitlist_position(pod, user)
    return page


def rung_progress(membership: Membership) -> RungProgress:
    """The member's rung and what the next one needs, kept until anything it counts may have changed.

    The count behind it (`ladder_stats`: five grouped queries over the pod's posts, comments and reactions)
    was a third of a member's pod page. It is kept per member and pod under a stamp of what it depends
    on: the pod's place version (bumped after commit by every post, comment and count change in the
    pod's feed, the member's own included), the membership's rung, the pod's ladder settings, and the
    member's day in their time zone (days active, days as a member). Reactions to comments bump only
    their post's page, and a moderator's upheld action is counted without a bump: `PROGRESS_TTL` bounds
    how long those are missing here, as the scheduled recompute bounds when a rung is actually earned.
    """
    pod = membership.pod
    key = f"rungp:{pod.pk}:{membership.member_id}"
    (version,), found = pagecache.versions_with([pagecache.pod(pod.pk)], [key])
    stamp = (version, membership.rung, membership.rung_set_by_hand, membership.rung_changed_at,
             membership.joined_at, pod.ladder, pod.ladder_pace, timezone.get_current_timezone_name(),
             timezone.localdate())
    kept = found.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    now = timezone.now()
    stats = ladder_stats(pod, [membership.member_id], now=now)[membership.member_id]
    next_rung, needs = next_rung_needs(membership, stats, thresholds(pod), now=now)
    progress = RungProgress(rung=membership.rung, next_rung=next_rung, needs=[str(n) for n in needs],
                            by_hand=membership.rung_set_by_hand)
    cache.set(key, (stamp, progress), PROGRESS_TTL)
    return progress


PROGRESS_TTL = 300  # seconds; see rung_progress
RUNG_PROGRESS_CACHE = "_rung_progress"  # on the user object, pod id → RungProgress | None (policy_forget drops it)


def member_rung_progress(user, pod: Pod, *, membership: Membership | None = None) -> RungProgress | None:
    """The member's rung in a pod and what the next one needs, or None when they are not an active member.
    Memoised on the user object, so the pod page's "Your rung" and the composer's hint compute it once."""
    memo = getattr(user, RUNG_PROGRESS_CACHE, None)
    if memo is None:
        memo = {}
        setattr(user, RUNG_PROGRESS_CACHE, memo)
    if pod.pk not in memo:
        if membership is None:
            membership = Membership.objects.filter(pod=pod, member_id=user.pk, status=Membership.Status.ACTIVE).first()
        if membership is not None:
            membership.pod = pod
        memo[pod.pk] = rung_progress(membership) if membership is not None else None
    return memo[pod.pk]


def pod_members(*, pod: Pod) -> list[Membership]:
    """Active members with their rungs: stewards first, then by rung and name (one query)."""
    rows = list(Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE).select_related("member"))
    order = {"trusted": 0, "regular": 1, "newcomer": 2}
    return sorted(rows, key=lambda m: (m.role != Membership.Role.STEWARD, order[m.rung], m.member.name.lower()))


def pod_bans(*, pod: Pod) -> list[Membership]:
    """Banned members (one query), most recent ban first."""
    return list(Membership.objects.filter(pod=pod, status=Membership.Status.BANNED).select_related("member")
                .order_by("-ended_at", "-pk"))


def join_requests_pending(*, pod: Pod) -> list[JoinRequest]:
    return list(pod.join_requests.filter(status=JoinRequest.Status.PENDING).select_related("member")
                .order_by("created_at", "pk"))


def invites_list(*, pod: Pod) -> list[Invite]:
    return list(pod.invites.select_related("for_member").order_by("-created_at", "-pk")[:100])


def waitlist_list(*, pod: Pod) -> list[WaitlistEntry]:
    return list(pod.waitlist.select_related("member").order_by("created_at", "pk"))


def membership_events(*, pod: Pod, limit: int = 50) -> list[MembershipEvent]:
    return list(pod.membership_events.select_related("member", "actor").order_by("-created_at", "-pk")[:limit])


def pod_stewards(*, pod: Pod) -> list[Membership]:
    """The pod's stewards, longest-serving first (one query)."""
    return list(Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE, role=Membership.Role.STEWARD)
                .select_related("member").order_by("joined_at", "pk"))


STEWARD_OPTIONS_LIMIT = 100


def steward_invite_options(*, member, niche=None) -> list[Pod]:
    """Pods a manager may invite `member` to steward, for the list to pick from: those about the niche and
    those the member already belongs to, minus those they steward; by name, with their steward count."""
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    about = Q(pk__in=active.filter(member=member).values("pod_id"))
    if niche is not None:
        about |= Q(pk__in=Pod.tags.through.objects.filter(tag=niche).values("pod_id"))
    stewarding = active.filter(member=member, role=Membership.Role.STEWARD).values("pod_id")
    return list(Pod.objects.filter(about).exclude(pk__in=stewarding)
                .annotate(steward_count=Count("memberships", filter=Q(memberships__status="active",
                                                                      memberships__role="steward")))
                .order_by("name", "pk")[:STEWARD_OPTIONS_LIMIT])


def steward_invitations_sent(*, member, limit: int = 20) -> list[StewardInvitation]:
    """A member's invitations to steward, newest first (for the manager inviting them)."""
    return list(StewardInvitation.objects.filter(member=member).select_related("pod", "niche", "invited_by")
                .order_by("-created_at", "-pk")[:limit])


def steward_invitation_get(*, user, invitation_id: int) -> StewardInvitation:
    """The invitation for its invitee; 404 for everyone else, as for one that does not exist."""
    invitation = (StewardInvitation.objects.select_related("pod", "niche", "invited_by", "result_pod")
                  .filter(pk=invitation_id).first())
    if invitation is None:
        raise Http404("No invitation here.")
    check_can_answer_steward_invitation(user, invitation)
    return invitation
