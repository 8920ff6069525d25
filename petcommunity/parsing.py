"""Parsing ids out of query strings and forms, shared by every entry point.

`str.isdigit()` is not enough: it accepts "¹" (int() then raises) and other Unicode digits, and
"99999999999999999999" overflows a database integer. Either way a 500; here they are simply not ids.
"""

MAX_ID_DIGITS = 18  # below PostgreSQL's bigint range


def parse_id(raw) -> int | None:
    """A positive database id from untrusted text, or None."""
    raw = str(raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        return int(raw)
    return None
