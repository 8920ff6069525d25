"""Sending a channel-layer group message from synchronous code: services after commit, Celery tasks.

`async_to_sync(layer.group_send)` in a thread with no event loop (a gunicorn thread, a Celery worker, the
benchmark's publisher) starts a thread and an event loop for the one call, and channels_redis' pub/sub
layer opens a connection pool for that loop and closes it with the loop: ~5 ms per broadcast on an idle
machine, more on a busy one, all of it before the first socket hears anything. For that layer the same
bytes go to the same Redis channel through one synchronous client per host and process (redis-py's pool
is thread-safe and re-opens its connections after a fork). Any other layer (the in-memory one of the
tests and `make run`, sentinel hosts) keeps `async_to_sync`.
"""

import weakref

import redis
from asgiref.sync import async_to_sync
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import _consistent_hash, decode_hosts

_clients: "weakref.WeakKeyDictionary[RedisPubSubChannelLayer, list[redis.Redis] | None]" = weakref.WeakKeyDictionary()


def group_send(layer, group: str, message: dict) -> None:
    clients = _publishers(layer) if isinstance(layer, RedisPubSubChannelLayer) else None
    if clients is None:
        async_to_sync(layer.group_send)(group, message)
        return
    # The pub/sub layer's own naming and sharding (RedisPubSubLoopLayer.group_send), pinned with channels-redis.
    channel = f"{layer._kwargs.get('prefix', 'asgi')}__group__{group}"
    clients[_consistent_hash(channel, len(clients))].publish(channel, layer.serialize(message))


def _publishers(layer: RedisPubSubChannelLayer) -> list[redis.Redis] | None:
    if layer not in _clients:
        hosts = decode_hosts(layer._kwargs.get("hosts"))
        if all("address" in host for host in hosts):
            _clients[layer] = [redis.Redis.from_url(h["address"], **{k: v for k, v in h.items() if k != "address"})
                               for h in hosts]
        else:
            _clients[layer] = None
    return _clients[layer]
