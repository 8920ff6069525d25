"""Comments on a post page: one shared HTML per comment, with the viewer's state filled in by the server,
as post cards are (communities.cards, whose module doc explains the markers and why no viewer's state
can reach the cache).

A comment's body (its head, text, reaction bar and report link: `communities/_comment_body.html`) is
rendered from a fresh context holding the comment and whether the viewer is signed in, nothing else of
theirs. Where their state belongs it writes a marker:

    <@csrf>                 the CSRF input of the reaction form
    <@cr COMMENT KIND>      aria-pressed of one reaction button ("true"/"false")
    <@creport COMMENT URL>  the report link (a shared body is never its viewer's own comment)

`comment_bodies` reads every body of the page with one `cache.get_many`, renders and stores the misses
with one `set_many`, and fills the markers from the reactions `_decorate` read (one query per page).
A page of 40 threads is some 80 bodies; rendered each time they were most of the page's time.

Shared only when every reader sees the same body: a published comment on a post whose card is shared
(not trusted-only, segmented, held or removed), and not the viewer's own (their delete and edit controls,
the note that their edit waits for a moderator). Those are rendered per page from the page's context.
The key names all the body shows (text, edit, reaction counts, the author's name, the time zone its time
is shown in), so no write has to forget an entry.
"""

import hashlib
import re

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .cards import LazyUrls, by_pk, csrf_input, report_link
from .cards import is_shared as post_is_shared
from .models import Comment, ContentStatus

BODY_TEMPLATE = "communities/_comment_body.html"
TIMEOUT = 86400
_MARKER = re.compile(r"<@(csrf|cr|creport)(?: ([^>]*))?>")

class CommentUrls(LazyUrls):
    """The URLs a comment's body links to."""

    routes = {
        "react": ("communities:comment_react", by_pk),
        "edit": ("communities:comment_edit", by_pk),
        "delete": ("communities:comment_delete", by_pk),
        "report": ("moderation:report_comment", by_pk),
        "profile": ("communities:profile", lambda comment: [comment.author.username]),
    }


def _is_shared(comment: Comment, post, viewer_id: int | None) -> bool:
    return comment.status == ContentStatus.PUBLISHED and post_is_shared(post) and comment.author_id != viewer_id


def body_key(comment: Comment, *, signed_in: bool) -> str:
    shown = (signed_in, timezone.get_current_timezone_name(), comment.pk, str(comment.status), comment.edited_at,
             comment.body_html, comment.reaction_counts(), comment.author.name, comment.author.username)
    return "cbody:v1:" + hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()


def _render_shared(comment: Comment, *, signed_in: bool) -> str:
    # A fresh context: nothing of the viewer (user, request, CSRF token) can reach the shared HTML.
    return get_template(BODY_TEMPLATE).template.render(Context(
        {"comment": comment, "c_urls": CommentUrls(comment), "card_slots": True, "signed_in": signed_in},
        autoescape=True))


def render_inline(comment: Comment, context) -> SafeString:
    """The body from the page's own context: the viewer's values written at once (their own comment, one
    not shared, a live frame)."""
    with context.push(comment=comment, c_urls=CommentUrls(comment)):
        return context.template.engine.get_template(BODY_TEMPLATE).render(context)


def comment_bodies(comments: list[Comment], context) -> dict[int, SafeString]:
    """Every body of a page's threads (top-level comments and their shown replies), by comment id."""
    every = list(comments) + [r for c in comments for r in getattr(c, "visible_replies", ())]
    user = context.get("user")
    viewer_id = user.pk if getattr(user, "is_authenticated", False) else None
    post = context.get("post")
    keys = {c.pk: body_key(c, signed_in=viewer_id is not None) for c in every if _is_shared(c, post, viewer_id)}
    found = cache.get_many(list(keys.values())) if keys else {}
    misses, bodies = {}, {}
    csrf: list[str] = []  # read once per page, and only where a form is (reading it sets the cookie)
    for comment in every:
        key = keys.get(comment.pk)
        if key is None:
            bodies[comment.pk] = render_inline(comment, context)
            continue
        html = found.get(key)
        if html is None:
            html = misses[key] = _render_shared(comment, signed_in=viewer_id is not None)
        bodies[comment.pk] = _fill(html, context, comment, csrf)
    if misses:
        cache.set_many(misses, TIMEOUT)
    return bodies


def _fill(html: str, context, comment: Comment, csrf: list[str]) -> SafeString:
    pressed = getattr(comment, "viewer_reactions", ())
    request = context.get("request")
    signed_in = getattr(context.get("user"), "is_authenticated", False)

    def slot(match: re.Match) -> str:
        name, arg = match.group(1), match.group(2) or ""
        if name == "csrf":
            if not csrf:
                csrf.append(csrf_input(context))
            return csrf[0]
        if name == "cr":
            return "true" if arg.split(" ")[1] in pressed else "false"
        return report_link(arg.split(" ")[1], request, "this comment") if signed_in else ""

    return mark_safe(_MARKER.sub(slot, html))  # noqa: S308  (markers only; the body's text was escaped)

