"""Group names and broadcasting. Only services call `broadcast`, and always after commit.

Groups:
- `feed.commons`, `feed.pod.<id>.all`, `feed.pod.<id>.trusted`: what a feed socket hears. Trusted-only
  posts go to the trusted group only, so the payload a member gets depends on their rung.
- `moderation.queue.<user id>`: one moderator's queue (moderation sends each moderator only the items
  of the scopes they moderate).
- `user.<id>`: the member's personal stream (badge, rung changes) AND the control group every socket of
  that member joins, so `close_streams` reaches all of them (leave, removal, ban, logout, suspension,
  a revoked moderator role), and `hidden_authors_changed` tells their feed sockets whom they blocked.

Feed frames about a post or comment carry its `author_id`: a feed socket drops those of authors its
member blocked, as the pages leave out their posts and comments.
"""

import hashlib
import json
import logging
from collections.abc import Callable

from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.db import transaction

from petcommunity.group_send import group_send

from . import hooks, pagecache
from .policy import policy_for

logger = logging.getLogger(__name__)

COMMONS_GROUP = "feed.commons"
CLOSE_EVENT = "stream.close"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def pod_group(pod_id: int, *, trusted: bool = False) -> str:
    return f"feed.pod.{pod_id}.{'trusted' if trusted else 'all'}"


def moderation_queue_group(user_id: int) -> str:
    return f"moderation.queue.{user_id}"


def may_stream(user) -> bool:
    """Suspended members keep reading pages but get no live frames (suspension stops them)."""
    return not (getattr(user, "is_authenticated", False) and user.is_suspended)


def feed_groups_for(user, pod_slug: str | None) -> list[str] | None:
    """The groups a feed socket may join, by the same rules as the feed page; None refuses."""
    if not may_stream(user):
        return None
    if pod_slug is None:
        return [COMMONS_GROUP]
    policy = policy_for(user)
    pod = hooks.pod_rules.get().find(pod_slug)
    if pod is None or not policy.can_know_pod(pod) or not policy.can_read_pod(pod):
        return None
    groups = [pod_group(pod.pk)]
    if policy.is_manager or pod.pk in policy.pods.trusted_pod_ids:
        groups.append(pod_group(pod.pk, trusted=True))
    return groups


def moderation_groups_for(user) -> list[str] | None:
    """The queue stream: moderators only, by the same check as the queue page."""
    if not getattr(user, "is_authenticated", False) or not may_stream(user) or not policy_for(user).is_moderator:
        return None
    return [moderation_queue_group(user.pk)]


def personal_groups_for(user) -> list[str] | None:
    # The personal stream is the control group itself, which every authenticated socket joins.
    if not getattr(user, "is_authenticated", False) or not may_stream(user):
        return None
    return []


def feed_path(pod_slug: str | None) -> str:
    """The websocket path of a place's live feed (petcommunity/routing.py): the Commons when no pod."""
    return "/ws/feed/commons/" if pod_slug is None else f"/ws/feed/pod/{pod_slug}/"


def post_groups(post) -> list[str]:
    """The feed groups whose sockets may hear about `post`: none for an announcement to a segment, whose
    recipients have no group of their own (a frame to the Commons would reach everyone there)."""
    if post.segment is not None:
        return []
    if post.pod_id is None:
        return [COMMONS_GROUP]
    return [pod_group(post.pod_id, trusted=post.audience == "trusted")]


def _frame_message(frame: dict) -> dict:
    """The frame and, encoded once here, the JSON text a socket sends as it is, so a thousand sockets
    relaying one post do not encode it a thousand times."""
    try:
        text = json.dumps(frame)
    except (TypeError, ValueError):  # the socket encodes it then, and fails there like before
        text = None
    return {"type": "stream.frame", "frame": frame, "text": text}


def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            # Naming the group lets a socket drop frames queued before it left that group.
            group_send(layer, group, {**message, "via": group})
        except Exception:  # noqa: BLE001 - the stream is an enhancement; pages catch up over HTTP
            logger.warning("broadcast to %s failed", group, exc_info=True)


_presenters: dict[str, Callable[[dict], dict | None]] = {}


def presenter(kind: str):
    """The edge registers how an event of `kind` becomes a frame (its HTML from the pages' templates)."""
    def register(present: Callable[[dict], dict | None]):
        _presenters[kind] = present
        return present
    return register


def _bump_pages(groups: list[str], frame: dict, about) -> None:
    """The shared pages showing what the frame is about. `about` is the post: its place is bumped even when
    no group may hear about it (a segmented announcement: pinned for its recipients, cached per place)."""
    places = pagecache.places_for_frame(groups, frame)
    if about is not None:
        places += [p for p in pagecache.places_of(about) if p not in places]
    pagecache.bump(*places)


def emit(groups: list[str], event: dict, *, about=None) -> None:
    """Services record an event (ids, no HTML); after commit the registered presenter turns it into the
    frame every group gets, rendered once whatever the number of groups. A rollback sends nothing."""
    groups = list(groups)
    _bump_pages(groups, event, about)

    def send():
        present = _presenters.get(event["type"])
        frame = present(event) if present is not None else event
        if frame is not None:
            _send(groups, _frame_message(frame))

    transaction.on_commit(send)


def broadcast(groups: list[str], frame: dict, *, about=None) -> None:
    """Queue frames for after the surrounding transaction commits (a rollback sends nothing)."""
    groups = list(groups)
    _bump_pages(groups, frame, about)
    transaction.on_commit(lambda: _send(groups, _frame_message(frame)))


def session_tag(session_key: str | None) -> str | None:
    """A short hash naming one browser session, so raw session keys never travel through Redis."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


def close_streams(user_id: int, *, groups: list[str] | None = None, session_key: str | None = None) -> None:
    """Stop a member's frames, after commit.

    With `groups`: every socket of theirs leaves those groups at once, then re-checks its access with
    fresh roles (leaving a pod, removal, ban, losing the trusted rung, a revoked moderator role).
    Without: their sockets close (suspension), or only one session's sockets (logout).
    """
    event = {"type": CLOSE_EVENT, "groups": list(groups) if groups else None, "session": session_tag(session_key)}
    transaction.on_commit(lambda: _send([user_group(user_id)], event))


def same_place(group: str, other: str) -> bool:
    """`feed.pod.5.all` and `feed.pod.5.trusted` are one place: losing one loses both until re-checked."""
    return group == other or (group.startswith("feed.pod.") and group.rsplit(".", 1)[0] == other.rsplit(".", 1)[0])


def refresh_streams(user_id: int) -> None:
    """Access may have grown (promoted to trusted, made a steward): sockets re-check and join new groups."""
    event = {"type": "stream.refresh"}
    transaction.on_commit(lambda: _send([user_group(user_id)], event))


def hidden_authors_changed(user_id: int) -> None:
    """The member blocked or unblocked someone: after commit, their feed sockets reload whom to hide."""
    transaction.on_commit(lambda: _send([user_group(user_id)], {"type": "stream.hidden"}))


def _close_on_logout(sender, request, user, **kwargs) -> None:
    """Logging out closes that browser session's sockets; the member's other sessions stay signed in."""
    if user is not None and getattr(user, "pk", None):
        session = getattr(request, "session", None)
        close_streams(user.pk, session_key=getattr(session, "session_key", None))


def connect_signals() -> None:

    user_logged_out.connect(_close_on_logout, dispatch_uid="communities.streams.close_on_logout")
