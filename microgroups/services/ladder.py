"""The intimacy ladder: newcomer → regular → trusted, per membership, from activity in that pod.

Activity is read from the content tables (posts, comments, reactions placed in the pod) in a fixed
number of grouped queries per pod, whatever its size. Thresholds are the pod's (DEFAULT_LADDER plus
steward overrides) scaled by the pod's pace, so a quiet pod is as climbable as a busy one.
Promotions follow the thresholds; demotions come only from long silence or an upheld moderation
action, so a trusted member who takes a week off keeps their rung. Hand-set rungs are sticky.
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import ngettext

from communities import hooks
from communities.models import Comment, ContentStatus, Post, Reaction
from communities.streams import close_streams, pod_group

from ..models import (
    DEFAULT_LADDER,
    LADDER_BOOL_KEYS,
    LADDER_RUNG_KEYS,
    RUNG_ORDER,
    Membership,
    MembershipEvent,
    Pod,
    Rung,
)
from ..permissions import pod_roles_forget
from ._common import access_grew, check_steward, emit, log_event, notify

PACE_REFERENCE_DAYS = 4  # a typical member of a lively pod is active this many of the last 30 days
PACE_FLOOR = 0.5
PACED_KEYS = ("regular_active_days", "regular_contributions", "trusted_active_days_30", "trusted_contributions")
RUNGS = [Rung.NEWCOMER, Rung.REGULAR, Rung.TRUSTED]
RUNG_WORDS = {Rung.NEWCOMER: "a newcomer", Rung.REGULAR: "a regular", Rung.TRUSTED: "a trusted member"}


@dataclass
class LadderStats:
    active_days: int = 0
    active_days_30: int = 0
    contributions: int = 0
    distinct_reactors: int = 0
    last_active: date | None = None


def ladder_stats(pod: Pod, member_ids: list[int], *, now=None) -> dict[int, LadderStats]:
    """Activity in this pod for these members: five grouped queries whatever their number."""
    now = now or timezone.now()
    ids = list(member_ids)
    days: dict[int, set[date]] = {m: set() for m in ids}
    stats = {m: LadderStats() for m in ids}
    published = Q(status=ContentStatus.PUBLISHED)
    for model, who, where in (
        (Post, "author_id", Q(pod=pod) & published),
        (Comment, "author_id", Q(post__pod=pod) & published),
    ):
        rows = (model.objects.filter(where, **{f"{who}__in": ids}).annotate(day=TruncDate("created_at"))
                .values_list(who, "day"))
        for member_id, day in rows:
            days[member_id].add(day)
            stats[member_id].contributions += 1
    reacted = (Reaction.objects.filter(Q(post__pod=pod) | Q(comment__post__pod=pod), member_id__in=ids)
               .annotate(day=TruncDate("created_at")).values_list("member_id", "day").distinct())
    for member_id, day in reacted:
        days[member_id].add(day)
    reactors: dict[int, set[int]] = {m: set() for m in ids}
    for author_field in ("post__author_id", "comment__author_id"):
        target = Q(post__pod=pod) if author_field.startswith("post") else Q(comment__post__pod=pod)
        pairs = Reaction.objects.filter(target, **{f"{author_field}__in": ids}).values_list(author_field, "member_id")
        for author_id, reactor_id in pairs.distinct():
            if reactor_id != author_id:
                reactors[author_id].add(reactor_id)
    since_30 = (now - timedelta(days=30)).date()
    for member_id, s in stats.items():
        s.active_days = len(days[member_id])
        s.active_days_30 = sum(1 for d in days[member_id] if d > since_30)
        s.distinct_reactors = len(reactors[member_id])
        s.last_active = max(days[member_id], default=None)
    return stats


def pace_of(stats: dict[int, LadderStats]) -> float:
    """Median recent active days of the members who were active at all, against a lively pod's."""
    recent = [s.active_days_30 for s in stats.values() if s.active_days_30]
    if not recent:
        return PACE_FLOOR
    return round(min(1.0, max(PACE_FLOOR, statistics.median(recent) / PACE_REFERENCE_DAYS)), 2)


def thresholds(pod: Pod) -> dict:
    t = {key: pod.ladder_setting(key) for key in DEFAULT_LADDER}
    if t["pace_adjust"]:
        for key in PACED_KEYS:
            t[key] = max(1, math.ceil(t[key] * pod.ladder_pace))
    return t


