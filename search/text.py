"""Query words and highlighted snippets for the text-matching fallback (and for pods, which are few)."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERMS = 8
SNIPPET_CHARS = 220
_TOKEN = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')


def query_terms(q: str) -> tuple[list[str], list[str]]:
    """(wanted, excluded) words and quoted phrases, read the way websearch_to_tsquery reads them:
    `-word` excludes, `"a phrase"` stays together, `or` is dropped (the fallback matches all words)."""
    wanted, excluded = [], []
    for minus_q, phrase, minus_w, word in _TOKEN.findall(q):
        text = (phrase or word).strip().strip('"')
        if not text or text.lower() == "or":
            continue
        (excluded if (minus_q or minus_w) else wanted).append(text)
    return wanted[:MAX_TERMS], excluded[:MAX_TERMS]


def highlight(text: str, terms: list[str]) -> SafeString:
    """A window of `text` around the first wanted term, HTML-escaped, with each term in <mark>."""
    text = " ".join(text.split())
    lowered = text.lower()
    hits = [lowered.find(t.lower()) for t in terms if t and lowered.find(t.lower()) >= 0]
    start = max(min(hits) - SNIPPET_CHARS // 3, 0) if hits else 0
    window = text[start:start + SNIPPET_CHARS]
    prefix, suffix = ("… " if start else ""), (" …" if start + SNIPPET_CHARS < len(text) else "")
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    parts = re.split(f"({'|'.join(map(re.escape, words))})", window, flags=re.IGNORECASE) if words else [window]
    # Odd parts are the matches (split keeps the captured group). Every piece of the user's text is
    # escaped; only the <mark> tags are ours.
    out = "".join(f"<mark>{escape(p)}</mark>" if i % 2 else escape(p) for i, p in enumerate(parts))
    return mark_safe(escape(prefix) + out + escape(suffix))  # noqa: S308


START, STOP = "\ue000", "\ue001"  # private-use characters PostgreSQL's headline wraps the matches in


def headline_html(headline: str) -> SafeString:
    """PostgreSQL's ts_headline output (plain text with START/STOP around matches) as escaped HTML."""
    out = escape(" ".join(headline.split())).replace(START, "<mark>").replace(STOP, "</mark>")
    if out.count("<mark>") != out.count("</mark>"):  # the author typed one of the marker characters
        out = out.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(out)  # noqa: S308  (escaped above; only the <mark> tags are ours)
