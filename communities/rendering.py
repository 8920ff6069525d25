"""Markdown → sanitised HTML, done once when content is saved (never per request)."""

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["strikethrough", "table"]
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}

MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{2,150})")
HASHTAG_RE = re.compile(r"(?<![\w&#/])#([A-Za-z][A-Za-z0-9_-]{1,49})")
# Splits HTML into tags and text so mentions are linked in text only, never inside attributes or code.
_TOKEN_RE = re.compile(r"(<[^>]+>)")


def extract_mentions(text: str) -> set[str]:
    return {m.lower() for m in MENTION_RE.findall(text)}


def extract_hashtags(text: str) -> set[str]:
    return {m.lower() for m in HASHTAG_RE.findall(text)}


def render_markdown(text: str, *, link_mentions: set[str] | None = None) -> str:
    """Render member Markdown; raw HTML is escaped, and only http(s)/mailto links survive.

    `link_mentions` is the set of usernames that exist; only those become profile links.
    """
    html = _md.render(text)
    # Headings h1/h2 would compete with the page's own headings: demote them.
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    html = _link_tokens(html, link_mentions or set())
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )


def _link_tokens(html: str, usernames: set[str]) -> str:
    out, skip_depth = [], 0
    for token in _TOKEN_RE.split(html):
        if token.startswith("<"):
            name = token.strip("</>").split()[0].lower() if token.strip("</>") else ""
            if name in {"a", "code", "pre"}:
                skip_depth += -1 if token.startswith("</") else 1
            out.append(token)
        elif skip_depth <= 0:
            out.append(_link_text(token, usernames))
        else:
            out.append(token)
    return "".join(out)


def _link_text(text: str, usernames: set[str]) -> str:
    def mention(m):
        name = m.group(1)
        if name.lower() not in usernames:
            return m.group(0)
        return f'<a href="/members/{name}/" class="mention">@{name}</a>'

    def hashtag(m):
        return f'<a href="/?topic={m.group(1).lower()}" class="hashtag">#{m.group(1)}</a>'

    return HASHTAG_RE.sub(hashtag, MENTION_RE.sub(mention, text))
