"""Joining, requests, leaving, removal, bans and the waitlist.

The cap holds under concurrency: every admission locks the pod row (`select_for_update`) and counts
active memberships and held waitlist offers inside that transaction, so two people can't take the
last place. Leaving, removal and bans take effect at once (`cut_off`).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from communities import navcache
from communities.policy import check_can_act, check_can_know_pod, is_manager

from ..models import JoinRequest, Membership, MembershipEvent, Pod, PodSuggestion, Rung, WaitlistEntry
from ..permissions import pod_roles_forget
from ._common import (
    access_grew,
    bump_members,
    check_steward,
    cut_off,
    emit,
    log_event,
    notify,
    outsider_url,
    standing_url,
    stewards_of,
)

OFFER_HOURS = 72  # a place offered to the first on the waitlist is held this long


class PodFull(Exception):
    """No place left: the caller offers the waitlist instead."""

    def __init__(self, pod: Pod):
        super().__init__(f"{pod.name} is full.")
        self.pod = pod


@dataclass
class JoinResult:
    status: str  # "joined", "waitlisted", "requested", "already"
    membership: Membership | None = None
    position: int | None = None  # place in the waitlist


def is_banned(pod: Pod, member, now=None) -> bool:
    now = now or timezone.now()
    return Membership.objects.filter(pod=pod, member=member, status=Membership.Status.BANNED).filter(
        Q(banned_until__isnull=True) | Q(banned_until__gt=now)).exists()


def _check_joinable(actor, pod: Pod) -> None:
    check_can_act(actor)
    check_can_know_pod(actor, pod)
    if is_banned(pod, actor):
        raise PermissionDenied("You can't join this pod.")


def _check_charter(pod: Pod, charter_version: int | None) -> int:
    if pod.charter_version and charter_version is None:
        raise ValidationError({"acknowledge": "Please read the charter and tick the box to agree to it."})
    if pod.charter_version and charter_version != pod.charter_version:
        raise ValidationError({"acknowledge": "The charter changed while you were reading it: please read the "
                                              "new version."})
    return pod.charter_version


def _lock(pod: Pod) -> Pod:
    return Pod.objects.select_for_update().get(pk=pod.pk)


def _offer_cutoff(now=None):
    return (now or timezone.now()) - timedelta(hours=OFFER_HOURS)


def room_left(pod: Pod, *, for_member_id: int | None = None) -> int:
    """Places left, counted from rows (never the cached counter); held offers count as taken, except
    the one held for `for_member_id`. Call with the pod row locked when admitting."""
    active = Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE).count()
    held = WaitlistEntry.objects.filter(pod=pod, offered_at__gte=_offer_cutoff()).exclude(member_id=for_member_id)
    return pod.member_cap - active - held.count()


def _admit(pod: Pod, member, *, charter_version: int, answer: str = "", actor=None, reason: str = "") -> Membership:
    """Make `member` an active member of the locked `pod`, or raise PodFull."""
    existing = Membership.objects.select_for_update().filter(pod=pod, member=member).first()
    if existing is not None and existing.status == Membership.Status.ACTIVE:
        return existing
    if room_left(pod, for_member_id=member.pk) <= 0:
        raise PodFull(pod)
    now = timezone.now()
    fields = dict(status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER, rung=Rung.NEWCOMER,
                  rung_set_by_hand=False, rung_changed_at=now, joined_at=now, ended_at=None, banned_until=None,
                  charter_version_acknowledged=charter_version, answer=answer[:500])
    if existing is None:
        membership = Membership.objects.create(pod=pod, member=member, **fields)
    else:
        Membership.objects.filter(pk=existing.pk).update(**fields)
        membership = Membership.objects.get(pk=existing.pk)
    bump_members(pod, +1)
    log_event(pod=pod, member=member, kind=MembershipEvent.Kind.JOINED, actor=actor or member, reason=reason)
    WaitlistEntry.objects.filter(pod=pod, member=member).delete()
    JoinRequest.objects.filter(pod=pod, member=member, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN)
    access_grew(member)
    emit("pod.member_joined", pod=pod, key=f"{membership.pk}:{now.timestamp():.0f}",
         data={"member": member.username, "joined_at": now.isoformat()})
    if pod.member_count >= pod.member_cap:
        emit("pod.full", pod=pod, key=f"{pod.pk}:{membership.pk}:{now.timestamp():.0f}",
             data={"member_count": pod.member_count, "member_cap": pod.member_cap})
        for steward in stewards_of(pod):
            notify(recipient=steward, pod=pod, url=f"/pods/{pod.slug}/settings/split/",
                   verb=f"{pod.name} is full: new people join the waitlist. You could offer a split.")
    return membership


@transaction.atomic
def pod_join(*, actor, pod: Pod, charter_version: int | None) -> JoinResult:
    """Join an open pod, acknowledging the charter version read. Raises PodFull when there's no place."""
    _check_joinable(actor, pod)
    if pod.privacy == Pod.Privacy.REQUEST:
        raise PermissionDenied("This pod admits members by request: answer its question to ask.")
    if pod.privacy == Pod.Privacy.INVITE:
        raise PermissionDenied("This pod is invite only.")
    locked = _lock(pod)
    if Membership.objects.filter(pod=locked, member=actor, status=Membership.Status.ACTIVE).exists():
        return JoinResult("already")
    version = _check_charter(locked, charter_version)
    return JoinResult("joined", _admit(locked, actor, charter_version=version))


