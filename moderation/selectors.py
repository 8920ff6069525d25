"""Reads for moderators and members: who moderates, the queue, the log, rules, and public summaries."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from common.cursors import cursor_decode, cursor_encode
from communities.models import Comment, ContentStatus, Place, Post, User
from communities.policy import can_know_pod, can_read_post, hidden_pods_q, readable_items_q
from microgroups.models import JoinRequest, Membership, Pod
from petcommunity.parsing import parse_id

from .models import ModerationLogEntry, ModeratorNote, QueueItem, RemovalReason, Report, Rule, RuleHit, ScopeKind
from .scopes import COMMONS, ModeratorScopes, Scope, moderator_scopes, pod_region_id, scope_for_pod, scope_of_item

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
    items = list(queue_queryset().filter(pk__in=qs.values("pk")).order_by("created_at", "id")[: page_size + 1])
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


def scope_choices(user) -> list[ScopeChoice]:
    """The scopes this person moderates (for filters and for creating rules): three queries at most."""
    scopes = moderator_scopes(user)
    out = []
    if scopes.everywhere:
        out.append(ScopeChoice("commons", "Commons (everywhere)", COMMONS))
        regions = Place.objects.filter(kind=Place.Kind.REGION)
        pods = Pod.objects.all()
    else:
        regions = Place.objects.filter(pk__in=scopes.region_ids)
        city_ids = list(Place.objects.filter(Q(pk__in=scopes.region_ids) | Q(parent_id__in=scopes.region_ids))
                        .values_list("pk", flat=True)) if scopes.region_ids else []
        pods = Pod.objects.filter(Q(pk__in=scopes.pod_ids) | Q(region_id__in=city_ids))
    for region in regions.order_by("name"):
        out.append(ScopeChoice(f"region:{region.pk}", f"Region: {region.name}", Scope(ScopeKind.REGION, region.pk)))
    for pod in pods.order_by("name"):
        # Unlisted pods stay unknown to anyone but managers and their members, moderators included.
        if not can_know_pod(user, pod):
            continue
        out.append(ScopeChoice(f"pod:{pod.pk}", f"Pod: {pod.name}", scope_for_pod(pod)))
    return out


def scope_from_key(user, key: str) -> Scope:
    """A scope this person moderates, by its key; anything else is 404."""
    for choice in scope_choices(user):
        if choice.key == key:
            return choice.scope
    raise Http404("No such scope.")


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
    items = QueueItem.objects.filter(moderator_scopes(user).items_q()).filter(readable_items_q(user))
    for subject_id, n in (Report.objects.filter(item__subject_id__in=members, item__in=items.values("pk"))
                          .values_list("item__subject_id").annotate(n=Count("pk")).order_by()):
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
                .order_by("title", "id")) if items else []
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
