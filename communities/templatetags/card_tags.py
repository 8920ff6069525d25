"""Post cards and comment bodies: the shared HTML with the viewer's state filled in (communities/cards.py,
communities/comment_cards.py), and the slots their templates write for that state. In a shared card
(`card_slots` set) a slot is a marker, filled per page; anywhere else (a fragment an endpoint returns, a
live frame) it is the viewer's value at once."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..cards import CardUrls, csrf_input, render_card_list, render_cards, report_link
from ..comment_cards import comment_bodies as _comment_bodies
from ..comment_cards import render_inline as render_comment_inline

register = template.Library()


@register.simple_tag(takes_context=True)
def post_cards(context, posts) -> SafeString:
    """A page's cards: one cache read for all of them, the viewer's state filled in one pass."""
    return render_cards(posts, context)


@register.simple_tag(takes_context=True)
def post_card(context, post) -> SafeString:
    return render_cards([post], context)


@register.simple_tag(takes_context=True)
def post_card_list(context, posts) -> list:
    """[(post, card)]: the cards of `posts` (one cache read), for a loop that writes between them."""
    return render_card_list(posts, context)


@register.simple_tag
def card_urls(post) -> CardUrls:
    return CardUrls(post)


@register.simple_tag(takes_context=True)
def pressed_slot(context, post, kind: str) -> str:
    if context.get("card_slots"):
        return format_html("<@r {} {}>", int(post.pk), kind)
    return "true" if kind in getattr(post, "viewer_reactions", ()) else "false"


@register.simple_tag(takes_context=True)
def saved_slot(context, post, yes: str, no: str) -> str:
    """`yes` when the viewer saved the post, else `no` (each a word or URL, no `|` or `>`)."""
    if context.get("card_slots"):
        return format_html("<@s {} {}|{}>", int(post.pk), yes, no)
    return yes if getattr(post, "viewer_saved", False) else no


@register.simple_tag(takes_context=True)
def csrf_slot(context) -> str:
    if context.get("card_slots"):
        return format_html("<@{}>", "csrf")
    return csrf_input(context)


@register.simple_tag(takes_context=True)
def comment_bodies(context, comments) -> dict:
    """{comment id: body} for a page's threads: shared bodies in one cache read, filled for the viewer."""
    return _comment_bodies(comments, context)


@register.simple_tag(takes_context=True)
def comment_body(context, comment) -> SafeString:
    """The body `comment_bodies` made for this page, else one rendered here (a live frame)."""
    made = context.get("comment_html")
    if made is not None and comment.pk in made:
        return made[comment.pk]
    return render_comment_inline(comment, context)


@register.simple_tag(takes_context=True)
def comment_pressed_slot(context, comment, kind: str) -> str:
    if context.get("card_slots"):
        return format_html("<@cr {} {}>", int(comment.pk), kind)
    return "true" if kind in getattr(comment, "viewer_reactions", ()) else "false"


@register.simple_tag(takes_context=True)
def comment_report_slot(context, comment) -> str:
    """The report link, for members other than the author."""
    url = context["c_urls"]["report"]
    if context.get("card_slots"):
        return format_html("<@creport {} {}>", int(comment.pk), url)
    user = context.get("user")
    if not getattr(user, "is_authenticated", False) or user.pk == comment.author_id:
        return ""
    return report_link(url, context.get("request"), "this comment")
