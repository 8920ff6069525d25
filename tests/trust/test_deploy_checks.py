"""Deployment checks that live in the test suite (CI also runs them from .ci/run): nothing marks user
content safe except HTML sanitised by construction, and ruff's Django rules stay on."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("communities", "microgroups", "moderation", "metrics", "petcommunity")

# Values that are HTML by construction: Markdown rendered through nh3 when saved (communities.rendering),
# and form help texts, which are literals written in code (never model data).
SANITISED = re.compile(r"^(?:[\w.]+\.)?body_html$|^field\.help_text$")
SAFE_FILTER = re.compile(r"\{\{\s*([^}|]+?)\s*((?:\|[^}]*)?)\}\}")


def _templates() -> list[Path]:
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt"))


def _python() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def unsafe_template_uses(text: str) -> list[str]:
    """`{{ x|safe }}` / `|safeseq` on anything but sanitised HTML, and any `{% autoescape off %}`."""
    found = [f"autoescape off: {m.group(0)}" for m in re.finditer(r"\{%\s*autoescape\s+off\s*%\}", text)]
    for m in SAFE_FILTER.finditer(text):
        expr, filters = m.group(1).strip(), m.group(2)
        if re.search(r"\|\s*safe(seq)?\b", filters) and not SANITISED.match(expr):
            found.append(m.group(0))
    return found


def unsafe_python_uses(text: str) -> list[str]:
    pattern = r"\bmark_safe\s*\(|\bSafeString\s*\(|\bSafeText\s*\(|__html__|\bmark_for_escaping\b"
    return [m.group(0) for m in re.finditer(pattern, text)]


def test_the_scanner_catches_unsafe_marking():
    assert unsafe_template_uses("<p>{{ member.bio|safe }}</p>{{ post.body_html|safe }}") == ["{{ member.bio|safe }}"]
    assert unsafe_template_uses("{% autoescape off %}{{ x }}{% endautoescape %}")
    assert unsafe_template_uses("{{ pod.name|upper|safe }}") and unsafe_template_uses("{{ tags|safeseq }}")
    assert unsafe_template_uses("{{ charter.body_html|safe }}{{ info.charter.body_html|safe }}") == []
    assert unsafe_python_uses("x = mark_safe(user.bio)") and not unsafe_python_uses("format_html('{}', v)")


def _plain_text_email(path: Path) -> bool:
    """Plain-text email bodies (sent as text/plain) turn autoescaping off so "&" stays "&": no HTML there."""
    return path.suffix == ".txt" and "email" in path.parts


def test_no_template_marks_user_content_safe():
    problems = {}
    for path in _templates():
        found = unsafe_template_uses(path.read_text())
        if _plain_text_email(path):
            found = [f for f in found if not f.startswith("autoescape off")]
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}
    assert len(_templates()) > 50


# Python that marks a string safe, each by construction, and how often. A new use fails the test until it is
# reviewed and named here.
# - communities/cards.py: `fill` replaces the markers in card HTML a template rendered with autoescaping on
#   (user text escaped or nh3-sanitised, so it can never hold `<@`); what it inserts is escaped there.
# - communities/comment_cards.py: `_fill`, the same for a comment's body.
REVIEWED = {"communities/cards.py": ["mark_safe("], "communities/comment_cards.py": ["mark_safe("]}


def test_no_python_code_marks_strings_safe():
    problems = {str(p.relative_to(ROOT)): found for p in _python() if (found := unsafe_python_uses(p.read_text()))}
    assert problems == REVIEWED


def test_body_html_is_only_ever_written_from_the_sanitiser():
    """Every assignment to body_html in app code takes the output of render_markdown/render_body."""
    writes = []
    for path in _python():
        for line in path.read_text().splitlines():
            m = re.search(r"body_html\s*(?:,\s*_\s*)?=\s*([^,)]+)", line)
            if m and "models.TextField" not in line:
                writes.append((path.name, m.group(1).strip()))
    assert writes, "expected the services to write body_html"
    unsanitised = [(f, rhs) for f, rhs in writes if not re.match(r"(render_markdown|render_body)\(|html$|"
                                                                     r"rendered\[", rhs)]
    assert unsanitised == []


def test_ruffs_django_rules_are_on_and_dj007_is_never_ignored():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "DJ" in lint["select"] or "DJ007" in lint["select"]
    assert not any(code in ("DJ", "DJ0", "DJ00", "DJ007") for code in lint.get("ignore", []))
    for files, codes in lint.get("per-file-ignores", {}).items():
        assert not any(code in ("DJ", "DJ0", "DJ00", "DJ007") for code in codes), files
    assert not [p for p in _python() if re.search(r"fields\s*=\s*['\"]__all__['\"]", p.read_text())]


def test_ci_runs_the_deployment_checks():
    ci = (ROOT / ".ci/run").read_text()
    assert "check --deploy --fail-level WARNING" in ci and "petcommunity.settings.production" in ci
    assert ".ci/pip_audit.py" in ci and "ruff check --select DJ007" in ci
