"""Scopes (Commons › region › pod) and who moderates which: computed once per request or connection."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q

from communities import navcache
from communities.models import Place
from communities.policy import is_manager, pod_roles

from .models import ModeratorAssignment, ScopeKind

POD_REGION_TTL = 300  # seconds; a pod moving region is rare and its rules follow within five minutes


def scope_key(kind: str, region_id: int | None, pod_id: int | None) -> str:
    if kind == ScopeKind.POD:
        return f"pod:{pod_id}"
    if kind == ScopeKind.REGION:
        return f"region:{region_id}"
    return "commons"


@dataclass(frozen=True)
class Scope:
    """A place in the tree. A pod scope also carries its region (None when the pod has none)."""

    kind: str = ScopeKind.COMMONS
    region_id: int | None = None
    pod_id: int | None = None

    @property
    def key(self) -> str:
        return scope_key(self.kind, self.region_id, self.pod_id)

    @property
    def parent(self) -> "Scope | None":
        if self.kind == ScopeKind.POD and self.region_id:
            return Scope(ScopeKind.REGION, self.region_id)
        if self.kind in (ScopeKind.POD, ScopeKind.REGION):
            return COMMONS
        return None

    def chain(self) -> list["Scope"]:
        """Top-down: Commons first, this scope last."""
        out, scope = [], self
        while scope is not None:
            out.append(scope)
            scope = scope.parent
        return out[::-1]

    def ancestors(self) -> list["Scope"]:
        return self.chain()[:-1]

    def model_fields(self) -> dict:
        """Fields for Rule / ModeratorAssignment / Mute rows (a pod scope names only the pod there)."""
        return {"scope_kind": self.kind, "region_id": None if self.kind == ScopeKind.POD else self.region_id,
                "pod_id": self.pod_id}

    def item_fields(self) -> dict:
        """Fields for queue items and log entries (a pod scope keeps its region, for region filters)."""
        return {"scope_kind": self.kind, "region_id": self.region_id, "pod_id": self.pod_id}

    @property
    def filter_keys(self) -> list[str]:
        """The queue filter values (`scope_filter_q`) an item in this scope matches: live frames carry
        them, so a filtered queue page knows whether an arriving or leaving item is one of its own."""
        if self.kind == ScopeKind.POD:
            return [f"pod:{self.pod_id}", *([f"region:{self.region_id}"] if self.region_id else [])]
        if self.kind == ScopeKind.REGION:
            return [f"region:{self.region_id}"]
        return ["commons"]

    def rows_q(self) -> Q:
        """Rows (rules, mutes) that sit in this scope or any scope above it."""
        q = Q(scope_kind=ScopeKind.COMMONS)
        if self.region_id:
            q |= Q(scope_kind=ScopeKind.REGION, region_id=self.region_id)
        if self.pod_id:
            q |= Q(scope_kind=ScopeKind.POD, pod_id=self.pod_id)
        return q


COMMONS = Scope()


def pod_region_id(pod) -> int | None:
    """The region a pod sits under (pod.region.region), cached briefly so posting costs no query."""
    if pod.region_id is None:
        return None
    key = f"moderation:podregion:{pod.pk}:{pod.region_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    row = Place.objects.filter(pk=pod.region_id).values_list("kind", "parent_id").first()
    region_id = None
    if row:
        kind, parent_id = row
        region_id = pod.region_id if kind == Place.Kind.REGION else (parent_id if kind == Place.Kind.CITY else None)
    cache.set(key, region_id or 0, POD_REGION_TTL)
    return region_id


def scope_for_pod(pod) -> Scope:
    if pod is None:
        return COMMONS
    return Scope(ScopeKind.POD, pod_region_id(pod), pod.pk)


def scope_of_row(row) -> Scope:
    """The Scope of a rule, assignment, mute, queue item or log entry."""
    if row.scope_kind == ScopeKind.POD:
        return scope_for_pod(row.pod)
    return Scope(row.scope_kind, row.region_id if row.scope_kind == ScopeKind.REGION else None)


def scope_of_item(row) -> Scope:
    """The Scope of a queue item, log entry or note from its own fields (pod rows carry their region):
    no query, so a page of rows costs nothing per row."""
    if row.scope_kind == ScopeKind.COMMONS:
        return COMMONS
    return Scope(row.scope_kind, row.region_id, row.pod_id if row.scope_kind == ScopeKind.POD else None)


@dataclass(frozen=True)
class ModeratorScopes:
    """Where one person moderates: everywhere (managers, Commons moderators), regions, pods."""

    everywhere: bool = False
    region_ids: frozenset[int] = frozenset()
    pod_ids: frozenset[int] = frozenset()

    @property
    def any(self) -> bool:
        return self.everywhere or bool(self.region_ids or self.pod_ids)

    def covers(self, scope: Scope) -> bool:
        if self.everywhere:
            return True
        if scope.kind == ScopeKind.POD and scope.pod_id in self.pod_ids:
            return True
        return scope.kind != ScopeKind.COMMONS and scope.region_id in self.region_ids

    def items_q(self) -> Q:
        """Queue items and log entries whose scope lies inside these scopes."""
        if self.everywhere:
            return Q()
        return (Q(scope_kind=ScopeKind.POD, pod_id__in=self.pod_ids)
                | Q(scope_kind__in=[ScopeKind.REGION, ScopeKind.POD], region_id__in=self.region_ids))

    def rules_q(self) -> Q:
        """Rules whose scope lies inside these scopes (pod rules under a region need the pod's region)."""
        if self.everywhere:
            return Q()
        return (Q(scope_kind=ScopeKind.POD, pod_id__in=self.pod_ids)
                | Q(scope_kind=ScopeKind.REGION, region_id__in=self.region_ids)
                | Q(scope_kind=ScopeKind.POD, pod__region_id__in=_region_place_ids(self.region_ids)))


def _region_place_ids(region_ids) -> list[int]:
    """A region and the cities in it (pods name a city or a region as their place)."""
    if not region_ids:
        return []
    return list(Place.objects.filter(Q(pk__in=region_ids) | Q(parent_id__in=region_ids)).values_list("pk", flat=True))


def region_place_ids(region_id: int) -> list[int]:
    key = f"moderation:regionplaces:{region_id}"
    ids = cache.get(key)
    if ids is None:
        ids = _region_place_ids([region_id])
        cache.set(key, ids, POD_REGION_TTL)
    return ids


def moderator_scopes(user) -> ModeratorScopes:
    """Memoised on the user object: one query per request or connection. Revocations are seen by the
    next request (and by the queue consumer, which recomputes with a fresh user each check)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ModeratorScopes()
    cached = getattr(user, "_moderator_scopes", None)
    if cached is not None:
        return cached
    if is_manager(user):
        scopes = ModeratorScopes(everywhere=True)
    else:
        rows = list(ModeratorAssignment.objects.filter(member_id=user.pk, revoked_at__isnull=True)
                    .values_list("scope_kind", "region_id", "pod_id"))
        scopes = ModeratorScopes(
            everywhere=any(kind == ScopeKind.COMMONS for kind, _, _ in rows),
            region_ids=frozenset(r for kind, r, _ in rows if kind == ScopeKind.REGION),
            pod_ids=frozenset(p for kind, _, p in rows if kind == ScopeKind.POD) | pod_roles(user).stewarded,
        )
    user._moderator_scopes = scopes
    return scopes


def moderator_scopes_forget(user) -> None:
    for attr in ("_moderator_scopes", "_pod_roles", "_is_manager"):
        if hasattr(user, attr):
            delattr(user, attr)
    navcache.forget(user.pk)  # the navigation bar's moderator link and queue badge, after commit
