"""A channels consumer's message loop with one long-lived read per source.

channels' `AsyncConsumer.__call__` reads the browser and the channel layer through `await_many_dispatch`,
which starts a new task and an `asyncio.wait` for every message. A post broadcast to a thousand sockets
is a thousand messages in the web workers at once, and that bookkeeping was a fifth of a worker's time
per post. Here each source has one task that reads and dispatches in a loop; a lock keeps channels'
guarantee that a consumer handles one message at a time, and leaving cancels the other read, which is
what lets the layer forget the socket's channel.
"""

import asyncio
import contextlib
import functools

from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer


class ConsumerLoop:
    """Mix in before an `AsyncConsumer` subclass; consumers without a channel layer keep channels' loop."""

    async def __call__(self, scope, receive, send):
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        if self.channel_layer is None:
            return await super().__call__(scope, receive, send)
        self.scope, self.base_send = scope, send
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        turn = asyncio.Lock()

        async def pump(source):
            while True:
                message = await source()
                async with turn:
                    await self.dispatch(message)

        pumps = [asyncio.ensure_future(pump(receive)), asyncio.ensure_future(pump(self.channel_receive))]
        try:
            done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        for task in done:
            with contextlib.suppress(StopConsumer):
                task.result()
