"""Moderation's rules, contributed to the one policy (`communities.policy`) through `hooks.moderation_rules`.

A moderator acts only inside their scopes AND on content they can read; what they can read is the
policy's own read rule (no copy here). Pages and services ask `communities.policy`:
"may not know it exists" → 404 (another pod's item, a private pod's content); "may see, may not act"
→ 403 (an inherited rule, an item someone else has claimed).
"""

from microgroups.models import Pod

from .rules import evaluate, record_hits
from .scopes import ModeratorScopes, moderator_scopes, pod_region_id, scope_of_item, scope_of_row


class ModerationRules:
    """See `communities.policy.NoModeration` for the interface."""

    def scopes(self, user) -> ModeratorScopes:
        return moderator_scopes(user)

    def can_moderate_item(self, policy, item) -> bool:
        return policy.scopes.covers(scope_of_row(item)) and policy.can_read_content(item.target_post, item.pod)

    def can_see_rule(self, policy, rule) -> bool:
        """Moderators see rules of their scopes and the rules inherited from above them."""
        if rule.pod_id and not policy.can_know_pod(rule.pod):
            return False
        scopes = policy.scopes
        scope = scope_of_row(rule)
        if scopes.covers(scope):
            return True
        if scope.kind == "commons":
            return scopes.any
        if scope.kind == "region":
            return any(r == scope.region_id for r in _regions_of_my_pods(scopes))
        return False

    def can_edit_rule(self, policy, rule) -> bool:
        return policy.scopes.covers(scope_of_row(rule))

    def can_assign(self, policy, scope) -> bool:
        """Who may assign, move and revoke moderators in a scope: community managers, in every scope
        (they moderate everywhere). Moderators of a scope do not appoint their peers."""
        return policy.is_manager

    # Removal reasons are inherited downward like rules: seen where rules are seen, edited in my scopes.
    can_see_reason = can_see_rule
    can_edit_reason = can_edit_rule

    def can_see_note(self, policy, note) -> bool:
        """A note is for the moderators of its scope and of every scope above it; an unlisted pod's notes
        stay unknown to moderators who may not know the pod."""
        if note.pod_id and not policy.can_know_pod(note.pod):
            return False
        return policy.scopes.covers(scope_of_item(note))

    def can_delete_note(self, policy, note) -> bool:
        return self.can_see_note(policy, note) and (note.author_id == policy.user.pk or policy.is_manager)


def _regions_of_my_pods(scopes: ModeratorScopes) -> set[int]:
    return {pod_region_id(p) for p in Pod.objects.filter(pk__in=scopes.pod_ids).only("pk", "region_id")}


class ContentChecks:
    """The rule check before a post or comment is saved (`communities.hooks.content_checking`)."""

    def check(self, **kwargs):
        return evaluate(**kwargs)

    def record(self, *, outcome, post=None, comment=None) -> None:
        record_hits(outcome=outcome, post=post, comment=comment)
