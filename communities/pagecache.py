"""Whole pages shared by every anonymous visitor: the Commons feed, open pods' feeds and post pages.

Privacy by construction: only a request with no member behind it reads or fills an entry, and every
anonymous visitor is the same viewer to the permission policy, so an entry holds exactly what any
viewer of that key may see (never trusted-only or segmented content, which anonymous visitors cannot
see at all). The key is the full path with its query string (sort, window, filters, cursor) and the
versions of the places the page shows.

A place's version is a counter in the cache, bumped after commit by every write that changes what the
page shows: `streams.emit` and `streams.broadcast` bump the places of each feed event (a post published,
removed or hidden, a comment, new reaction counts; `about=post` also bumps a post no socket may hear of,
a segmented announcement); the services whose writes no stream hears call `bump_post` (edit, pin, a
comment deleted or removed) or `bump` (a comment's reactions: its post's page), or bump `POLICY`, a place
every page depends on (a pod's privacy, an account's deletion).
A version that was evicted comes back as a fresh number, never as an old one, so an entry made under
an earlier version cannot reappear. Each process holds the versions it read (`hotkeys.mirror`,
petcommunity.mirror) until Redis pushes it word that they changed, and its last pages (`LocalCopies`):
an anonymous hit then makes no round trip to Redis at all. Entries also expire after `TTL` seconds,
which bounds how stale a relative time ("3 minutes ago") or a periodically re-ranked hot order may get.

Nothing is cached when the response would carry something of this visitor's: a flash message, a CSRF
token (a form), a cookie being set, or any status but 200.

One render per version. When a version changes (a comment in a busy Commons, or the TTL running out),
every visitor arriving before the new entry exists would miss at once and render the same page side by
side: at 32 concurrent visitors, 32 renders of one page on two cores (with the Commons bumped every
second, the anonymous feed's p99 at c=32 was ~270 ms; ~120 ms with this). So the first miss takes a short
fill marker (`cache.add`, atomic) and renders; the others wait for its entry (polling every `FILL_POLL`
seconds, at most `FILL_WAIT`) and serve it, as a reverse proxy's cache lock does. They never get an
older version's page: what they serve was rendered after the write. When the filler's response cannot
be shared (or it failed), it drops the marker and each waiter renders its own.
"""

import hashlib
import time

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

from petcommunity.recent import Recent

from . import hotkeys

TTL = 60
HIT_HEADER = "X-Page-Cache"
FILL_WAIT = 2.0  # at most, in seconds; a feed page renders in ~40 ms, far longer only under overload
FILL_POLL = 0.02  # a render takes ~40 ms; polling every 5 ms measured no better (c=32 p99 ~144 vs ~120 ms)
LOCAL_ENTRIES = 64  # pages each process keeps a copy of (`LocalCopies`), ~40 KB each
# Every shared page also depends on who may read what: a pod closing to the public, an account deleted.
POLICY = "policy"
VERSION_PREFIX = hotkeys.PAGE_VERSION


def commons() -> str:
    return "commons"


def pod(pod_id: int) -> str:
    return f"pod.{pod_id}"


def post(post_id: int) -> str:
    return f"post.{post_id}"


def member(member_id: int) -> str:
    """What only this member's own pages show of them (communities.memberpages)."""
    return f"member.{member_id}"


def places_for_frame(groups: list[str], frame: dict) -> list[str]:
    """The places a live-feed event or frame (communities.streams) changes: its feeds, and the post it is
    about."""
    places = []
    for group in groups:
        if group == "feed.commons":
            places.append(commons())
        elif group.startswith("feed.pod."):
            places.append(pod(int(group.split(".")[2])))
    kind = str(frame.get("type", ""))
    post_id = frame.get("post_id") if kind.startswith("comment.") else frame.get("id")
    if kind.startswith(("post.", "comment.")) and post_id:
        places.append(post(post_id))
    return places


def places_of(post_obj) -> list[str]:
    """The pages a post appears on: its feed and its own page."""
    return [commons() if post_obj.pod_id is None else pod(post_obj.pod_id), post(post_obj.pk)]


def _version_key(place: str) -> str:
    return VERSION_PREFIX + place


def _versions(places: list[str]) -> list[int]:
    return versions_with(places, [])[0]


