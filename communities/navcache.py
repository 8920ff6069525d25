"""The navigation bar's data, cached per member: roles, unread notifications and messages, the queue badge.

One entry per member, `nav:<member id>`, holds the nav dict with the versions it was computed under. A
page reads it with one `get_many` of the entry, the member's version and the queue version, through the
process's mirror (communities.hotkeys): no round trip while Redis has not said one of them changed, one
otherwise, and asks the database nothing when it is current.

Invalidation, not expiry, keeps it right; `TTL` is only a safety net.
- The member's version is bumped after commit (`forget`) by whatever changes their part of the bar: a
  notification created or read (`services.notifications.push_unread`, the one place every notification
  change tells the member), a message arriving or read (messaging), and a change of roles (the role
  caches' forget functions: `policy_forget`, the pods' `pod_roles_forget`, moderation's
  `moderator_scopes_forget`; a manager flag or group set in the admin through the User signals below).
- The queue badge depends on items in scopes and on what each moderator may read, so one global queue
  version (`queue_changed`) is bumped after commit when an item is opened, closed or moved, or its content
  deleted. It is part of a moderator's entry only: a held post makes every moderator recount once, and
  nobody else.

A version is read before the dict is computed and stored with it, so a write committed while a request
computes leaves an entry under the older version, which the next request recomputes. Versions are random
tokens, so a bumped or evicted-and-recreated version is never one an entry was made under.
"""

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from . import hotkeys

TTL = 120
QUEUE_VERSION = hotkeys.NAV_ENTRY + "queue"


def _entry_key(member_id: int) -> str:
    return f"{hotkeys.NAV_ENTRY}{member_id}"


def _version_key(member_id: int) -> str:
    return f"{hotkeys.NAV_VERSION}{member_id}"


def _bump_now(keys: list[str]) -> None:
    """A new version is a random token: one no entry was made under, set for any number of members in one
    round trip (an announcement notifies thousands at once)."""
    if keys:
        cache.set_many(dict.fromkeys(keys, _new_version()), timeout=None)


def _new_version() -> str:
    return uuid.uuid4().hex


def forget(*member_ids: int) -> None:
    """After the surrounding transaction commits (at once outside one), these members' nav is recomputed."""
    keys = [_version_key(pk) for pk in member_ids if pk]
    if keys:
        transaction.on_commit(lambda: _bump_now(keys))


def forget_now(*member_ids: int) -> None:
    """For a caller that runs after its write committed already (an on-commit callback, an autocommit write)."""
    _bump_now([_version_key(pk) for pk in member_ids if pk])


def queue_changed() -> None:
    """After commit, every moderator's queue badge is recounted on their next page."""
    transaction.on_commit(lambda: _bump_now([QUEUE_VERSION]))


def _current(found: dict, key: str) -> str | None:
    value = found.get(key)
    if value is None:
        cache.add(key, _new_version(), timeout=None)
        value = cache.get(key)
    return value


def nav_get(member_id: int, compute: Callable[[], dict]) -> dict:
    """The member's nav dict: the cached one when both versions still match, else `compute()` (stored)."""
    entry_key, version_key = _entry_key(member_id), _version_key(member_id)
    found = hotkeys.mirror.get_many([entry_key, version_key, QUEUE_VERSION])
    entry = found.get(entry_key)
    if entry is not None and entry["v"] == found.get(version_key) and (
            entry["q"] is None or entry["q"] == found.get(QUEUE_VERSION)):
        return entry["nav"]
    version, queue = _current(found, version_key), _current(found, QUEUE_VERSION)
    nav = compute()
    if version is None or queue is None:  # the cache is not answering: nothing stored could be checked later
        return nav
    cache.set(entry_key, {"v": version, "q": queue if nav.get("is_moderator") else None, "nav": nav}, TTL)
    return nav


def entry_keys(member_id: int) -> list[str]:
    """What `current_version` reads, for a caller that fetches them with its own keys in one round trip."""
    return [_entry_key(member_id), _version_key(member_id), QUEUE_VERSION]


def member_version_key(member_id: int) -> str:
    """What `member_version` reads, for a caller that fetches it with its own keys in one round trip."""
    return _version_key(member_id)


def member_version(found: dict, member_id: int) -> str | None:
    """The member's version from `found` (a `get_many` holding `member_version_key`), made afresh when missing:
    a token that changes whenever their roles, notifications or messages may have. None when the cache
    is not answering."""
    return _current(found, _version_key(member_id))


def current_version(found: dict, member_id: int) -> str | None:
    """The version of the member's bar as stored (from a `get_many` of `entry_keys`): a token that changes
    whenever the bar may have (the member's version, and the queue's for a moderator); None when the stored
    bar is missing or stale, so that nothing rendered from it can be told apart from a newer one."""
    entry = found.get(_entry_key(member_id))
    version = found.get(_version_key(member_id))
    if entry is None or version is None or entry["v"] != version:
        return None
    if entry["q"] is None:
        return version
    return f"{version}.{entry['q']}" if entry["q"] == found.get(QUEUE_VERSION) else None


def _user_saved(sender, instance, **kwargs) -> None:
    # is_staff, is_superuser, is_active: the manager role; and any field of the row (communities.auth_backend)
    forget(instance.pk)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:  # user.groups changed
        forget(instance.pk)
    elif action == "pre_clear":  # group.user_set.clear(): pk_set is not given
        forget(*instance.user_set.values_list("pk", flat=True))
    elif pk_set:
        forget(*pk_set)


def connect_signals() -> None:
    """The manager role lives on the user row and its groups, which the admin edits without a service."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    user_model = get_user_model()
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="navcache.user_saved")
    post_delete.connect(_user_saved, sender=user_model, dispatch_uid="navcache.user_deleted")
    m2m_changed.connect(_groups_changed, sender=user_model.groups.through, dispatch_uid="navcache.groups")
