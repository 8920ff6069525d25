"""Reads for pod pages. Each costs a fixed number of queries whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode
from communities.models import Place, Tag
from communities.policy import (
    can_read_pod,
    can_steward,
    check_can_answer_steward_invitation,
    check_can_know_pod,
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
from .services.ladder import ladder_stats, next_rung_needs, thresholds
from .services.membership import OFFER_HOURS, is_banned

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
    """The stored suggestions (one query), minus pods joined or hidden since they were computed."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = pod_roles(user)
    qs = (PodSuggestion.objects.filter(member=user, pod__in=visible_pods(user)).exclude(pod_id__in=roles.member_pod_ids)
          .select_related("pod", "pod__region").order_by("-score", "pk"))
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
    offer_open: bool = False
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
    if roles.is_member(pod.pk):
        page.membership = Membership.objects.get(pod=pod, member=user, status=Membership.Status.ACTIVE)
        page.membership.pod = pod
        page.needs_ack = page.membership.charter_version_acknowledged < pod.charter_version
        page.progress = rung_progress(page.membership)
    else:
        page.banned = is_banned(pod, user)
        page.pending_request = JoinRequest.objects.filter(pod=pod, member=user, status="pending").first()
        page.waitlist_entry = WaitlistEntry.objects.filter(pod=pod, member=user).first()
        cutoff = timezone.now() - timedelta(hours=OFFER_HOURS)
        page.offer_open = bool(page.waitlist_entry and page.waitlist_entry.offered_at
                               and page.waitlist_entry.offered_at >= cutoff)
    if roles.is_member(pod.pk) or is_manager(user):
        page.members = pod_members(pod=pod)
    return page


def rung_progress(membership: Membership) -> RungProgress:

    now = timezone.now()
    stats = ladder_stats(membership.pod, [membership.member_id], now=now)[membership.member_id]
    next_rung, needs = next_rung_needs(membership, stats, thresholds(membership.pod), now=now)
    return RungProgress(rung=membership.rung, next_rung=next_rung, needs=needs, by_hand=membership.rung_set_by_hand)


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
