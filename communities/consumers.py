"""Websocket entry points: subscribe after the same read checks pages use, then relay group frames."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import streams


class StreamConsumer(AsyncJsonWebsocketConsumer):
    """Joins the groups `streams` says this user may hear; closes the handshake when there are none."""

    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        groups = await database_sync_to_async(self.allowed_groups)()
        if groups is None:
            await self.close(code=4403)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()

    def allowed_groups(self) -> list[str] | None:
        return None  # subclasses name their groups; the base refuses everyone

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # Streams are server → browser only; a ping keeps proxies from closing idle sockets.
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def stream_frame(self, event):
        await self.send_json(event["frame"])

    async def stream_close(self, event):
        """Sent to a member's personal group on logout, ban or removal: stop their frames at once."""
        if event.get("group") in (None, *self.groups_joined):
            await self.close(code=4401)


class FeedStreamConsumer(StreamConsumer):
    def allowed_groups(self):
        return streams.feed_groups_for(self.scope["user"], self.scope["url_route"]["kwargs"].get("pod_slug"))


class PersonalStreamConsumer(StreamConsumer):
    def allowed_groups(self):
        user = self.scope["user"]
        return [streams.user_group(user.pk)] if user.is_authenticated else None
