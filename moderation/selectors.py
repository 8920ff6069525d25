"""Reads for moderators and members: who moderates, the queue, the log, rules, and public summaries."""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode
from communities.models import Comment, ContentStatus, Place, Post, User
from communities.policy import (
    can_know_pod,
    can_read_post,
    check_can_assign_moderators,
    hidden_pods_q,
    managers_q,
    readable_items_q,
)
from microgroups.models import JoinRequest, Membership, Pod
from microgroups.selectors import pods_without_steward
from petcommunity.parsing import parse_id

from .models import (
    ModerationLogEntry,
    ModeratorAssignment,
    ModeratorNote,
    QueueItem,
    RemovalReason,
    Report,
    Rule,
    RuleHit,
    ScopeKind,
)
from .scopes import (
    COMMONS,
    ModeratorScopes,
    Scope,
    moderator_scopes,
    pod_region_id,
    scope_for_pod,
    scope_of_item,
    scope_of_row,
)

QUEUE_PAGE_SIZE = 50
LOG_PAGE_SIZE = 50
AGE_FILTERS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "48h": timedelta(hours=48)}


def user_is_moderator(user) -> bool:
    """Managers, assigned moderators (any scope) and pod stewards."""
    return moderator_scopes(user).any


def queue_queryset() -> QuerySet[QueueItem]:
    return QueueItem.objects.select_related(
        "post__author", "post__pod", "comment__author", "comment__post__pod", "member", "join_request__member",
        "join_request__pod", "claimed_by", "region", "pod", "subject", "appeal",
    )


def visible_items(user) -> QuerySet[QueueItem]:
    """Open items inside this person's scopes whose content they may read."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return QueueItem.objects.none()
    return (QueueItem.objects.filter(status=QueueItem.Status.OPEN)
            .filter(scopes.items_q()).filter(readable_items_q(user))
            .exclude(join_request__status__in=[s for s in JoinRequest.Status.values if s != "pending"])
            .exclude(post__status=ContentStatus.DELETED).exclude(comment__status=ContentStatus.DELETED))


def moderator_queue_count(user) -> int:
    """Items waiting in this person's scopes (the nav badge)."""
    if not user_is_moderator(user):
        return 0
    return visible_items(user).count()


def nav_badges(*, policy) -> dict:
    """The navigation bar's queue badge (`communities.hooks.nav_badges`)."""
    return {"queue_count": moderator_queue_count(policy.user) if policy.is_moderator else 0}


@dataclass
class QueuePage:
    items: list[QueueItem]
    next_cursor: str | None
    total: int = 0  # every item the filters match, on this page and the next ones


def scope_filter_q(key: str | None) -> Q:
    """Items in a scope filter: "commons", "region:<id>" (the region and its pods), "pod:<id>"."""
    if not key:
        return Q()
    kind, _, raw = key.partition(":")
    if kind == "commons":
        return Q(scope_kind=ScopeKind.COMMONS)
    if kind in ("region", "pod") and parse_id(raw):
        return Q(region_id=parse_id(raw)) if kind == "region" else Q(pod_id=parse_id(raw), scope_kind=ScopeKind.POD)
    return Q(pk__in=[])