def upheld_actions(member_id: int, pod_id: int, since) -> int:
    """Upheld moderation actions against the member in this pod since `since` (moderation answers
    through `communities.hooks.upheld_actions`; none without it)."""
    return hooks.upheld_actions_count(member_id=member_id, pod_id=pod_id, since=since)


def _meets_regular(s: LadderStats, t: dict) -> bool:
    return s.active_days >= t["regular_active_days"] and s.contributions >= t["regular_contributions"]


def _meets_trusted(m: Membership, s: LadderStats, t: dict, now) -> bool:
    return (_meets_regular(s, t) and (now - m.joined_at).days >= t["trusted_member_days"]
            and s.active_days_30 >= t["trusted_active_days_30"] and s.contributions >= t["trusted_contributions"]
            and s.distinct_reactors >= t["trusted_distinct_reactors"])


def rung_earned(m: Membership, s: LadderStats, t: dict, *, now, clean: bool) -> str:
    if clean and _meets_trusted(m, s, t, now):
        return Rung.TRUSTED
    return Rung.REGULAR if _meets_regular(s, t) else Rung.NEWCOMER


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} more {one if n == 1 else many}"


def next_rung_needs(m: Membership, s: LadderStats, t: dict, *, now) -> tuple[str | None, list[str]]:
    """The next rung and what it still needs, in words ("2 more days active")."""
    if m.rung == Rung.TRUSTED:
        return None, []
    needs = []
    if m.rung == Rung.NEWCOMER:
        if s.active_days < t["regular_active_days"]:
            needs.append(_plural(t["regular_active_days"] - s.active_days, "day active", "days active"))
        if s.contributions < t["regular_contributions"]:
            needs.append(_plural(t["regular_contributions"] - s.contributions, "post or comment", "posts or comments"))
        return Rung.REGULAR, needs
    tenure = (now - m.joined_at).days
    if tenure < t["trusted_member_days"]:
        needs.append(_plural(t["trusted_member_days"] - tenure, "day as a member", "days as a member"))
    if s.active_days_30 < t["trusted_active_days_30"]:
        needs.append(_plural(t["trusted_active_days_30"] - s.active_days_30, "day active in the last 30",
                             "days active in the last 30"))
    if s.contributions < t["trusted_contributions"]:
        needs.append(_plural(t["trusted_contributions"] - s.contributions, "post or comment", "posts or comments"))
    if s.distinct_reactors < t["trusted_distinct_reactors"]:
        needs.append(_plural(t["trusted_distinct_reactors"] - s.distinct_reactors, "member reacting to you",
                             "members reacting to you"))
    return Rung.TRUSTED, needs


def _rung_change(m: Membership, to: str, *, actor=None, reason: str = "", by_hand: bool | None = None) -> None:
    """Store, log, notify, and fix the member's live streams (trusted-only frames follow the rung)."""

    old = m.rung
    m.rung, m.rung_changed_at = to, timezone.now()
    fields = ["rung", "rung_changed_at"]
    if by_hand is not None:
        m.rung_set_by_hand = by_hand
        fields.append("rung_set_by_hand")
    m.save(update_fields=fields)
    log_event(pod=m.pod, member=m.member, kind=MembershipEvent.Kind.RUNG, actor=actor, from_value=old, to_value=to,
              reason=reason)
    up = RUNG_ORDER[to] > RUNG_ORDER[old]
    notify(recipient=m.member, pod=m.pod, actor=actor,
           verb=f"You are now {RUNG_WORDS[to]} in {m.pod.name}" + ("" if up or not reason else f" ({reason})"))
    if up:
        access_grew(m.member)
        emit("rung.promoted", pod=m.pod, key=f"{m.pk}:{to}:{m.rung_changed_at.timestamp():.0f}",
             data={"member": m.member.username, "from": old, "to": to})
    elif old == Rung.TRUSTED and not m.is_steward:

        pod_roles_forget(m.member)
        close_streams(m.member_id, groups=[pod_group(m.pod_id, trusted=True)])


