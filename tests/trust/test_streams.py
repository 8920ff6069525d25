"""The matrix over websocket streams: who may subscribe to which stream, and which frames reach them.

Every role opens every stream (the Commons, each pod, their own, the moderation queue); the policy says
which handshakes succeed. Then the author publishes public and trusted-only posts in every place, some
flagged into the moderation queue, and every frame each socket receives is scanned for canaries.
"""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from communities.services.posts import post_create
from tests.realtime.conftest import communicator, session_cookie_for

from . import matrix, policy
from .world import build_world, canary

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


def _expected(role: str, stream: str) -> bool:
    if role == "suspended":
        return False  # suspended members keep reading pages but get no live frames
    if stream == "commons":
        return True
    if stream == "me":
        return policy.signed_in(role)
    if stream == "queue":
        return role in policy.MODERATORS
    return policy.knows(role, stream) and policy.reads_place(role, stream)


def _path(world, stream: str) -> str:
    return {"commons": "/ws/feed/commons/", "me": "/ws/me/", "queue": "/ws/moderation/queue/"}.get(
        stream, f"/ws/feed/pod/{world.pods.get(stream).slug if stream in world.pods else stream}/")


STREAMS = ("commons", "me", "queue", *policy.PODS)


def _publish(world) -> int:
    """Public and trusted-only posts everywhere; the flagged ones (a watched word) enter the queue."""
    made = 0
    for place in policy.PLACES:
        for kind in ("public", "trusted") if place != "commons" else ("public",):
            for flagged in (False, True):
                token = canary(place, kind, "live", "flagged" if flagged else "plain")
                world.canaries[token] = ("content", place, kind)
                post_create(actor=world.author, pod=world.pods.get(place),
                            body=f"{token} {'zzmatrixword' if flagged else ''}",
                            audience="trusted" if kind == "trusted" else "everyone")
                made += 1
    return made


async def _drain(comm) -> list[dict]:
    # receive_nothing first: a receive that times out cancels the consumer (asgiref's communicator).
    frames = []
    while not await comm.receive_nothing(timeout=0.05):
        frames.append(await comm.receive_json_from())
    return frames


def test_every_role_on_every_stream_hears_only_what_it_may_read():
    world = build_world()
    tally = matrix.Tally()
    sessions = {role: (session_cookie_for(u)[1] if u is not None else None) for role, u in world.users.items()}

    async def scenario():
        open_sockets = []
        for role, session in sessions.items():
            for stream in STREAMS:
                comm = communicator(_path(world, stream), session=session)
                ok, code = await comm.connect()
                tally.cells += 1
                if ok != _expected(role, stream):
                    tally.fail(f"{stream} stream as {role}: connected={ok} ({code})")
                if ok:
                    open_sockets.append((role, stream, comm))
        made = await database_sync_to_async(_publish)(world)
        await asyncio.sleep(0.2)
        frames = 0
        for role, stream, comm in open_sockets:
            for frame in await _drain(comm):
                frames += 1
                tally.cells += 1
                matrix.scan_canaries(world, role, str(frame), f"{stream} stream frame to {role}", tally)
            await comm.disconnect()
        return made, frames

    made, frames = async_to_sync(scenario)()
    print(f"\nstreams: {tally.cells} cells ({frames} frames from {made} posts)")
    assert made == 18 and frames > 50
    assert tally.failures == [], "\n".join(tally.failures[:100])


def test_a_nonexistent_pod_stream_is_refused_like_an_unlisted_one():
    world = build_world()
    session = session_cookie_for(world.users["member"])[1]

    async def codes():
        out = []
        for slug in ("matrix-nowhere", world.pods["unlisted"].slug):
            comm = communicator(f"/ws/feed/pod/{slug}/", session=session)
            out.append(await comm.connect())
        return out

    assert async_to_sync(codes)() == [(False, 4403), (False, 4403)]
