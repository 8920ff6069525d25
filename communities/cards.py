"""Post cards: one shared HTML per post, with a small per-viewer overlay filled by the server.

How it works. A card's HTML, reaction bar and save toggle included, is rendered from a fresh context
that holds the post and nothing about the viewer but whether they are signed in (members get forms,
visitors plain counts). Wherever a viewer's state belongs, that render writes a marker instead:

    <@csrf>                      the CSRF input of the reaction and save forms
    <@r POST KIND>               aria-pressed of one reaction button ("true"/"false")
    <@s POST YES|NO>             one of two words for the save toggle (its URL, pressed state, label)
    <@report POST AUTHOR URL>    the report link, for members other than the author
    <@poll POST>                 the poll, whose ballot form and results are the viewer's

`render_cards` fetches every card of the page with one `cache.get_many` (shared ones and the viewer's
private ones, below), renders the misses and stores them with one `set_many` per lifetime, and then
fills every marker of the page in one regex pass from the viewer's sets of reacted kinds and saved posts
(`decorate_posts` already read them, one query per page). The page needs no script to be right, and no
card is re-rendered per viewer: only a card's poll is (a poll's form and results are per viewer).

Why no viewer's state reaches the cache. The card render never sees the viewer (no user, request or
token in its context), so it cannot write their state; it writes markers, and markers are filled only
after the cache. A marker cannot come from user text: every string the card shows is either escaped
(`<` becomes `&lt;`) or sanitized HTML, which never holds a tag starting `<@`. A card is shared only when
every reader of the post sees the same card: posts for trusted members only, segmented announcements and
held or removed posts (shown to their author alone) never go under a shared key. The key names what
changes a card (edit, status, pin, counters, author, pet and pod names, and the time zone its time is
shown in).

Those cards are still rendered once, not once per page: each is kept under a key that also names its one
viewer (`private_card_key`), which only that viewer's requests build, for `PRIVATE_TIMEOUT`. The rows
themselves are chosen by the policy on every request, so an entry is only read for a post its viewer may
read now (a member demoted below trusted gets no trusted-only row, so never their old entry). A member's
own held posts above the feed cost a cache read, not a render each (~6 ms a card, bench.profile).
"""

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import quote

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .models import ContentStatus, Post, ReactionKind

CARD_TEMPLATE = "communities/_post_card_shared.html"
CARD_TIMEOUT = 86400
# Per viewer, so many more entries than shared cards: kept about as long as a member keeps reloading and
# paging, so the footprint follows the members active in the last minutes (the cache also evicts LRU).
PRIVATE_TIMEOUT = 600
_MARKER = re.compile(r"<@(csrf|r|s|report|poll)(?: ([^>]*))?>")

class LazyUrls(dict):
    """An object's URLs by name, each reversed on first use and then kept (a template asks for some several
    times). Subclasses name their routes: name -> (URL name, the reverse() args for the object)."""

    routes: dict = {}

    def __init__(self, obj):
        super().__init__()
        self.obj = obj

    def __missing__(self, name: str) -> str:
        view, args = self.routes[name]
        self[name] = url = reverse(view, args=args(self.obj))
        return url


def by_pk(obj) -> list:
    return [obj.pk]


class CardUrls(LazyUrls):
    """The URLs a post card links to."""

    routes = {
        "detail": ("communities:post_detail", by_pk),
        "react": ("communities:post_react", by_pk),
        "save": ("communities:post_save", by_pk),
        "unsave": ("communities:post_unsave", by_pk),
        "report": ("moderation:report_post", by_pk),
        "profile": ("communities:profile", lambda post: [post.author.username]),
        "pod": ("microgroups:detail", lambda post: [post.pod.slug] if post.pod_id else None),
        "home": ("home", lambda post: None),
    }


def report_link(url: str, request, what: str) -> SafeString:
    """The link to report something (`what`: "this post"), back to this page afterwards."""
    return format_html('<a class="link-btn small" href="{}?next={}" rel="nofollow">Report<span '
                       'class="visually-hidden"> {}</span></a>', url,
                       quote(request.get_full_path(), safe="/") if request is not None else "", what)


def is_shared(post: Post) -> bool:
    """May every reader of this post be shown the same card? (Only then is it cached.)"""
    return (post.status == ContentStatus.PUBLISHED and post.audience != Post.Audience.TRUSTED
            and post.segment is None)


def _digest(*parts) -> str:
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()


def _shown(post: Post) -> tuple:
    """What a card shows, as far as its key must change with it."""
    return (
        timezone.get_current_timezone_name(), post.pk, post.edited_at, post.status, post.pinned_at,
        post.is_announcement, post.comment_count,
        post.reaction_count, *(getattr(post, f"{k}_count") for k in ReactionKind.values),
        post.author.name, post.author.username, post.author.avatar.name, post.pet_id,
        post.pet.name if post.pet_id else "", post.pet.photo.name if post.pet_id else "",
        post.pod_id, post.pod.slug if post.pod_id else "", post.pod.name if post.pod_id else "",
    )


