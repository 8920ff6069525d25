"""Markdown → sanitised HTML, done once when content is saved (never per request)."""

import re
from html import escape
from html.parser import HTMLParser

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


_VOID = {"br", "hr"}


class _Clipper(HTMLParser):
    """Copies sanitised HTML until `limit` characters of text, then closes what is still open."""

    def __init__(self, limit: int):
        super().__init__(convert_charrefs=True)
        self.limit, self.used, self.out, self.open, self.clipped = limit, 0, [], [], False

    def handle_starttag(self, tag, attrs):
        if self.clipped:
            return
        rendered = "".join(f' {k}="{escape(v or "")}"' for k, v in attrs)
        self.out.append(f"<{tag}{rendered}>")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if self.clipped or tag in _VOID or tag not in self.open:
            return
        while self.open:
            top = self.open.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data):
        if self.clipped:
            return
        room = self.limit - self.used
        if len(data) <= room:
            self.out.append(escape(data))
            self.used += len(data)
            return
        cut = data[:room]
        if " " in cut.strip():  # end on a word boundary when there is one
            cut = cut[: cut.rstrip().rfind(" ")]
        self.out.append(escape(cut.rstrip()) + "…")
        self.used, self.clipped = self.limit, True

    def result(self) -> str:
        return "".join(self.out) + "".join(f"</{tag}>" for tag in reversed(self.open))


def clip_html(html: str, limit: int = 280) -> str:
    """The first `limit` characters of text of sanitised post HTML, its markup kept and closed (lists,
    emphasis, links), with "…" where it was cut. The result is cleaned again with the same rules as
    `render_markdown`, so it is safe to mark safe even if the input was not."""
    clipper = _Clipper(limit)
    clipper.feed(html or "")
    clipper.close()
    return nh3.clean(clipper.result(), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow ugc noopener noreferrer")
