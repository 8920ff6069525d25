"""A combinatorial XSS corpus and an HTML checker that parses output instead of grepping it."""

from html.parser import HTMLParser
from itertools import product

# Raw-HTML vectors: script tags, event handlers, SVG/MathML, frames, broken and nested tags, templates.
HTML_VECTORS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>", "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>", "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\">", "<a href=\"javascript:alert(1)\">x</a>",
    "<body onload=alert(1)>", "<details open ontoggle=alert(1)>", "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>", "</textarea><script>alert(1)</script>", "</title><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>", "<<script>script>alert(1)<</script>/script>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>", "<p style=\"x:expression(alert(1))\">x</p>",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=javascript:alert(1)>", "<form action=javascript:alert(1)><button>x</button></form>",
    "<button formaction=javascript:alert(1)>x</button>", "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>", "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", "<base href=\"javascript:alert(1)//\">",
    "<img src=\"x\" onerror=\"&#97;lert(1)\">", "<img/src=x/onerror=alert(1)>", "<img src=x onerror\n=alert(1)>",
    "<a href=x onmouseover=alert(1)>x</a>", "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=javascript:alert(1)>", "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>", "<x onclick=alert(1)>click</x>", "\\u003cscript\\u003ealert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "<script\x00>alert(1)</script>", "<a href=\"\u2028javascript:alert(1)\">x",
    "{{ 7*7 }}{% debug %}", "<isindex action=javascript:alert(1) type=image>",
]
# URL tricks for Markdown links and images.
SCHEMES = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java&#x09;script:alert(1)", "&#106;&#97;vascript:alert(1)", "javascript&colon;alert(1)",
    "%6Aavascript:alert(1)", "jav\x00ascript:alert(1)", "javascript://%0aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>", "vbscript:msgbox(1)", "VBScript:msgbox(1)",
    "\\u006aavascript:alert(1)", "&#x6A;avascript:alert(1)", "javascript\u200b:alert(1)", "livescript:alert(1)",
]
LINK_SHAPES = [
    "[x]({u})", "![x]({u})", "[x]({u} \"t\")", "[x](<{u}>)", "<{u}>", "[x][r]\n\n[r]: {u}",
    "[<img src=x onerror=alert(1)>]({u})", "![x\" onerror=\"alert(1)]({u})",
]
WRAPPERS = ["{v}", "**{v}**", "> {v}", "- {v}", "# {v}", "`{v}`", "x {v} y", "| a |\n|---|\n| {v} |"]


def payloads() -> list[str]:
    out = [shape.format(u=url) for shape, url in product(LINK_SHAPES, SCHEMES)]
    out += [wrap.format(v=vector) for wrap, vector in product(WRAPPERS, HTML_VECTORS)]
    out += [v.upper() for v in HTML_VECTORS] + [v.replace("alert", "confirm").replace("<", "\uff1c") for v in
                                                  HTML_VECTORS]
    return list(dict.fromkeys(storable(p) for p in out))


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL at all (and our forms refuse it, Django's null-character validator),
    so on PostgreSQL a NUL-bearing payload is stored, as a browser would send it minus the impossible byte."""
    from django.db import connection

    return text.replace("\x00", "") if connection.vendor == "postgresql" else text


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset",
                  "cite", "longdesc", "dynsrc", "lowsrc", "ping", "codebase", "srcdoc", "content"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")


def _normal(value: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme.
    return "".join(ch for ch in value if ch > " " and ch not in "\u200b\u2028\u2029").lower()


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            src, kind = attrs.get("src") or "", attrs.get("type") or ""
            if not (src.startswith("/static/") or kind == "application/json"):
                self.problems.append(f"<script {attrs}>")
        harmless = ((tag == "meta" and "http-equiv" not in attrs)
                    or (tag == "link" and (attrs.get("href") or "").startswith("/static/"))
                    # The page's own canonical link and its decorative icons (the sanitizer lets neither
                    # a link nor an svg through from user text).
                    or (tag == "link" and attrs.get("rel") == "canonical"
                        and (attrs.get("href") or "").startswith(("http://", "https://")))
                    or (tag == "svg" and attrs.get("class") == "icon" and attrs.get("aria-hidden") == "true"))
        if tag in ("iframe", "object", "embed", "base", "meta", "math", "svg", "style", "link", "frame") \
                and not harmless:
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value and _normal(value).startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and ("javascript:" in _normal(value) or "expression(" in _normal(value)):
                self.problems.append(f"<{tag} style={value!r}>")

    handle_startendtag = handle_starttag


def html_problems(html: str) -> list[str]:
    """Executable markup in `html`: foreign scripts, event handlers, script-scheme URLs, dangerous tags."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems
