"""Keyset pagination cursors: an opaque, URL-safe token for the (sort value, id) of a page's last row."""

import base64
import json
from collections.abc import Callable
from typing import Any


def cursor_encode(value: Any, pk: int) -> str:
    """Dates go in as ISO strings; the caller's `parse` turns them back (e.g. datetime.fromisoformat)."""
    raw = json.dumps([value.isoformat() if hasattr(value, "isoformat") else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str | None, parse: Callable[[Any], Any] = str) -> tuple[Any, int] | None:
    """(value, pk) or None. A malformed or tampered cursor means the first page, never an error."""
    if not cursor:
        return None
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return parse(value), int(pk)
    except (ValueError, TypeError):  # covers bad base64, bad UTF-8, bad JSON and the wrong shape
        return None
