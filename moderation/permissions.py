"""Who may moderate what. A moderator acts only inside their scopes AND on content they can read.

"May not know it exists" → 404 (another pod's item, a private pod's content); "may see, may not act"
→ 403 (an inherited rule, an item someone else has claimed).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from communities.models import ContentStatus, Post
from communities.permissions import _can_read_place  # the one read rule for a post's place
from microgroups.models import Pod
from microgroups.permissions import can_know_pod, can_read_pod, is_manager, pod_roles

from .scopes import ModeratorScopes, Scope, moderator_scopes, scope_of_row


def readable_place_q(user, prefix: str) -> Q:
    """Posts (under `prefix`, e.g. "post__") whose place this person could read, whatever their status:
    moderators see held and removed posts in places they may read. Mirrors communities.permissions."""
    if is_manager(user):
        return Q()
    roles = pod_roles(user)
    return (
        Q(**{f"{prefix}pod__isnull": True})
        | Q(**{f"{prefix}pod__privacy": Pod.Privacy.OPEN, f"{prefix}audience": Post.Audience.EVERYONE})
        | Q(**{f"{prefix}pod_id__in": roles.member_pod_ids, f"{prefix}audience": Post.Audience.EVERYONE})
        | Q(**{f"{prefix}pod_id__in": roles.trusted_pod_ids})
    )


def readable_items_q(user) -> Q:
    """Queue items (and log entries) whose content this person may read."""
    if is_manager(user):
        return Q()
    roles = pod_roles(user)
    content_free = Q(post__isnull=True, comment__isnull=True) & (
        Q(pod__isnull=True) | Q(pod__privacy=Pod.Privacy.OPEN) | Q(pod_id__in=roles.member_pod_ids)
    )
    return (
        (Q(post__isnull=False) & readable_place_q(user, "post__"))
        | (Q(comment__isnull=False) & readable_place_q(user, "comment__post__"))
        | content_free
    )


def hidden_pods_q(user, field: str = "pod") -> Q:
    """Rows naming an unlisted pod this person may not know exists (for `.exclude()`): its rules and
    log entries name the pod, and an unlisted pod stays unknown to moderators who aren't members."""
    if is_manager(user):
        return Q(pk__in=[])
    return Q(**{f"{field}__is_unlisted": True}) & ~Q(**{f"{field}_id__in": pod_roles(user).member_pod_ids})


def can_read_content(user, post: Post | None, pod: Pod | None = None) -> bool:
    if post is not None:
        return post.status != ContentStatus.DELETED and _can_read_place(user, post)
    return pod is None or can_read_pod(user, pod)


def can_moderate_item(user, item) -> bool:
    scopes = moderator_scopes(user)
    return scopes.covers(scope_of_row(item)) and can_read_content(user, item.target_post, item.pod)


def check_can_moderate_item(user, item) -> None:
    """Outside my scopes or unreadable: 404, the same as an item that does not exist."""
    if not can_moderate_item(user, item):
        raise Http404("No queue item here.")


def check_is_moderator(user) -> ModeratorScopes:
    scopes = moderator_scopes(user)
    if not scopes.any:
        raise PermissionDenied("Only moderators and stewards moderate.")
    return scopes


def can_manage_scope(user, scope: Scope) -> bool:
    return moderator_scopes(user).covers(scope)


def check_can_manage_scope(user, scope: Scope) -> None:
    if not can_manage_scope(user, scope):
        raise PermissionDenied("You do not moderate this scope.")


def can_see_rule(user, rule) -> bool:
    """Moderators see rules of their scopes and the rules inherited from above them."""
    if rule.pod_id and not can_know_pod(user, rule.pod):
        return False
    scopes = moderator_scopes(user)
    scope = scope_of_row(rule)
    if scopes.covers(scope):
        return True
    if scope.kind == "commons":
        return scopes.any
    if scope.kind == "region":
        return any(r == scope.region_id for r in _regions_of_my_pods(user, scopes))
    return False


def _regions_of_my_pods(user, scopes: ModeratorScopes) -> set[int]:
    from .scopes import pod_region_id

    return {pod_region_id(p) for p in Pod.objects.filter(pk__in=scopes.pod_ids).only("pk", "region_id")}


def check_can_edit_rule(user, rule) -> None:
    if not can_see_rule(user, rule):
        raise Http404("No rule here.")
    if not can_manage_scope(user, scope_of_row(rule)):
        raise PermissionDenied("This rule is inherited from a scope above yours; you may add a stricter one.")
