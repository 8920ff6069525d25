"""Websocket load: N browser-like clients on one stream, in a process of its own (no Django).

Reads commands on stdin, answers one JSON line each on stdout:
  connect <n>              open n more sockets (100 handshakes at a time) → {"open", "failed", "seconds"}
  wait <post_id> <secs>    until every open socket got the `post.new` frame for post_id, or the timeout
                           → {"received", "open", "times_ns": [...]}, receipt times on the monotonic clock
  close                    close everything and exit
Receipt times use time.monotonic_ns(), the same system-wide clock the publisher reads, read when the
socket's bytes arrive (before websockets parses them and the reader task wakes), so a thousand sockets
ready at once do not each wait for the others' parsing. The loop is uvloop's, as the server's is: the
client shares the machine's cores with the server it measures.
"""

import asyncio
import json
import sys
import time

import uvloop
from websockets.asyncio.client import ClientConnection, connect

# The server's frames open `{"type": "post.new", "id": <n>, ...` (json.dumps keeps the presenter's key
# order). Reading just that prefix keeps this one client process from spending the time it measures
# decoding a thousand copies of the card's HTML: the receipt times of later sockets wait on it.
POST_NEW = '{"type": "post.new", "id": '


def _post_new_id(raw) -> int | None:
    if not isinstance(raw, str) or not raw.startswith(POST_NEW):
        if isinstance(raw, str) and '"post.new"' in raw:  # another key order: decode it after all
            frame = json.loads(raw)
            return int(frame["id"]) if frame.get("type") == "post.new" else None
        return None
    end = raw.find(",", len(POST_NEW))
    return int(raw[len(POST_NEW):end if end != -1 else raw.find("}", len(POST_NEW))])


class TimedConnection(ClientConnection):
    """Notes when its latest bytes arrived; the frame completed by them is stamped with that time."""

    received_ns = 0

    def data_received(self, data: bytes) -> None:
        self.received_ns = time.monotonic_ns()
        super().data_received(data)


class Fleet:
    def __init__(self, url: str, origin: str):
        self.url, self.origin = url, origin
        self.sockets: list = []
        self.tasks: list[asyncio.Task] = []
        self.seen: dict[int, list[int]] = {}
        self.failed = 0

    async def _reader(self, ws) -> None:
        try:
            async for raw in ws:
                post_id = _post_new_id(raw)
                if post_id is not None:
                    self.seen.setdefault(post_id, []).append(ws.received_ns)
        except Exception:  # noqa: BLE001, S110 - a dropped socket shows up as a lost message
            pass

    async def _open_one(self) -> None:
        try:
            ws = await connect(self.url, origin=self.origin, ping_interval=None, open_timeout=30,
                               max_size=2**22, create_connection=TimedConnection)
        except Exception:  # noqa: BLE001 - counted, reported
            self.failed += 1
            return
        self.sockets.append(ws)
        self.tasks.append(asyncio.create_task(self._reader(ws)))

    async def open(self, n: int) -> dict:
        began, self.failed = time.monotonic(), 0
        for start in range(0, n, 100):
            await asyncio.gather(*(self._open_one() for _ in range(min(100, n - start))))
        return {"open": len(self.sockets), "failed": self.failed, "seconds": round(time.monotonic() - began, 2)}

    async def wait(self, post_id: int, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while len(self.seen.get(post_id, [])) < len(self.sockets) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        times = self.seen.pop(post_id, [])
        return {"received": len(times), "open": len(self.sockets), "times_ns": times}

    async def close(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for task in self.tasks:
            task.cancel()


async def main(url: str, origin: str) -> None:
    fleet = Fleet(url, origin)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        if line[0] == "connect":
            answer = await fleet.open(int(line[1]))
        elif line[0] == "wait":
            answer = await fleet.wait(int(line[1]), float(line[2]))
        else:
            await fleet.close()
            answer = {"closed": True}
        print(json.dumps(answer), flush=True)
        if line[0] == "close":
            return


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], sys.argv[2]))
