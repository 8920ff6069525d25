"""Where the layers above the core take part in what the core does, without the core importing them.

A `Hook` is a small ordered registry of callables; a `Slot` holds the one provider of a set of rules,
with a core default until a higher app fills it. A higher app (pods, moderation, metrics) fills them in
its `AppConfig.ready()`; the core calls them at the named moment. The core never imports a higher app.

Hooks and slots (who fills them):
- `pod_rules` (Slot, pods): pod roles and rungs and who may know, read and post in a pod (and so what the
  composer offers there, with what the next rung unlocks); the policy (`communities.policy`) asks it for
  everything about content in a pod.
- `moderation_rules` (Slot, moderation): moderation scopes, queue items, rules.
- `policy_caches` (list of attribute names): roles memoised on a user object that `policy_forget` drops.
- `content_checking` (Slot, moderation): the rule check before a post or comment is saved, and the record
  of its hits after (`content_check`, `content_check_record` below).
- `member_erased` (Hook, pods): an account is being erased; pods end its memberships.
- `posts_shown` (Hook, metrics): a page showed posts to a member (`shown` below).
- `upheld_actions` (Hook, moderation): upheld actions against a member in a pod (the pods' ladder asks).
- `onboarding_answered` (Hook, pods): refresh the member's pod suggestions.
- `nav_badges` (Hook, moderation, messaging): counts shown in the navigation bar (cached per member with
  the bar, `communities.navcache`: a provider's count must be invalidated there when it changes).
- `contribution_made` (Hook, metrics): a member contributed (`contribution` below).
- `review_wait` (Slot, moderation): how long held content usually waits for a moderator in a place
  (`review_wait_hours` below), for the notice its author gets at once.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any


class Hook:
    """An ordered list of callables filled at start-up. `register` is idempotent per callable."""

    def __init__(self, name: str):
        self.name = name
        self._callables: list[Callable[..., Any]] = []

    def register(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if func not in self._callables:
            self._callables.append(func)
        return func

    def __iter__(self):
        return iter(tuple(self._callables))

    def call(self, **kwargs) -> list[Any]:
        return [func(**kwargs) for func in self._callables]


class Slot:
    """The one provider of a set of rules. The core sets `default`; a higher app may `fill` it once."""

    def __init__(self, name: str, default: Any = None):
        self.name = name
        self.default = default
        self._provider: Any = None

    def fill(self, provider: Any) -> Any:
        self._provider = provider
        return provider

    def get(self) -> Any:
        return self.default if self._provider is None else self._provider


# The pods app's rules (see `communities.policy.NoPods` for the interface and the default).
pod_rules = Slot("pod_rules")

# Moderation's rules: scopes, queue items, rules (see `communities.policy.NoModeration`).
moderation_rules = Slot("moderation_rules")

# Attribute names under which higher apps memoise a member's roles on the user object.
policy_caches: list[str] = []


class _NoChecks:
    """Without moderation every post and comment is published as written."""

    def check(self, *, actor, pod, kind: str, body: str, has_links: bool, has_images: bool, editing: bool = False):
        return _Published(body)

    def record(self, *, outcome, post=None, comment=None) -> None:
        return None


class _Published:
    def __init__(self, body: str):
        self.status, self.body, self.flagged, self.hits = "published", body, False, []


# The rule check every posting service calls before saving (moderation fills it): `check(...)` returns an
# outcome with .status ("published" or "held"), .body, .flagged, .hits, or raises a ValidationError;
# `record(outcome=, post=, comment=)` stores the hits once the content exists.
content_checking = Slot("content_checking", default=_NoChecks())


def content_check(*, actor, pod, kind: str, body: str, has_links: bool, has_images: bool, editing: bool = False):
    return content_checking.get().check(actor=actor, pod=pod, kind=kind, body=body, has_links=has_links,
                                        has_images=has_images, editing=editing)


def content_check_record(*, outcome, post=None, comment=None) -> None:
    content_checking.get().record(outcome=outcome, post=post, comment=comment)


# A member's account is being erased (inside the deleting transaction): higher apps remove what they keep
# about them. Signature: fn(*, member, at: datetime)
member_erased = Hook("member_erased")

# A page showed posts to a member (already filtered by the read checks): metrics counts impressions.
# Signature: fn(*, user, posts: Iterable[Post])
posts_shown = Hook("posts_shown")


def shown(*, user, posts) -> None:
    posts_shown.call(user=user, posts=posts)


# Upheld moderation actions against a member in a pod since a moment (moderation answers; the pods'
# ladder reads it for its clean-record check). Signature: fn(*, member_id, pod_id, since) -> int
upheld_actions = Hook("upheld_actions")


def upheld_actions_count(*, member_id: int, pod_id: int, since: datetime) -> int:
    return sum(upheld_actions.call(member_id=member_id, pod_id=pod_id, since=since))


# A member saved their onboarding answers (after commit): the pods app refreshes "Pods for you".
# Signature: fn(*, member_id: int)
onboarding_answered = Hook("onboarding_answered")


# Badges for the navigation bar: fn(*, policy) -> dict merged into `nav` (moderation: "queue_count";
# messaging: "message_count"). The bar is cached per member: whatever changes a count calls
# `communities.navcache.forget` (a member's badges) or `queue_changed` (every moderator's queue badge).
nav_badges = Hook("nav_badges")


# A member contributed in a scope (the Commons when pod_id is None): a post, comment, reaction, poll vote,
# report or pulse answer. Called by the writing service inside its transaction, so a contribution and
# the activity behind it commit together. Signature: fn(*, member_id: int, pod_id: int | None, at: datetime)
contribution_made = Hook("contribution_made")


def contribution(*, member_id: int, pod_id: int | None, at: datetime) -> None:
    contribution_made.call(member_id=member_id, pod_id=pod_id, at=at)


# The text of a post or comment was written or changed (created, edited): search keeps its stored index
# current from here. Called by the writing service inside its transaction, so the index and the text
# commit together. Signature: fn(*, kind: str ("post" | "comment"), pk: int, text: str)
content_changed = Hook("content_changed")


def content_written(*, kind: str, pk: int, text: str) -> None:
    content_changed.call(kind=kind, pk=pk, text=text)


# Something already counted changed after the fact: a post or comment deleted, removed or restored, a
# reaction taken back. `at` is when the changed thing was created, so metrics can recompute that day;
# `post_id` / `comment_id` name a changed post or comment, whose replies and reactions (dated other days)
# counted with it; `member_id` whose it was, when neither names it (a reaction). Signature:
# fn(*, pod_id: int | None, at: datetime, post_id: int | None, comment_id: int | None, member_id: int | None)
history_changed = Hook("history_changed")


def history_change(*, pod_id: int | None, at: datetime, post_id: int | None = None,
                   comment_id: int | None = None, member_id: int | None = None) -> None:
    history_changed.call(pod_id=pod_id, at=at, post_id=post_id, comment_id=comment_id, member_id=member_id)


# Authors a member chose not to hear from (messaging's blocks). Each callable returns a queryset of
# user ids (`.values(...)`, used as a subquery, so asking costs no extra query), or None.
# Signature: fn(*, member_id: int) -> QuerySet | None
hidden_authors = Hook("hidden_authors")


def hidden_author_subqueries(*, member_id: int | None) -> list:
    if member_id is None:
        return []
    return [q for q in hidden_authors.call(member_id=member_id) if q is not None]


def hidden_author_ids(*, member_id: int | None) -> set[int]:
    """The same authors as ids, for what is filtered outside the database (live frames)."""
    # Each subquery selects one column (`.values(...)`): its rows are one-item dicts.
    return {author_id for subquery in hidden_author_subqueries(member_id=member_id)
            for row in subquery for author_id in row.values()}


class _NoReviewWait:
    """Without moderation nothing is held, so nothing waits."""

    def hours(self, *, pod_id: int | None) -> int | None:
        return None


# How long a held post or comment usually waits for a moderator's decision in a place (the Commons when
# pod_id is None), measured from the queue: whole hours, or None when there is nothing to measure yet.
review_wait = Slot("review_wait", default=_NoReviewWait())


def review_wait_hours(*, pod_id: int | None) -> int | None:
    return review_wait.get().hours(pod_id=pod_id)
