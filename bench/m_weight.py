"""(9) Page weight: each main page as a first visit with an empty cache gets it under production settings.

For each page: its HTML, compressed the way deploy/nginx.conf compresses HTML (gzip, level 5; the app
itself sends it uncompressed to the proxy), plus every stylesheet and script the HTML references, as
whitenoise serves them to a browser that accepts Brotli (the collected .br files; gzip for contrast).
Bytes are response bodies, KB = 1,000 bytes, headers not counted. Requests count the document and every
subresource the HTML and its CSS name (stylesheets, scripts, icons, images) plus the websockets app.js
opens (`data-stream`); images, icons and websockets are counted as requests but not in the HTML + CSS +
JS bytes the targets are about.

Figures are read from the running bench server (production settings, collected static files), a few
times per page: the HTML of a feed changes little between requests (tokens, relative times).
"""

import gzip
import re
import statistics
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

from .context import Figure

S9 = "9 Page weight"
HTML_GZIP_LEVEL = 5  # deploy/nginx.conf: gzip_comp_level 5
TARGETS_KB = {"feed": 60, "feed_anon": 60, "metrics": 150}  # the targets
REPEATS = 3


class _Refs(HTMLParser):
    """Subresources a browser fetches on load: stylesheets, scripts, icons, preloads and images."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []  # (kind, url)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("data-stream"):  # static/js/app.js opens a websocket per stream element
            self.refs.append(("ws", a["data-stream"]))
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower().split()
            if "stylesheet" in rel:
                self.refs.append(("css", a["href"]))
            elif "icon" in rel or "apple-touch-icon" in rel:
                self.refs.append(("icon", a["href"]))
            elif "modulepreload" in rel or "preload" in rel:
                self.refs.append(("js" if a.get("as") == "script" else "other", a["href"]))
        elif tag == "script" and a.get("src"):
            self.refs.append(("js", a["src"]))
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.refs.append(("img", a["src"]))


def _get(base: str, path: str, headers: dict):
    """(status, body as sent, headers: an email.message.Message, so names are case-insensitive)."""
    request = urllib.request.Request(urljoin(base, path), headers=headers)  # noqa: S310 - loopback http
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def _static(base: str, url: str) -> dict:
    """One static file as served: Brotli and gzip bodies, and the plain one (for url() references)."""
    out = {"url": url}
    for name, accept in (("br", "br"), ("gzip", "gzip"), ("raw", "identity")):
        status, body, headers = _get(base, url, {"Accept-Encoding": accept})
        out[name] = len(body)
        out[f"{name}_encoding"] = headers.get("Content-Encoding") or ""
        out["status"] = status
        if name == "raw":
            out["text"] = body.decode("utf-8", "replace")
    return out


def _css_refs(css: str, css_url: str) -> list[str]:
    found = []
    for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css):
        if not ref.startswith(("data:", "#")):
            found.append(urljoin(css_url, ref))
    return found


def page_weight(base: str, path: str, headers: dict) -> dict:
    """The page's HTML and what it references, with sizes and the request count."""
    status, html, _ = _get(base, path, {**headers, "Accept-Encoding": "identity"})
    html_gz = len(gzip.compress(html, compresslevel=HTML_GZIP_LEVEL, mtime=0))
    parser = _Refs()
    parser.feed(html.decode("utf-8", "replace"))
    seen, files, others = set(), [], []
    for kind, url in parser.refs:
        if urlparse(url).netloc or url in seen:  # another host (none expected) or already requested
            continue
        seen.add(url)
        if kind in ("css", "js"):
            files.append({"kind": kind, **_static(base, url)})
        else:
            others.append({"kind": kind, "url": url})
    for css in [f for f in files if f["kind"] == "css"]:
        for ref in _css_refs(css.pop("text"), css["url"]):
            if ref not in seen:
                seen.add(ref)
                others.append({"kind": "css-ref", "url": ref})
    for f in files:
        f.pop("text", None)
    static_br = sum(f["br"] for f in files)
    kinds: dict[str, int] = {}
    for f in files + others:
        kinds[f["kind"]] = kinds.get(f["kind"], 0) + 1
    bad = [f"{f['url']} {f['status']}" for f in files if f["status"] != 200]
    return {"path": path, "status": status, "html_raw": len(html), "html_gzip": html_gz,
            "css_br": sum(f["br"] for f in files if f["kind"] == "css"),
            "js_br": sum(f["br"] for f in files if f["kind"] == "js"),
            "static_gzip": sum(f["gzip"] for f in files), "static_raw": sum(f["raw"] for f in files),
            "total_br": html_gz + static_br, "total_gzip": html_gz + sum(f["gzip"] for f in files),
            "requests": 1 + len(files) + len(others), "kinds": kinds, "files": files, "others": others,
            "not_ok": bad, "not_brotli": [f["url"] for f in files if f["br_encoding"] != "br"]}


def _pages(ctx) -> list[tuple[str, str, str, dict]]:
    from .m_feeds import _busy_post

    fx = ctx.fixtures
    member, manager = fx.session(fx.member), fx.session(fx.manager)
    return [
        ("feed", "Commons feed `/` (signed in)", "/", member),
        ("feed_anon", "Commons feed `/` (signed out)", "/", {}),
        ("post", "Post page (most comments)", f"/posts/{_busy_post()}/", member),
        ("pods", "Pods `/pods/`", "/pods/", member),
        ("pod", f"Pod page ({fx.pod.slug})", f"/pods/{fx.pod.slug}/", member),
        ("metrics", "Community dashboard `/metrics/` (manager)", "/metrics/", manager),
        ("members", "Member directory `/members/`", "/members/", member),
    ]


def _kb(n: float) -> float:
    return round(n / 1000, 1)


def measure(ctx) -> list[Figure]:
    base = ctx.server.base_url
    out, raw = [], {}
    for key, label, path, headers in _pages(ctx):
        runs = [page_weight(base, path, headers) for _ in range(REPEATS)]
        last = runs[-1]
        raw[key] = {"label": label, **last, "totals_br": [r["total_br"] for r in runs]}
        total = [_kb(r["total_br"]) for r in runs]
        target = TARGETS_KB.get(key)
        med = statistics.median(total)
        problems = [f"HTTP {last['status']}"] if last["status"] != 200 else []
        problems += last["not_ok"] + [f"{u} not Brotli" for u in last["not_brotli"]]
        note = (f"HTML {_kb(last['html_gzip'])} KB gzip ({_kb(last['html_raw'])} KB raw), CSS {_kb(last['css_br'])} "
                f"KB, JS {_kb(last['js_br'])} KB Brotli; with gzip static {_kb(last['total_gzip'])} KB")
        if problems:
            note += "; PROBLEMS: " + ", ".join(problems)
        out.append(Figure(f"weight.{key}.kb", S9, f"{label}: HTML + CSS + JS, compressed", "KB", total,
                          f"≤ {target} KB" if target else "", (med <= target) if target else None, note))
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(last["kinds"].items()))
        out.append(Figure(f"weight.{key}.requests", S9, f"{label}: requests (document{', ' + kinds if kinds else ''})",
                          "requests", [r["requests"] for r in runs]))
    ctx.raw["weight"] = raw
    return out