def queue_page(*, user, scope: str | None = None, kind: str | None = None, age: str | None = None,
               cursor: str | None = None, page_size: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """Oldest first, keyset-paginated; a constant number of queries whatever the page holds. `total`
    counts what the filters match (unfiltered, the nav badge's number: the same query)."""
    qs = visible_items(user).filter(scope_filter_q(scope))
    if kind in QueueItem.Kind.values:
        qs = qs.filter(kind=kind)
    if age in AGE_FILTERS:
        qs = qs.filter(created_at__lte=timezone.now() - AGE_FILTERS[age])
    total = qs.count()
    after = cursor_decode(cursor, datetime.fromisoformat)
    if after:
        qs = qs.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
    # The page's ids first, then their rows with everything a row shows: as one statement (the visibility
    # joins under the row's dozen joins) PostgreSQL spent ~40 ms planning it, whatever the page held. The
    # rows keep the ids' order: an ORDER BY over the ~280 joined columns cost Django ~3 ms to compile.
    ids = list(qs.order_by("created_at", "id").values_list("pk", flat=True)[: page_size + 1])
    rows = {item.pk: item for item in queue_queryset().filter(pk__in=ids)}
    items = [rows[pk] for pk in ids if pk in rows]
    more = len(items) > page_size
    items = items[:page_size]
    return QueuePage(items=items, next_cursor=cursor_encode(items[-1].created_at, items[-1].pk) if more else None,
                     total=total)


def queue_item_get(*, user, item_id: int) -> QueueItem:
    """404 unless the item is inside this person's scopes and its content readable to them."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        raise Http404("No queue item here.")
    item = (queue_queryset().filter(scopes.items_q()).filter(readable_items_q(user)).filter(pk=item_id).first())
    if item is None:
        raise Http404("No queue item here.")
    return item


def item_reports(item: QueueItem) -> list:
    return list(item.reports.select_related("reporter").order_by("created_at"))


@dataclass
class ScopeChoice:
    key: str
    label: str
    scope: Scope


def _moderated_pods_q(scopes: ModeratorScopes) -> Q:
    """Pods inside these scopes: every pod for who moderates everywhere; else my own pods and those placed
    in my regions or their cities."""
    if scopes.everywhere:
        return Q()
    places = Place.objects.filter(Q(pk__in=scopes.region_ids) | Q(parent_id__in=scopes.region_ids)).values("pk")
    return Q(pk__in=scopes.pod_ids) | Q(region_id__in=places)


def _scope_choices(user, scopes: ModeratorScopes, pods: QuerySet[Pod]) -> list[ScopeChoice]:
    out = []
    if scopes.everywhere:
        out.append(ScopeChoice("commons", "Commons (everywhere)", COMMONS))
        regions = Place.objects.filter(kind=Place.Kind.REGION)
    else:
        regions = Place.objects.filter(pk__in=scopes.region_ids)
    for region in regions.order_by("name", "pk"):
        out.append(ScopeChoice(f"region:{region.pk}", f"Region: {region.name}", Scope(ScopeKind.REGION, region.pk)))
    for pod in _known(user, pods.order_by("name", "pk")):
        out.append(ScopeChoice(f"pod:{pod.pk}", f"Pod: {pod.name}", scope_for_pod(pod)))
    return out


def _known(user, pods) -> list[Pod]:
    # Unlisted pods stay unknown to anyone but managers and their members, moderators included.
    return [pod for pod in pods if can_know_pod(user, pod)]


def _selected_pod_q(selected: str | None) -> Q:
    kind, _, raw = (selected or "").partition(":")
    return Q(pk=parse_id(raw)) if kind == ScopeKind.POD and parse_id(raw) else Q(pk__in=[])


def form_scope_choices(user, *, selected: str | None = None) -> list[ScopeChoice]:
    """The scope select of the forms that create something in a scope (rules, removal reasons, notes, the
    Team's assignments): the Commons and regions I moderate, my own pods, and the pod `selected` names when
    I moderate it. Any other pod I moderate is typed by its slug (`scope_resolve`): every pod would be every
    pod of the site for a manager. Two queries, none per pod beyond my own."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return []
    wanted = Q(pk__in=scopes.pod_ids) | _selected_pod_q(selected)
    return _scope_choices(user, scopes, Pod.objects.filter(_moderated_pods_q(scopes)).filter(wanted))


def queue_scope_choices(user, *, selected: str | None = None) -> list[ScopeChoice]:
    """The queue filter's scopes: the Commons and regions I moderate, my own pods, the pods of items waiting
    in my queue, and the pod `selected` names when I moderate it. Every pod I moderate would be every pod of
    the site for a manager (a select of thousands, built and drawn on each page); a pod with nothing
    waiting filters to an empty page anyway. Two queries, none per pod."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return []
    wanted = (Q(pk__in=scopes.pod_ids) | _selected_pod_q(selected)
              | Q(pk__in=visible_items(user).filter(scope_kind=ScopeKind.POD).values("pod_id")))
    return _scope_choices(user, scopes, Pod.objects.filter(_moderated_pods_q(scopes)).filter(wanted))


LOG_RECENT = timedelta(days=14)
LOG_RECENT_PODS = 30


def _recent_log_pods(scopes: ModeratorScopes) -> QuerySet:
    """The pods of my scopes with the latest log entries of the last two weeks, at most LOG_RECENT_PODS."""
    return (ModerationLogEntry.objects.filter(scopes.items_q(), scope_kind=ScopeKind.POD, pod__isnull=False,
                                              created_at__gte=timezone.now() - LOG_RECENT)
            .values("pod_id").annotate(last=Max("created_at")).order_by("-last").values("pod_id")[:LOG_RECENT_PODS])


def log_scope_choices(user, *, selected: str | None = None) -> list[ScopeChoice]:
    """The log filter's scopes: the Commons and regions I moderate, my own pods, the pods with entries in
    the last two weeks (the latest LOG_RECENT_PODS), and the pod `selected` names when I moderate it. Two
    queries, whatever the number of pods."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return []
    wanted = Q(pk__in=scopes.pod_ids) | _selected_pod_q(selected) | Q(pk__in=_recent_log_pods(scopes))
    return _scope_choices(user, scopes, Pod.objects.filter(_moderated_pods_q(scopes)).filter(wanted))


POD_SUGGESTIONS = 20


def pod_suggestions(user, *, limit: int = POD_SUGGESTIONS) -> list[Pod]:
    """Pods offered as you type a slug (a <datalist>): those of my scopes logged about lately, by name."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return []
    pods = (Pod.objects.filter(_moderated_pods_q(scopes)).filter(pk__in=_recent_log_pods(scopes))
            .order_by("name", "pk")[:limit])
    return _known(user, pods)


def scope_resolve(user, text: str | None, *, slug: bool = False) -> Scope | None:
    """The scope a key ("commons", "region:<id>", "pod:<id>") names, or with `slug` a pod's slug, if this
    person moderates it (a pod inside their scopes that they may know of); None otherwise, alike for a scope
    that does not exist. A query or two, whatever the number of pods."""
    scopes = moderator_scopes(user)
    text = (text or "").strip()
    if not scopes.any or not text:
        return None
    if slug:
        return _moderated_pod_scope(user, scopes, Q(slug__iexact=text))
    kind, colon, raw = text.partition(":")
    if kind == ScopeKind.COMMONS and not colon:
        return COMMONS if scopes.everywhere else None
    if kind == ScopeKind.REGION and colon and parse_id(raw):
        regions = (Place.objects.filter(kind=Place.Kind.REGION) if scopes.everywhere
                   else Place.objects.filter(pk__in=scopes.region_ids))
        return Scope(ScopeKind.REGION, parse_id(raw)) if regions.filter(pk=parse_id(raw)).exists() else None
    if kind == ScopeKind.POD and colon and parse_id(raw):
        return _moderated_pod_scope(user, scopes, Q(pk=parse_id(raw)))
    return None


def _moderated_pod_scope(user, scopes: ModeratorScopes, which: Q) -> Scope | None:
    pod = Pod.objects.filter(_moderated_pods_q(scopes)).filter(which).first()
    if pod is None or not can_know_pod(user, pod):
        return None
    return scope_for_pod(pod)


def scope_form_kwargs(user, *, selected: str | None = None) -> dict:
    """What a form picking a scope (`ScopeInputForm`) takes: the short select, the slug suggestions, and
    the check of what is posted."""
    return {"scope_choices": form_scope_choices(user, selected=selected), "pods": pod_suggestions(user),
            "resolve": lambda text, slug: scope_resolve(user, text, slug=slug)}


def scope_get(*, user, key: str) -> Scope:
    """The scope a key names ("commons", "region:<id>", "pod:<id>") if it exists and this person may assign
    moderators in it; anything else answers 404 alike (the policy's `check_can_assign_moderators`)."""
    kind, _, raw = (key or "").partition(":")
    scope = None
    if kind == ScopeKind.COMMONS and not raw:
        scope = COMMONS
    elif kind == ScopeKind.REGION and parse_id(raw):
        if Place.objects.filter(pk=parse_id(raw), kind=Place.Kind.REGION).exists():
            scope = Scope(ScopeKind.REGION, parse_id(raw))
    elif kind == ScopeKind.POD and parse_id(raw):
        pod = Pod.objects.filter(pk=parse_id(raw)).first()
        if pod is not None and can_know_pod(user, pod):
            scope = scope_for_pod(pod)
    if scope is None:
        raise Http404("No such scope.")
    check_can_assign_moderators(user, scope)
    return scope


TEAM_POD_PAGE = 50


@dataclass
class TeamPlace:
    """One scope of the Team page: who moderates it by assignment, and (pods) who stewards it."""

    key: str
    label: str
    moderators: list[ModeratorAssignment]
    stewards: list[Membership] = field(default_factory=list)
    pod: Pod | None = None


@dataclass
class Team:
    managers: list[User]
    commons: TeamPlace
    regions: list[TeamPlace]
    pods: list[TeamPlace]
    next_cursor: str | None
    pods_without_steward: int  # over every pod, not just this page's
    without_steward_only: bool = False  # the pods listed are only those without a steward


def _active_assignments(q: Q) -> QuerySet[ModeratorAssignment]:
    return (ModeratorAssignment.objects.filter(q, revoked_at__isnull=True).select_related("member", "created_by")
            .order_by("member__display_name", "member__username", "pk"))


def team_overview(*, cursor: str | None = None, page_size: int = TEAM_POD_PAGE,
                  without_steward_only: bool = False) -> Team:
    """Managers, then moderators and stewards by scope (the Commons, every region, pods by name keyset-
    paginated, or only the pods without a steward): a fixed number of queries whatever the page holds. For
    community managers only."""
    managers = list(User.objects.filter(managers_q()).distinct().order_by("display_name", "username"))
    above = list(_active_assignments(~Q(scope_kind=ScopeKind.POD)))
    by_region: dict[int, list] = {}
    for a in above:
        if a.scope_kind == ScopeKind.REGION:
            by_region.setdefault(a.region_id, []).append(a)
    regions = [TeamPlace(f"region:{r.pk}", r.name, by_region.get(r.pk, []))
               for r in Place.objects.filter(kind=Place.Kind.REGION).order_by("name", "pk")]
    pods_qs = (pods_without_steward() if without_steward_only else Pod.objects).select_related("region")
    pods_qs = pods_qs.order_by("name", "pk")
    after = cursor_decode(cursor)
    if after:
        pods_qs = pods_qs.filter(Q(name__gt=after[0]) | Q(name=after[0], pk__gt=after[1]))
    pods = list(pods_qs[: page_size + 1])
    more = len(pods) > page_size
    pods = pods[:page_size]
    ids = [p.pk for p in pods]
    stewards: dict[int, list] = {}
    for m in (Membership.objects.filter(pod_id__in=ids, status=Membership.Status.ACTIVE,
                                        role=Membership.Role.STEWARD).select_related("member")
              .order_by("joined_at", "pk")):
        stewards.setdefault(m.pod_id, []).append(m)
    pod_mods: dict[int, list] = {}
    for a in _active_assignments(Q(scope_kind=ScopeKind.POD, pod_id__in=ids)):
        pod_mods.setdefault(a.pod_id, []).append(a)
    return Team(
        managers=managers,
        commons=TeamPlace("commons", "Commons", [a for a in above if a.scope_kind == ScopeKind.COMMONS]),
        regions=regions,
        pods=[TeamPlace(f"pod:{p.pk}", p.name, pod_mods.get(p.pk, []), stewards.get(p.pk, []), pod=p) for p in pods],
        next_cursor=cursor_encode(pods[-1].name, pods[-1].pk) if more else None,
        pods_without_steward=pods_without_steward().count(),
        without_steward_only=without_steward_only,
    )


def assignment_get(*, user, assignment_id: int) -> ModeratorAssignment:
    """One assignment (active or revoked) for the Team page; 404 when it does not exist or sits in a scope
    this person may not assign in."""
    assignment = (ModeratorAssignment.objects.select_related("member", "created_by", "region", "pod")
                  .filter(pk=assignment_id).first())
    if assignment is None or (assignment.pod_id and not can_know_pod(user, assignment.pod)):
        raise Http404("No assignment here.")
    check_can_assign_moderators(user, scope_of_row(assignment))
    return assignment


def assignment_history(*, member) -> list[ModerationLogEntry]:
    """The log of one member's moderator assignments (assigned, moved, revoked), newest first."""
    actions = [ModerationLogEntry.Action.ASSIGN, ModerationLogEntry.Action.MOVE, ModerationLogEntry.Action.REVOKE]
    return list(ModerationLogEntry.objects.filter(subject=member, action__in=actions)
                .select_related("actor", "region", "pod").order_by("-id")[:50])


@dataclass
class RuleGroup:
    label: str
    editable: bool
    rules: list[Rule]


def rules_overview(*, user) -> list[RuleGroup]:
    """Rules in my scopes (editable) and those inherited from above them (read-only), by scope."""
    scopes = moderator_scopes(user)
    own = list(Rule.objects.filter(scopes.rules_q()).exclude(hidden_pods_q(user)).select_related("region", "pod"))
    inherited = [] if scopes.everywhere else list(_inherited_rules(user, scopes, {r.pk for r in own}))
    groups: dict[tuple, RuleGroup] = {}
    order = {"commons": 0, "region": 1, "pod": 2}
    for rule, editable in [(r, True) for r in own] + [(r, False) for r in inherited]:
        key = (order[rule.scope_kind], rule.scope_label, editable)
        groups.setdefault(key, RuleGroup(rule.scope_label + ("" if editable else " (inherited)"), editable, []))
        groups[key].rules.append(rule)
    return [groups[k] for k in sorted(groups)]


def _inherited_q(scopes: ModeratorScopes) -> Q:
    """Rows (rules, removal reasons) from the scopes above mine: the Commons, and the regions of my pods."""
    region_ids = set(scopes.region_ids)
    for pod in Pod.objects.filter(pk__in=scopes.pod_ids).only("pk", "region_id"):
        region_ids.add(pod_region_id(pod))
    return Q(scope_kind=ScopeKind.COMMONS) | Q(scope_kind=ScopeKind.REGION, region_id__in=region_ids - {None})


def _inherited_rules(user, scopes: ModeratorScopes, exclude: set[int]) -> QuerySet[Rule]:
    return Rule.objects.filter(_inherited_q(scopes)).exclude(pk__in=exclude).select_related("region", "pod")


def rules_in_scope_chain(scope: Scope) -> list[Rule]:
    """Rules that apply to content in `scope` (to cite one when removing)."""
    return list(Rule.objects.filter(scope.rows_q(), enabled=True).order_by("scope_kind", "title"))


def _readable_log_q(user) -> Q:
    return readable_items_q(user, "content_pod")


def visible_log(user) -> QuerySet[ModerationLogEntry]:
    """Log entries of my scopes whose content I may read, naming no pod I may not know (the log page,
    and the history a moderator sees of a member)."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return ModerationLogEntry.objects.none()
    return (ModerationLogEntry.objects.filter(scopes.items_q()).filter(_readable_log_q(user))
            .exclude(hidden_pods_q(user)))


@dataclass
class LogPage:
    entries: list[ModerationLogEntry]
    next_cursor: str | None


@dataclass
class LogFilters:
    scope: str | None = None
    actor_id: int | None = None  # 0: the system (tasks)
    action: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive: the whole day

    def q(self) -> Q:
        q = scope_filter_q(self.scope)
        if self.actor_id == 0:
            q &= Q(actor__isnull=True)
        elif self.actor_id:
            q &= Q(actor_id=self.actor_id)
        if self.action in ModerationLogEntry.Action.values:
            q &= Q(action=self.action)
        if self.since:
            q &= Q(created_at__gte=_day_start(self.since))
        if self.until:
            q &= Q(created_at__lt=_day_start(self.until + timedelta(days=1)))
        return q


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()), timezone.get_current_timezone())


def log_page(*, user, filters: LogFilters | None = None, scope: str | None = None, cursor: str | None = None,
             page_size: int = LOG_PAGE_SIZE) -> LogPage:
    """Newest first, entries of my scopes whose content I may read, filtered by scope, moderator, action
    and date; keyset-paginated by id."""
    filters = filters or LogFilters(scope=scope)
    qs = visible_log(user).filter(filters.q())
    if parse_id(cursor):
        qs = qs.filter(pk__lt=parse_id(cursor))
    entries = list(qs.select_related("actor", "subject", "region", "pod", "content_pod")
                   .order_by("-id")[: page_size + 1])
    more = len(entries) > page_size
    entries = entries[:page_size]
    return LogPage(entries, str(entries[-1].pk) if more else None)


def log_actor_choices(user) -> list[tuple[int, str]]:
    """The moderators who appear in the log I may read (one query), by name; 0 stands for the system."""
    rows = (visible_log(user).filter(actor__isnull=False).values_list("actor_id", "actor__display_name",
                                                                      "actor__username").distinct())
    named = sorted({(pk, name or username) for pk, name, username in rows}, key=lambda r: (r[1].lower(), r[0]))
    return [(0, "The system (automatic)"), *named]


# --- The desk: each row's author history, notes and removal reasons, in a fixed number of queries -----------

HISTORY_ACTIONS = {"remove": "removals", "warn": "warnings", "mute": "mutes", "ban": "bans"}


@dataclass
class MemberHistory:
    """What a moderator may know of a member's record: only what their own log and queue show."""

    member: User
    removals: int = 0
    warnings: int = 0
    mutes: int = 0
    bans: int = 0
    reports: int = 0  # reports against them, on items of my scopes
    pod_id: int | None = None  # the pod the item is about, if any
    rung: str | None = None  # theirs in that pod
    pod_status: str | None = None
    notes: list = field(default_factory=list)

    @property
    def joined(self) -> datetime:
        return self.member.date_joined


@dataclass
class DeskRow:
    item: QueueItem
    history: MemberHistory | None
    reasons: list[RemovalReason]
    form: object = None  # the row's action form (the view sets it; bound when a submit failed)


def item_pod_id(item: QueueItem) -> int | None:
    """The pod an item's content or member lives in (no query: the queue's select_related holds it)."""
    post = item.target_post
    if post is not None:
        return post.pod_id
    return item.join_request.pod_id if item.join_request_id else item.pod_id


def notes_visible(user) -> QuerySet[ModeratorNote]:
    """Notes of my scopes and the scopes beneath them: the policy's `can_see_moderator_note` as a query."""
    scopes = moderator_scopes(user)
    if not scopes.any:
        return ModeratorNote.objects.none()
    return (ModeratorNote.objects.filter(scopes.items_q()).exclude(hidden_pods_q(user))
            .select_related("author", "region", "pod"))


def member_histories(user, pairs: list[tuple[User, int | None]]) -> dict[tuple[int, int | None], MemberHistory]:
    """(member, pod id) → their history as this moderator may see it. Four queries whatever the number
    of pairs: log counts, report counts, pod rungs, notes."""
    members = {m.pk: m for m, _ in pairs}
    if not members:
        return {}
    counts: dict[int, dict[str, int]] = {pk: {} for pk in members}
    for subject_id, action, n in (visible_log(user).filter(subject_id__in=members, action__in=HISTORY_ACTIONS)
                                  .values_list("subject_id", "action").annotate(n=Count("pk")).order_by()):
        counts[subject_id][HISTORY_ACTIONS[action]] = n
    reports = Report.objects.filter(item__subject_id__in=members)
    mine = moderator_scopes(user).items_q() & readable_items_q(user)
    if mine:  # who sees every item (a manager) needs no subquery over all items ever queued
        reports = reports.filter(item__in=QueueItem.objects.filter(mine).values("pk"))
    for subject_id, n in reports.values_list("item__subject_id").annotate(n=Count("pk")).order_by():
        counts[subject_id]["reports"] = n
    pod_ids = {p for _, p in pairs if p}
    rungs = {(m, p): (rung, status) for m, p, rung, status in Membership.objects.filter(
        member_id__in=members, pod_id__in=pod_ids).values_list("member_id", "pod_id", "rung", "status")} \
        if pod_ids else {}
    notes: dict[int, list] = {}
    for note in notes_visible(user).filter(member_id__in=members).order_by("-created_at", "-id"):
        notes.setdefault(note.member_id, []).append(note)
    out = {}
    for member, pod_id in pairs:
        rung, status = rungs.get((member.pk, pod_id), (None, None))
        out[(member.pk, pod_id)] = MemberHistory(member=member, pod_id=pod_id, rung=rung, pod_status=status,
                                                 notes=notes.get(member.pk, []), **counts[member.pk])
    return out


def reasons_for_items(items: list[QueueItem]) -> dict[int, list[RemovalReason]]:
    """Item id → the removal reasons offered for it: its scope's and every scope's above (one query)."""
    scopes = [scope_of_item(i) for i in items]
    regions = {s.region_id for s in scopes if s.region_id}
    pods = {s.pod_id for s in scopes if s.pod_id}
    rows = list(RemovalReason.objects.filter(Q(scope_kind=ScopeKind.COMMONS)
                                             | Q(scope_kind=ScopeKind.REGION, region_id__in=regions)
                                             | Q(scope_kind=ScopeKind.POD, pod_id__in=pods))
                .select_related("region", "pod").order_by("title", "id")) if items else []
    order = {ScopeKind.COMMONS: 0, ScopeKind.REGION: 1, ScopeKind.POD: 2}
    out = {}
    for item, scope in zip(items, scopes, strict=True):
        mine = [r for r in rows if r.scope_kind == ScopeKind.COMMONS
                or (r.scope_kind == ScopeKind.REGION and r.region_id == scope.region_id)
                or (r.scope_kind == ScopeKind.POD and r.pod_id == scope.pod_id)]
        out[item.pk] = sorted(mine, key=lambda r: (order[r.scope_kind], r.title.lower(), r.pk))
    return out


def queue_desk(user, items: list[QueueItem]) -> list[DeskRow]:
    """Each queue row with its author's history and its removal reasons: five queries for the whole page."""
    pairs = [(i.subject, item_pod_id(i)) for i in items if i.subject_id]
    histories = member_histories(user, pairs)
    reasons = reasons_for_items(items)
    return [DeskRow(item=i, history=histories.get((i.subject_id, item_pod_id(i))) if i.subject_id else None,
                    reasons=reasons[i.pk]) for i in items]


def removal_reasons_for(scope: Scope) -> list[RemovalReason]:
    return list(RemovalReason.objects.filter(scope.rows_q()).order_by("scope_kind", "title"))


@dataclass
class ReasonGroup:
    label: str
    editable: bool
    reasons: list[RemovalReason]


def removal_reasons_overview(*, user) -> list[ReasonGroup]:
    """Reasons of my scopes (editable) and those inherited from above them (read-only), by scope."""
    scopes = moderator_scopes(user)
    own = list(RemovalReason.objects.filter(scopes.rules_q()).exclude(hidden_pods_q(user))
               .select_related("region", "pod"))
    inherited = [] if scopes.everywhere else list(
        RemovalReason.objects.filter(_inherited_q(scopes)).exclude(pk__in={r.pk for r in own})
        .select_related("region", "pod"))
    groups: dict[tuple, ReasonGroup] = {}
    order = {"commons": 0, "region": 1, "pod": 2}
    for reason, editable in [(r, True) for r in own] + [(r, False) for r in inherited]:
        key = (order[reason.scope_kind], reason.scope_label, not editable)
        groups.setdefault(key, ReasonGroup(reason.scope_label + ("" if editable else " (inherited)"), editable, []))
        groups[key].reasons.append(reason)
    for group in groups.values():
        group.reasons.sort(key=lambda r: (r.title.lower(), r.pk))
    return [groups[k] for k in sorted(groups)]


@dataclass
class MemberDesk:
    history: MemberHistory
    entries: list[ModerationLogEntry]


def member_desk(*, user, member: User) -> MemberDesk:
    """A member as a moderator sees them: history and notes in my scopes, and my log's latest about them."""
    history = member_histories(user, [(member, None)])[(member.pk, None)]
    entries = list(visible_log(user).filter(subject=member).select_related("actor", "region", "pod")
                   .order_by("-id")[:LOG_PAGE_SIZE])
    return MemberDesk(history=history, entries=entries)


def member_for_desk(username: str) -> User:
    member = User.objects.filter(username=username, deleted_at__isnull=True).first()
    if member is None:
        raise Http404("No member here.")
    return member


def pod_moderation_summary(pod: Pod, *, days: int = 90) -> dict:
    """What members of a pod may know: removals and automatic blocks by rule, no names, no content."""
    since = timezone.now() - timedelta(days=days)
    removals = list(ModerationLogEntry.objects.filter(content_pod=pod, action=ModerationLogEntry.Action.REMOVE,
                                                      created_at__gte=since)
                    .values("rule_title").annotate(n=Count("pk")).order_by("-n", "rule_title"))
    blocked = list(RuleHit.objects.filter(content_pod=pod, outcome=RuleHit.Outcome.BLOCKED, created_at__gte=since)
                   .values("rule__title", "rule_kind").annotate(n=Count("pk")).order_by("-n", "rule__title"))
    kinds = dict(Rule.Kind.choices)
    removals.sort(key=lambda r: (-r["n"], not r["rule_title"], r["rule_title"]))  # named rules before "other"
    return {
        "days": days,
        "removals": [(r["rule_title"] or "Other moderator decisions", r["n"]) for r in removals],
        "removal_total": sum(r["n"] for r in removals),
        "blocked": [(b["rule__title"] or kinds.get(b["rule_kind"], "A rule"), b["n"]) for b in blocked],
        "blocked_total": sum(b["n"] for b in blocked),
    }


def upheld_actions_since(member_id: int, pod_id: int, since) -> int:
    """Moderation actions against a member in a pod since `since` that stand (an appeal granted
    against a removal cancels it). The ladder's clean-record check reads this."""
    return (ModerationLogEntry.objects.filter(subject_id=member_id, content_pod_id=pod_id, created_at__gte=since,
                                              action__in=ModerationLogEntry.UPHELD_ACTIONS)
            .exclude(appeals__status="granted").count())


def report_target(*, user, kind: str, key: str):
    """The post, comment or member to report, if this person may read it; otherwise 404 (never
    saying whether hidden content exists)."""
    if kind == "member":
        member = User.objects.filter(username=key, is_active=True, deleted_at__isnull=True).first()
        if member is None:
            raise Http404("No member here.")
        return member
    if parse_id(key) is None:
        raise Http404("Nothing here.")
    if kind == "post":
        target = Post.objects.select_related("pod", "author").filter(pk=int(key)).first()
        post = target
    else:
        target = Comment.objects.select_related("post__pod", "author").filter(pk=int(key)).first()
        post = target.post if target is not None else None
    if target is None or target.status != ContentStatus.PUBLISHED or not can_read_post(user, post):
        raise Http404("Nothing here.")
    return target


def appeal_target(*, user, kind: str, content_id: int):
    """The member's own post or comment (any state but deleted); anyone else's is 404."""
    model = Post if kind == "post" else Comment
    content = model.objects.filter(pk=content_id, author_id=user.pk).exclude(status=ContentStatus.DELETED).first()
    if content is None:
        raise Http404("Nothing here.")
    return content


REVIEW_WAIT_DAYS = 30  # decisions of the last month measure the usual wait
REVIEW_WAIT_MIN_SAMPLE = 5  # fewer decisions in one pod: measure across every place instead
REVIEW_WAIT_SAMPLE = 2000
REVIEW_WAIT_TTL = 600  # seconds; the usual wait moves slowly


def _held_wait_seconds(place: Q, since) -> list[float]:
    rows = (QueueItem.objects.filter(place, kind=QueueItem.Kind.HELD, status=QueueItem.Status.RESOLVED,
                                     resolution__in=["approved", "removed"], resolved_at__gte=since)
            .order_by("-resolved_at").values_list("created_at", "resolved_at")[:REVIEW_WAIT_SAMPLE])
    return [(resolved - created).total_seconds() for created, resolved in rows]


def review_wait_hours(*, pod_id: int | None) -> int | None:
    """How long held content usually waits for a decision in a place: the median time from holding to
    approval or removal over the last 30 days, in whole hours rounded up (at least 1). A pod with fewer
    than 5 such decisions is measured with every place's; None when there are none at all yet. Cached
    for 10 minutes (`communities.hooks.review_wait`: the notice an author gets at once)."""
    key = f"moderation:reviewwait:{pod_id or 0}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    since = timezone.now() - timedelta(days=REVIEW_WAIT_DAYS)
    place = Q(scope_kind=ScopeKind.POD, pod_id=pod_id) if pod_id else Q(scope_kind=ScopeKind.COMMONS)
    waits = _held_wait_seconds(place, since)
    if len(waits) < REVIEW_WAIT_MIN_SAMPLE:
        waits = _held_wait_seconds(Q(), since) or waits
    hours = max(1, math.ceil(statistics.median(waits) / 3600)) if waits else 0
    cache.set(key, hours, REVIEW_WAIT_TTL)
    return hours or None


class ReviewWait:
    """Moderation's answer to `communities.hooks.review_wait`."""

    def hours(self, *, pod_id: int | None) -> int | None:
        return review_wait_hours(pod_id=pod_id)