def waitlist_position(pod: Pod, member) -> int | None:
    entry = WaitlistEntry.objects.filter(pod=pod, member=member).first()
    if entry is None:
        return None
    return WaitlistEntry.objects.filter(pod=pod).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lte=entry.pk)).count()


def _enqueue(pod: Pod, member, answer: str = "") -> JoinResult:
    WaitlistEntry.objects.get_or_create(pod=pod, member=member, defaults={"answer": answer[:500]})
    return JoinResult("waitlisted", position=waitlist_position(pod, member))


@transaction.atomic
def waitlist_join(*, actor, pod: Pod, charter_version: int | None) -> JoinResult:
    """Queue for a full open pod (request pods queue through approval, invite pods through an invite)."""
    _check_joinable(actor, pod)
    if pod.privacy != Pod.Privacy.OPEN:
        raise PermissionDenied("This pod's waitlist fills through requests and invitations.")
    locked = _lock(pod)
    if Membership.objects.filter(pod=locked, member=actor, status=Membership.Status.ACTIVE).exists():
        return JoinResult("already")
    _check_charter(locked, charter_version)
    if room_left(locked, for_member_id=actor.pk) > 0:
        raise ValidationError({"acknowledge": "There's room in this pod: join it now."})
    return _enqueue(locked, actor)


@transaction.atomic
def waitlist_leave(*, actor, pod: Pod) -> None:
    locked = _lock(pod)
    WaitlistEntry.objects.filter(pod=locked, member=actor).delete()
    waitlist_offer_places(pod=locked)


@transaction.atomic
def waitlist_remove(*, actor, pod: Pod, member) -> None:
    check_steward(actor, pod)
    locked = _lock(pod)
    if WaitlistEntry.objects.filter(pod=locked, member=member).delete()[0]:
        notify(recipient=member, pod=pod, actor=actor, url=outsider_url(pod),
               verb=f"You were taken off the waitlist of {pod.name}")
    waitlist_offer_places(pod=locked)


@transaction.atomic
def waitlist_accept(*, actor, pod: Pod, charter_version: int | None) -> JoinResult:
    """Take the place held for you."""
    check_can_act(actor)
    locked = _lock(pod)
    entry = WaitlistEntry.objects.filter(pod=locked, member=actor, offered_at__gte=_offer_cutoff()).first()
    if entry is None:
        raise ValidationError({"acknowledge": "No place is held for you here (offers last 3 days)."})
    version = _check_charter(locked, charter_version)
    return JoinResult("joined", _admit(locked, actor, charter_version=version, answer=entry.answer,
                                       reason="from the waitlist"))


def waitlist_offer_places(*, pod: Pod) -> int:
    """Offer each free place to the next person waiting (caller holds the pod lock). Open pods admit
    them at once (they acknowledge the charter before posting); other pods hold the place for them."""
    offered = 0
    while room_left(pod) > 0:
        entry = (WaitlistEntry.objects.filter(pod=pod, offered_at__isnull=True).select_related("member")
                 .order_by("created_at", "pk").first())
        if entry is None:
            break
        member = entry.member
        if is_banned(pod, member) or not member.is_active or member.deleted_at:
            entry.delete()
            continue
        if pod.privacy == Pod.Privacy.OPEN:
            _admit(pod, member, charter_version=0, answer=entry.answer, reason="from the waitlist")
            notify(recipient=member, pod=pod, verb=f"A place opened in {pod.name}: you're in! Read the charter "
                                                   "to start posting.")
        else:
            entry.offered_at = timezone.now()
            entry.save(update_fields=["offered_at"])
            notify(recipient=member, pod=pod, url=standing_url(pod),
                   verb=f"A place opened in {pod.name}: it's held for you for 3 days.")
        offered += 1
    return offered


@transaction.atomic
def waitlist_offers_expire(*, now=None) -> int:
    """Offers not taken in time go to the next person (periodic task)."""
    stale = list(WaitlistEntry.objects.filter(offered_at__lt=_offer_cutoff(now)).select_related("pod", "member"))
    for entry in stale:
        entry.delete()
        notify(recipient=entry.member, pod=entry.pod, url=outsider_url(entry.pod),
               verb=f"The place held for you in {entry.pod.name} has passed to the next person.")
    for pod_id in sorted({e.pod_id for e in stale}):
        waitlist_offer_places(pod=Pod.objects.select_for_update().get(pk=pod_id))
    return len(stale)


@transaction.atomic
def pod_request_join(*, actor, pod: Pod, answer: str, charter_version: int | None) -> JoinResult:
    """Ask to join a request pod, answering its question; stewards approve or decline."""
    _check_joinable(actor, pod)
    if pod.privacy != Pod.Privacy.REQUEST:
        raise PermissionDenied("This pod doesn't take requests.")
    if Membership.objects.filter(pod=pod, member=actor, status=Membership.Status.ACTIVE).exists():
        return JoinResult("already")
    answer = (answer or "").strip()
    if pod.question and not answer:
        raise ValidationError({"answer": "Please answer the pod's question."})
    if len(answer) > 500:
        raise ValidationError({"answer": f"Keep your answer under 500 characters (this is {len(answer)})."})
    version = _check_charter(pod, charter_version)
    try:
        with transaction.atomic():
            JoinRequest.objects.create(pod=pod, member=actor, answer=answer, charter_version=version)
    except IntegrityError:  # already pending (a double submit)
        return JoinResult("requested")
    for steward in stewards_of(pod):
        notify(recipient=steward, pod=pod, actor=actor, url=f"/pods/{pod.slug}/settings/requests/",
               verb=f"{actor.name} asked to join {pod.name}")
    return JoinResult("requested")


@transaction.atomic
def join_request_withdraw(*, actor, pod: Pod) -> int:
    navcache.queue_changed()  # a waiting request's queue item no longer counts on the badges
    return JoinRequest.objects.filter(pod=pod, member=actor, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.WITHDRAWN)


@transaction.atomic
def join_request_decide(*, actor, join_request: JoinRequest, approve: bool) -> JoinResult | None:
    """Approve (admit, or queue when full) or decline a pending request; the member is told either way."""
    pod = join_request.pod
    check_steward(actor, pod)
    locked = _lock(pod)
    jr = JoinRequest.objects.select_for_update().select_related("member").get(pk=join_request.pk)
    if jr.status != JoinRequest.Status.PENDING:
        raise ValidationError("This request was already decided or withdrawn.")
    jr.decided_by, jr.decided_at = actor, timezone.now()
    navcache.queue_changed()  # a waiting request's queue item no longer counts on the badges
    if not approve:
        jr.status = JoinRequest.Status.DECLINED
        jr.save(update_fields=["status", "decided_by", "decided_at"])
        notify(recipient=jr.member, pod=pod, url="/pods/", verb=f"Your request to join {pod.name} was declined")
        return None
    jr.status = JoinRequest.Status.APPROVED
    jr.save(update_fields=["status", "decided_by", "decided_at"])
    try:
        result = JoinResult("joined", _admit(locked, jr.member, charter_version=jr.charter_version, answer=jr.answer,
                                             actor=actor, reason="request approved"))
        notify(recipient=jr.member, pod=pod, actor=actor, verb=f"Welcome! Your request to join {pod.name} was approved")
    except PodFull:
        result = _enqueue(locked, jr.member, jr.answer)
        notify(recipient=jr.member, pod=pod, actor=actor, url=standing_url(pod),
               verb=f"Your request to join {pod.name} was approved; it's full, so you're number {result.position} "
                    "on the waitlist")
    return result


def _end(pod: Pod, membership: Membership, member, *, status: str, kind: str, actor, reason: str = "",
         banned_until=None) -> None:
    """`member` is the caller's user object, so its memoised roles are the ones forgotten."""
    was_active = membership.status == Membership.Status.ACTIVE
    Membership.objects.filter(pk=membership.pk).update(status=status, role=Membership.Role.MEMBER,
                                                       ended_at=timezone.now(), banned_until=banned_until)
    log_event(pod=pod, member=member, kind=kind, actor=actor, from_value=membership.role, reason=reason)
    if was_active:
        bump_members(pod, -1)
        cut_off(member, pod)
        waitlist_offer_places(pod=pod)


def _active(pod: Pod, member) -> Membership:
    membership = (Membership.objects.select_for_update().select_related("member")
                  .filter(pod=pod, member=member, status=Membership.Status.ACTIVE).first())
    if membership is None:
        raise ValidationError({"member": "Not a member of this pod."})
    return membership


