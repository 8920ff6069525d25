"""Whole pages kept per member: the signed-in Commons feed, for the reload that changes nothing, and the
API's feed answers (`member_answer`, below).

The anonymous page is shared (communities.pagecache); a member's page also holds what is theirs alone:
the navigation bar, the reactions, saves and votes they pressed, their composer (their pets), their posts
held or removed, and what only they may read. Most loads change none of that, so the rendered page is
kept under a key that only this member's requests compute, made of:
- the versions of the places the page shows, as for the shared page (the Commons and `POLICY`);
- the member's own version (the place `member.<id>`, bumped after commit by `forget`): the services that
  change what only their pages show of them call it: their reactions, saves and poll votes, a block they
  make or lift, their pets, their posts created, edited or deleted, and a moderator's decision on their
  content;
- the version of their navigation bar (communities.navcache: notifications, messages, roles anywhere,
  every save of their account row (name, staff flag, suspension, profile), the queue for a moderator),
  which is only part of a key while the stored bar is current;
- their browser's CSRF secret (the page's forms carry tokens made from it, which another browser of
  theirs could not post), their time zone and today's date in it (dates on the page, the day's posting
  cap), today's date in UTC (see impressions below), and the full path with its query string.
The policy is asked nothing on a hit: every write that changes what the member may read bumps one of
those versions (a role through navcache, a pod's privacy or an account's deletion through `POLICY`, a
post's removal through its place). Entries live `TTL` seconds, as shared pages do, which bounds relative
times, the hot order and a suspension running out.

A page is kept only when nothing in it is once-only: a GET that is not htmx, no flash message before or
after, a CSRF secret that the render did not replace, no session write, status 200.

An API feed answer (JSON: no forms, no navigation bar) is kept the same way under `mapi:<member>:…`: the
places' versions, the member's own version, the member's navcache version (their roles anywhere), the
UTC day and the path. It does not wait for the bar to be stored: API clients never render one.

A hit records no impressions, and loses none: an impression is a member shown a post on a day (one row
per member, post and day, metrics.models.Impression), the render recorded the page's on the same UTC day
the key names, and a page served again shows the same posts.
"""

import hashlib

from django.contrib.messages import get_messages
from django.utils import timezone

from . import navcache, pagecache

TTL = pagecache.TTL
LOCAL_ENTRIES = 16  # per process, ~75 KB each; one member rarely lands on the same process twice in a row
_local = pagecache.LocalCopies(LOCAL_ENTRIES)
_local_answers = pagecache.LocalCopies(LOCAL_ENTRIES)  # ~12 KB each


def forget(*member_ids: int) -> None:
    """After the surrounding transaction commits, these members' kept pages are rendered afresh."""
    pagecache.bump(*(pagecache.member(pk) for pk in member_ids if pk))


def _secret(request) -> str | None:
    """The CSRF secret the page's tokens would be made from, when the page may be kept at all."""
    if request.method != "GET" or not request.user.is_authenticated or getattr(request, "htmx", False):
        return None
    if len(get_messages(request)):  # a flash message is for this load only (len() does not consume it)
        return None
    return request.META.get("CSRF_COOKIE") or None


def _key(prefix: str, request, places: list[str], versions: list[int], *parts: str) -> str:
    """`<prefix>:<member>:` and a digest of the places' versions, `parts`, the UTC day and the path."""
    parts = [*(f"{p}={v}" for p, v in zip(places, versions, strict=True)), *parts,
             f"utc={timezone.now().date()}", request.get_full_path()]
    return f"{prefix}:{request.user.pk}:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def _keepable(request, response, secret: str) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and getattr(response, "is_rendered", True) and request.META.get("CSRF_COOKIE") == secret
            and not request.session.modified and not len(get_messages(request)))


def member_page(request, places: list[str], render):
    """This member's kept page for `places` when every version still matches, else `render()`'s response
    (kept for their next load when nothing in it is once-only). As for shared pages, a new version is
    rendered once: the member's other tabs or requests arriving meanwhile wait for it (pagecache.serve)."""
    secret = _secret(request)
    if secret is None:
        return render()
    member_id = request.user.pk
    places = [*places, pagecache.member(member_id)]
    versions, found = pagecache.versions_with(places, navcache.entry_keys(member_id))
    nav = navcache.current_version(found, member_id)
    if nav is None:
        # The bar is missing or stale: this render stores it afresh, under versions read before the
        # render, so the next load finds it current and keeps its page.
        return render()
    key = _key("mpage", request, places, versions, f"nav={nav}", f"csrf={secret}",
               f"tz={timezone.get_current_timezone_name()}", f"day={timezone.localdate()}")
    return pagecache.serve(key, render, keepable=lambda response: _keepable(request, response, secret),
                           local=_local)


def member_answer(request, places: list[str], render):
    """This member's kept API answer (a GET's 200) for `places` while every version still matches, else
    `render()`'s response, kept for their next request."""
    if request.method != "GET" or not request.user.is_authenticated:
        return render()
    member_id = request.user.pk
    places = [*places, pagecache.member(member_id)]
    versions, found = pagecache.versions_with(places, [navcache.member_version_key(member_id)])
    roles = navcache.member_version(found, member_id)
    if roles is None:
        return render()
    key = _key("mapi", request, places, versions, f"roles={roles}")
    return pagecache.serve(key, render, local=_local_answers, keepable=lambda response: (
        response.status_code == 200 and not response.streaming and not response.cookies))
