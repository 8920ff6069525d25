"""Websocket entry points: subscribe after the same read checks pages use, then relay group frames.

Every authenticated socket also joins its member's control group (`user.<id>`): a `stream.close`
there makes the socket drop the named groups at once and re-check its access with fresh roles, or
close outright, so removal, bans, logout and suspension stop frames immediately, not at disconnect.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model

from petcommunity import ratelimit
from petcommunity.consumer_loop import ConsumerLoop

from . import hooks, streams
from .policy import policy_for

# Close codes the browser client treats as final (no reconnect): 4401 signed out/suspended, 4403 no access.
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_RATE_LIMITED = 4429  # too many frames: the client may reconnect after a pause


class StreamConsumer(ConsumerLoop, AsyncJsonWebsocketConsumer):
    """Joins the groups `allowed_groups` names; refuses the handshake when it names none (None)."""

    # Frame types this stream relays; the control group also carries other streams' personal frames.
    relays: tuple[str, ...] = ()
    # Whether frames here name authors (`author_id`) whom a member may have blocked: those are dropped.
    hides_authors = False

    async def connect(self):
        self.stream_groups: list[str] = []
        self.control_group: str | None = None
        self.user = self.scope["user"]
        if self.user.is_authenticated:
            # Join the control group before checking access, so a revocation that lands between the
            # check and the joins below still reaches this socket.
            self.control_group = streams.user_group(self.user.pk)
            await self.channel_layer.group_add(self.control_group, self.channel_name)
        self.hidden_authors: set[int] = set()
        if self.hides_authors and self.user.is_authenticated:
            self.hidden_authors = await database_sync_to_async(hooks.hidden_author_ids)(member_id=self.user.pk)
        groups = await database_sync_to_async(self.allowed_groups)()
        if groups is None:
            await self._leave_all()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self._join(groups)
        await self.accept()

    def allowed_groups(self) -> list[str] | None:
        return None  # subclasses name their groups; the base refuses everyone

    async def disconnect(self, code):
        await self._leave_all()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every frame a browser sends counts against the `ws` abuse limit (member and IP address);
        a flood gets one `rate_limited` frame and the socket closes (the client reconnects later)."""
        try:
            await ratelimit.ahit("ws", user=self.user, ip=ratelimit.client_ip(self.scope))
        except ratelimit.RateLimited as exc:
            await self.send_json({"type": "rate_limited", "retry_after": exc.retry_after})
            await self.close(code=CLOSE_RATE_LIMITED)
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        """A frame that isn't JSON is ignored like any other unknown frame, never closing the socket."""
        try:
            return await super().decode_json(text_data)
        except ValueError:  # json.JSONDecodeError included
            return None

    async def receive_json(self, content, **kwargs):
        # Streams are server → browser only; a ping keeps proxies from closing idle sockets.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def dispatch(self, message):
        """A broadcast frame relayed as sent skips channels' per-message `aclose_old_connections`: that is a
        hop to the sync thread before every handler, and a post to a thousand sockets made a thousand of
        them, one after another, which was most of the fan-out's time. Relaying touches no database; the
        paths from here that do (re-checks after a close, `present`) use `database_sync_to_async`, which
        closes stale connections itself."""
        if message["type"] == "stream.frame" and self.present_as_sent:
            await self.stream_frame(message)
        else:
            await super().dispatch(message)

    async def stream_frame(self, event):
        if event.get("via") not in (None, self.control_group, *self.stream_groups):
            return  # queued before this socket left the group: access was revoked since
        frame = event["frame"]
        if self.hidden_authors and frame.get("author_id") in self.hidden_authors:
            return  # someone this member blocked: the pages hide their posts and comments, so does the stream
        kind = str(frame.get("type", ""))
        if kind == streams.CLOSE_EVENT:  # a close sent through broadcast(): honour it, never relay it
            await self.stream_close(frame)
        elif kind.startswith(self.relays):
            if self.present_as_sent and event.get("text") is not None:
                await self.send(text_data=event["text"])  # encoded once by the broadcaster
            else:
                await self.send_json(await self.present(frame))

    # Whether `present` sends every frame as broadcast; a stream adding its member's own values says no.
    present_as_sent = True

    async def present(self, frame: dict) -> dict:
        """The frame as this socket sends it; a stream may add what only its own member's roles decide."""
        return frame

    async def stream_close(self, event):
        """Leave the named groups at once, then re-check; no groups named means close (this session)."""
        groups = event.get("groups") or ([event["group"]] if event.get("group") else None)
        if groups is None:
            if event.get("session") in (None, self._session_tag()):
                await self._leave_all()
                await self.close(code=CLOSE_SIGNED_OUT)
            return
        affected = [g for g in self.stream_groups if any(streams.same_place(g, named) for named in groups)]
        if not affected:
            return
        for group in affected:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.stream_groups.remove(group)
        await self.stream_refresh(event)

    async def stream_refresh(self, event):
        """Reconcile joined groups with what fresh roles allow: drop the lost ones, join new ones."""
        allowed = await database_sync_to_async(self._recheck)()
        if allowed is None:
            await self._leave_all()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        for group in [g for g in self.stream_groups if g not in allowed]:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.stream_groups.remove(group)
        await self._join([g for g in allowed if g not in self.stream_groups])

    async def stream_hidden(self, event):
        """The member blocked or unblocked someone (`streams.hidden_authors_changed`)."""
        if self.hides_authors and self.user.is_authenticated:
            self.hidden_authors = await database_sync_to_async(hooks.hidden_author_ids)(member_id=self.user.pk)

    def _session_tag(self) -> str | None:
        session = self.scope.get("session")
        return streams.session_tag(session.session_key) if session is not None else None

    def _recheck(self) -> list[str] | None:
        """Roles are memoised per connection; a re-check reloads the member so nothing stale survives."""
        if self.user.is_authenticated:
            fresh = get_user_model().objects.filter(pk=self.user.pk, is_active=True).first()
            if fresh is None:
                return None
            self.user = self.scope["user"] = fresh
        return self.allowed_groups()

    async def _join(self, groups: list[str]) -> None:
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.stream_groups.append(group)

    async def _leave_all(self) -> None:
        for group in [*self.stream_groups, *([self.control_group] if self.control_group else [])]:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.stream_groups, self.control_group = [], None