@transaction.atomic
def pod_leave(*, actor, pod: Pod) -> None:
    """Leave at once. The last steward hands over first (unless nobody else is left)."""
    locked = _lock(pod)
    membership = _active(locked, actor)
    others = Membership.objects.filter(pod=locked, status=Membership.Status.ACTIVE).exclude(member=actor)
    if membership.role == Membership.Role.STEWARD and others.exists() and not others.filter(
            role=Membership.Role.STEWARD).exists():
        raise ValidationError({"leave": "You are this pod's only steward: hand over to another member first."})
    _end(locked, membership, actor, status=Membership.Status.LEFT, kind=MembershipEvent.Kind.LEFT, actor=actor)


@transaction.atomic
def member_remove(*, actor, pod: Pod, member, reason: str = "") -> None:
    check_steward(actor, pod)
    if member.pk == actor.pk:
        raise ValidationError({"member": "To leave the pod yourself, use Leave."})
    locked = _lock(pod)
    membership = _active(locked, member)
    if membership.role == Membership.Role.STEWARD and not is_manager(actor):
        raise PermissionDenied("Stewards can't remove each other; ask a community manager.")
    _end(locked, membership, member, status=Membership.Status.REMOVED, kind=MembershipEvent.Kind.REMOVED, actor=actor,
         reason=reason)
    notify(recipient=member, pod=pod, actor=actor, url="/pods/", verb=f"You were removed from {pod.name}")


@transaction.atomic
def member_ban(*, actor, pod: Pod, member, until=None, reason: str = "") -> None:
    """Ban from a pod (members or not): out at once, off the waitlist, requests declined, can't rejoin."""
    check_steward(actor, pod)
    if member.pk == actor.pk:
        raise ValidationError({"member": "You can't ban yourself."})
    locked = _lock(pod)
    membership = Membership.objects.select_for_update().select_related("member").filter(pod=locked,
                                                                                        member=member).first()
    if membership is not None and membership.role == Membership.Role.STEWARD and membership.is_steward \
            and not is_manager(actor):
        raise PermissionDenied("Stewards can't ban each other; ask a community manager.")
    if membership is None:
        membership = Membership.objects.create(pod=locked, member=member, status=Membership.Status.LEFT,
                                               ended_at=timezone.now())
    WaitlistEntry.objects.filter(pod=locked, member=member).delete()
    JoinRequest.objects.filter(pod=locked, member=member, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.DECLINED, decided_by=actor, decided_at=timezone.now())
    _end(locked, membership, member, status=Membership.Status.BANNED, kind=MembershipEvent.Kind.BANNED, actor=actor,
         reason=reason, banned_until=until)
    notify(recipient=member, pod=pod, actor=actor, url="/pods/", verb=f"You were banned from {pod.name}")


@transaction.atomic
def member_unban(*, actor, pod: Pod, member) -> None:
    check_steward(actor, pod)
    Membership.objects.filter(pod=pod, member=member, status=Membership.Status.BANNED).update(
        status=Membership.Status.LEFT, banned_until=None)


@transaction.atomic
def bans_expired_lift(*, now=None) -> list[Membership]:
    """Timed bans whose end has passed become plain past memberships (left), so the pod's lists stop
    showing them. `is_banned` already ignores them from the moment they end; this only tidies and
    returns the lifted rows (with pod and member) for whoever records lifts."""
    now = now or timezone.now()
    rows = list(Membership.objects.select_for_update().select_related("pod", "member")
                .filter(status=Membership.Status.BANNED, banned_until__isnull=False, banned_until__lte=now)
                .order_by("pk"))
    Membership.objects.filter(pk__in=[r.pk for r in rows]).update(status=Membership.Status.LEFT, banned_until=None)
    return rows


def memberships_end_for_erased(*, member, at) -> None:
    """An erased account (`communities.hooks.member_erased`) leaves every pod (the rows stay for history,
    like a normal leave), keeping member counts right, and its requests and suggestions go."""
    active = Membership.objects.filter(member=member, status=Membership.Status.ACTIVE)
    pod_ids = list(active.values_list("pod_id", flat=True))
    MembershipEvent.objects.bulk_create([
        MembershipEvent(pod_id=pid, member=member, kind=MembershipEvent.Kind.LEFT, reason="account deleted",
                        created_at=at) for pid in pod_ids])
    active.update(status=Membership.Status.LEFT, ended_at=at)
    Membership.objects.filter(member=member).update(answer="")
    for row in Pod.objects.filter(pk__in=pod_ids).values("pk").annotate(
            n=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE))):
        Pod.objects.filter(pk=row["pk"]).update(member_count=row["n"])
    JoinRequest.objects.filter(member=member).delete()
    WaitlistEntry.objects.filter(member=member).delete()
    PodSuggestion.objects.filter(member=member).delete()
    pod_roles_forget(member)