def _decide(m: Membership, s: LadderStats, t: dict, *, now, violations: int) -> tuple[str, str] | None:
    """(new rung, reason) for one membership, or None to leave it be."""
    if violations and m.rung == Rung.TRUSTED:
        return Rung.REGULAR, "an upheld moderation action"
    if m.rung_set_by_hand:
        return None
    earned = rung_earned(m, s, t, now=now, clean=not violations)
    if RUNG_ORDER[earned] > RUNG_ORDER[m.rung]:
        return earned, "active in the pod"
    silent_days = t["demote_after_silent_days"]
    quiet_since = max(filter(None, [s.last_active, m.joined_at.date(), (m.rung_changed_at or m.joined_at).date()]))
    if m.rung != Rung.NEWCOMER and (now.date() - quiet_since).days >= silent_days:
        return RUNGS[RUNG_ORDER[m.rung] - 1], ngettext("no activity for %(n)d day", "no activity for %(n)d days",
                                                       silent_days) % {"n": silent_days}
    return None


@transaction.atomic
def rungs_recompute_pod(*, pod: Pod, now=None) -> list[tuple[int, str, str]]:
    """Recompute every active membership's rung in one pod; returns (member id, from, to) changes."""
    now = now or timezone.now()
    memberships = list(Membership.objects.filter(pod=pod, status=Membership.Status.ACTIVE)
                       .select_related("member", "pod"))
    stats = ladder_stats(pod, [m.member_id for m in memberships], now=now)
    pod.ladder_pace = pace_of(stats)
    Pod.objects.filter(pk=pod.pk).update(ladder_pace=pod.ladder_pace)
    t = thresholds(pod)
    since = now - timedelta(days=t["trusted_clean_days"])
    changes = []
    for m in memberships:
        m.pod = pod
        candidates = m.rung == Rung.TRUSTED or _meets_trusted(m, stats[m.member_id], t, now)
        violations = upheld_actions(m.member_id, pod.pk, since) if candidates else 0
        decision = _decide(m, stats[m.member_id], t, now=now, violations=violations)
        if decision:
            old = m.rung
            _rung_change(m, decision[0], reason=decision[1], by_hand=False if violations else None)
            changes.append((m.member_id, old, decision[0]))
    return changes


def rungs_recompute(*, now=None) -> int:
    """Every pod with members (the nightly task); each pod in its own transaction."""
    changed = 0
    for pod in Pod.objects.filter(member_count__gt=0).order_by("pk"):
        changed += len(rungs_recompute_pod(pod=pod, now=now))
    return changed


@transaction.atomic
def membership_set_rung(*, actor, pod: Pod, member, rung: str, reason: str = "") -> Membership:
    """A steward promotes or demotes by hand (sticky: the task leaves it), or hands it back ("auto")."""
    check_steward(actor, pod)
    m = Membership.objects.select_for_update().select_related("member", "pod").filter(
        pod=pod, member=member, status=Membership.Status.ACTIVE).first()
    if m is None:
        raise ValidationError({"member": "Not a member of this pod."})
    m.member = member  # the caller's object, so its memoised roles are the ones refreshed
    if rung == "auto":
        Membership.objects.filter(pk=m.pk).update(rung_set_by_hand=False)
        log_event(pod=pod, member=member, kind=MembershipEvent.Kind.RUNG, actor=actor, from_value=m.rung,
                  to_value=m.rung, reason="back to the ladder")
        m.rung_set_by_hand = False
        return m
    if rung not in Rung.values:
        raise ValidationError({"rung": "Choose newcomer, regular or trusted."})
    if rung == m.rung:
        Membership.objects.filter(pk=m.pk).update(rung_set_by_hand=True)
        m.rung_set_by_hand = True
        return m
    _rung_change(m, rung, actor=actor, reason=reason or f"set by {actor.name}", by_hand=True)
    return m


@transaction.atomic
def pod_ladder_update(*, actor, pod: Pod, settings: dict) -> Pod:
    """Per-pod overrides of DEFAULT_LADDER (only values that differ from the default are stored)."""
    check_steward(actor, pod)
    errors, overrides = {}, {}
    for key, value in settings.items():
        if key not in DEFAULT_LADDER:
            errors[key] = "Unknown ladder setting."
        elif key in LADDER_RUNG_KEYS:
            if value not in Rung.values:
                errors[key] = "Choose newcomer, regular or trusted."
        elif key in LADDER_BOOL_KEYS:
            value = bool(value)
        elif not isinstance(value, int) or not 0 <= value <= 365:
            errors[key] = "A whole number between 0 and 365."
        if key not in errors and value != DEFAULT_LADDER[key]:
            overrides[key] = value
    if errors:
        raise ValidationError(errors)
    Pod.objects.filter(pk=pod.pk).update(ladder=overrides)
    pod.ladder = overrides
    return pod