def card_key(post: Post, *, member: bool) -> str:
    """Changes whenever what the card shows changes; `member` picks forms or plain counts. The time zone is
    the viewer's (members choose theirs) but shared by everyone in it: the card shows its time there."""
    return "card:v1:" + _digest(member, *_shown(post))


def private_card_key(post: Post, viewer_id: int) -> str:
    """A card only `viewer_id` is shown (held, removed, trusted-only, segmented): also names the viewer and
    the audience and segment that keep it from being shared."""
    return f"cardp:v1:{viewer_id}:" + _digest(True, *_shown(post), post.audience, post.segment)


def _render_shared(post: Post, *, member: bool) -> str:
    # A fresh context: nothing of the viewer (user, request, CSRF token) can reach the shared HTML.
    return get_template(CARD_TEMPLATE).template.render(Context(
        {"post": post, "urls": CardUrls(post), "card_slots": True, "member": member}, autoescape=True))


def _card_keys(posts: list[Post], viewer_id: int | None) -> dict[int, tuple[str, int]]:
    """(cache key, timeout) per post that may be kept: shared cards for everyone, the others per member."""
    keys = {}
    for post in posts:
        if is_shared(post):
            keys[post.pk] = (card_key(post, member=viewer_id is not None), CARD_TIMEOUT)
        elif viewer_id is not None:
            keys[post.pk] = (private_card_key(post, viewer_id), PRIVATE_TIMEOUT)
    return keys


def _unfilled_cards(posts: list[Post], context) -> list[str]:
    """Each post's card with its markers still in: one `get_many` for all, the misses rendered and stored
    with one `set_many` per lifetime."""
    user = context.get("user")
    viewer_id = user.pk if getattr(user, "is_authenticated", False) else None
    keys = _card_keys(posts, viewer_id)
    found = cache.get_many([key for key, _ in keys.values()]) if keys else {}
    html, misses = [], {}
    for post in posts:
        key, timeout = keys.get(post.pk, (None, None))
        card = found.get(key) if key else None
        if card is None:
            card = _render_shared(post, member=viewer_id is not None)
            if key:
                misses.setdefault(timeout, {})[key] = card
        html.append(card)
    for timeout, entries in misses.items():
        cache.set_many(entries, timeout)
    return html


def render_cards(posts: Iterable[Post], context) -> SafeString:
    """The cards of `posts` for the viewer of the page `context` renders, shared HTML filled in one pass."""
    posts = list(posts)
    return fill("".join(_unfilled_cards(posts, context)), context, posts)


def render_card_list(posts: Iterable[Post], context) -> list[tuple[Post, SafeString]]:
    """(post, its filled card) for a template that puts something between the cards: one cache read."""
    posts = list(posts)
    return [(post, fill(card, context, [post])) for post, card in zip(posts, _unfilled_cards(posts, context),
                                                                       strict=True)]


def _poll_html(poll, context) -> str:
    """The viewer's poll (its form or results), with the page's own context (user, CSRF token)."""
    with context.push(poll=poll, live=False):
        return context.template.engine.get_template("communities/_poll.html").render(context)


def csrf_input(context) -> str:
    """The page's CSRF input ("" where the page has no token). Reading the token sets the visitor's cookie,
    so callers ask only where a form is."""
    token = context.get("csrf_token")
    if not token or str(token) == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def fill(html: str, context, posts: list[Post]) -> SafeString:
    """Fill every marker in `html` for this viewer, in one pass over the whole string."""
    user = context.get("user")
    viewer_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    pressed = {(p.pk, kind) for p in posts for kind in getattr(p, "viewer_reactions", ())}
    saved = {p.pk for p in posts if getattr(p, "viewer_saved", False)}
    polls = {str(p.pk): _poll_html(poll, context) for p in posts if (poll := p.poll_or_none) is not None}
    csrf: list[str] = []  # asked for only where a form is: reading the token sets the visitor's cookie
    request = context.get("request")

    def slot(match: re.Match) -> str:
        name, arg = match.group(1), match.group(2) or ""
        if name == "csrf":
            if not csrf:
                csrf.append(csrf_input(context))
            return csrf[0]
        if name == "r":
            post_id, kind = arg.split(" ")
            return "true" if (int(post_id), kind) in pressed else "false"
        if name == "s":
            post_id, choices = arg.split(" ", 1)
            yes, no = choices.split("|")
            return yes if int(post_id) in saved else no
        if name == "report":
            post_id, author_id, url = arg.split(" ")
            if viewer_id is None or str(viewer_id) == author_id:
                return ""
            return " " + report_link(url, request, "this post")
        return polls.get(arg, "")

    return mark_safe(_MARKER.sub(slot, html))  # noqa: S308  (markers only; the card's text was escaped)