class FeedStreamConsumer(StreamConsumer):
    """`/ws/feed/commons/` and `/ws/feed/pod/<slug>/`: new posts, comments, counts, removals."""

    relays = ("post.", "comment.")
    hides_authors = True

    def allowed_groups(self):
        return streams.feed_groups_for(self.scope["user"], self.scope["url_route"]["kwargs"].get("pod_slug"))


class ModerationQueueConsumer(StreamConsumer):
    """`/ws/moderation/queue/`: items entering and leaving this moderator's queue."""

    relays = ("queue.",)
    present_as_sent = False

    def allowed_groups(self):
        return streams.moderation_groups_for(self.scope["user"])

    async def present(self, frame: dict) -> dict:
        """Each frame carries this moderator's own queue count, from the nav badge's hook (the same query
        as the badge), so the badge and the list's total move with the list."""
        count = await database_sync_to_async(self._queue_count)()
        return {**frame, "queue_count": count}

    def _queue_count(self) -> int:
        policy = policy_for(self.user)
        state = {}
        for badges in hooks.nav_badges:
            state.update(badges(policy=policy))
        return int(state.get("queue_count", 0))


class PersonalStreamConsumer(StreamConsumer):
    """`/ws/me/`: the notification badge and rung changes, sent to the member's own group."""

    relays = ("notify", "rung.", "pod.", "toast", "message.")

    def allowed_groups(self):
        return streams.personal_groups_for(self.scope["user"])