def versions_with(places: list[str], also: list[str]) -> tuple[list[int], dict]:
    """The versions of `places` and whatever is stored under the keys `also`, in one round trip at most
    (none when this process holds them all)."""
    keys = [_version_key(p) for p in places]
    found = hotkeys.mirror.get_many(keys + also)
    missing = {k: time.time_ns() for k in keys if k not in found}
    for key, value in missing.items():
        cache.add(key, value, timeout=None)
    if missing:
        found |= cache.get_many(list(missing))
    return [found.get(k, 0) for k in keys], found


def place_version(place: str) -> int:
    """The current version of `place`, for a cache of something derived from that place's feed (an entry
    keyed with it is stale as soon as a write bumps the place)."""
    return _versions([place])[0]


def version_tag(*places: str) -> str:
    """The current versions of `places` (one round trip at most), as a key prefix ("commons=12:policy=7")."""
    return ":".join(f"{p}={v}" for p, v in zip(places, _versions(list(places)), strict=True))


def _bump_now(places: list[str]) -> None:
    for place in places:
        key = _version_key(place)
        try:
            cache.incr(key)
        except ValueError:  # evicted or never read: a number no entry was made under
            cache.set(key, time.time_ns(), timeout=None)


def bump(*places: str) -> None:
    """After the surrounding transaction commits (a rollback changes no page), invalidate `places`."""
    places = [p for p in places if p]
    if places:
        transaction.on_commit(lambda: _bump_now(places))


def bump_post(post_obj) -> None:
    bump(*places_of(post_obj))


def _eligible(request) -> bool:
    if request.method != "GET" or request.user.is_authenticated or getattr(request, "htmx", False):
        return False
    return not len(get_messages(request))  # a flash message is this visitor's (len() does not consume it)


def _page_key(request, places: list[str], versions: list[int]) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return "page:" + ":".join(f"{p}={v}" for p, v in zip(places, versions, strict=True)) + ":" + path


def served(entry, how: str) -> HttpResponse:
    response = HttpResponse(entry[0], content_type=entry[1])
    response[HIT_HEADER] = how
    return response


def _fill_of(key: str):
    """The entry another request is rendering under `key`, once it is stored; None when that request
    gave up (its page could not be shared, or it failed) or took longer than `FILL_WAIT`."""
    marker = key + ":filling"
    deadline = time.monotonic() + FILL_WAIT
    while time.monotonic() < deadline:
        time.sleep(FILL_POLL)
        found = cache.get_many([key, marker])
        if key in found:
            return found[key]
        if marker not in found:
            return None
    return None


class LocalCopies(Recent):
    """The entries this process served last, under the same versioned keys as the shared cache, so a hit
    reads no entry from Redis. The versions are still checked on every request (the process's mirror of
    them is exact: `hotkeys.mirror`), so a bump is seen at once, and the key holds them, so an entry of an older
    version is never served."""

    def get(self, key: str):
        found = super().get(key)
        if found is not None and found[2] + TTL < time.time():  # an entry lives as long here as in the cache
            self.drop(key)
            return None
        return found


_local = LocalCopies(LOCAL_ENTRIES)


def cached_page(request, places: list[str], render):
    """The shared page for `places` if this request may have it, else `render()`'s response (stored for
    the next anonymous visitor when nothing in it is this visitor's)."""
    if not _eligible(request):
        return render()

    def shareable(response) -> bool:
        return (response.status_code == 200 and not response.streaming and not response.cookies
                and getattr(response, "is_rendered", True) and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))

    return serve(_page_key(request, places, _versions(places)), render, keepable=shareable, local=_local)


def serve(key: str, render, *, keepable, local: LocalCopies):
    """The entry under `key` (this process's copy, else the shared cache's), else `render()`'s response,
    stored under `key` when `keepable(response)`. One render per key: while a request renders it, the
    others wait for its entry (see the module's doc)."""
    hit = local.get(key)
    if hit is None:
        hit = cache.get(key)
        if hit is not None and len(hit) == 3:  # (content, type, stored at); older entries lack the time
            local.put(key, hit)
    if hit is not None:
        return served(hit, "hit")
    marker = key + ":filling"
    filler = cache.add(marker, 1, timeout=int(FILL_WAIT) + 1)  # False: another request renders this page
    if not filler and (filled := _fill_of(key)) is not None:
        return served(filled, "wait")
    try:
        response = render()
        if keepable(response):
            entry = (response.content, response["Content-Type"], time.time())
            cache.set(key, entry, timeout=TTL)
            local.put(key, entry)
            response[HIT_HEADER] = "miss"
    finally:
        if filler:
            cache.delete(marker)
    return response
