"""Where the layers above the core take part in what the core does, without the core importing them.

Each hook is a small ordered registry. A higher app (pods, moderation, metrics) adds its callables in
its `AppConfig.ready()`; the core calls them at the named moment. The core never imports a higher app.
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
# reaction taken back. `at` is when the changed thing was created, so metrics can recompute that day.
# Signature: fn(*, pod_id: int | None, at: datetime)
history_changed = Hook("history_changed")


def history_change(*, pod_id: int | None, at: datetime) -> None:
    history_changed.call(pod_id=pod_id, at=at)
