"""The edge for live streams: turns the events services emit into frames, with the pages' own templates.

Services never render; they emit `{"type": ..., ids}` after commit (`streams.emit`). A frame goes to many
people at once, so it holds only what every reader of the place sees alike (counts, not pressed state).
"""

from contextvars import ContextVar

from django.template.loader import render_to_string

from .models import Comment, Post, ReactionKind
from .selectors import post_card_queryset
from .streams import presenter

# The last live card rendered in this context, so the composer's response reuses the card its own live
# frame carried: a new post is rendered once per request. Keyed on the post's id and creation time.
_last_card: ContextVar[tuple[tuple, str] | None] = ContextVar("last_live_card", default=None)


def _card_key(post: Post) -> tuple:
    return post.pk, post.created_at


def post_card_html(post: Post | int) -> str:
    """A post card as a viewer without per-person state sees it."""
    last = _last_card.get()
    if last is not None and isinstance(post, Post) and last[0] == _card_key(post):
        return last[1]
    fresh = post_card_queryset(Post.objects.filter(pk=post.pk if isinstance(post, Post) else post)).get()
    if last is not None and last[0] == _card_key(fresh):
        return last[1]
    html = render_to_string("communities/_post_card.html", {"post": fresh, "live": True})
    _last_card.set((_card_key(fresh), html))
    return html


@presenter("post.new")
def post_new(event: dict) -> dict:
    return {**event, "html": post_card_html(event["id"])}


@presenter("comment.new")
def comment_new(event: dict) -> dict | None:
    comment = Comment.objects.select_related("author", "post").filter(pk=event["id"]).first()
    if comment is None:
        return None
    html = render_to_string("communities/_comment.html", {"comment": comment, "post": comment.post, "live": True})
    return {**event, "html": html}


@presenter("post.counts")
def post_counts(event: dict) -> dict | None:
    """Counts only: each viewer's pressed state stays theirs (the page's script keeps it)."""
    fresh = Post.objects.only(*[f"{k}_count" for k in ReactionKind.values], "reaction_count", "pod_id",
                              "audience", "status").filter(pk=event["id"]).first()
    if fresh is None:
        return None
    return {**event, "html": render_to_string("communities/_reactions.html", {"post": fresh, "counts_only": True})}
