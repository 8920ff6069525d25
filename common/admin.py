"""The admin bulk runner: an action applies a service to each selected row and reports per row."""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

MAX_ERROR_MESSAGES = 10


def _reason(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def admin_run_each(modeladmin, request, rows: Iterable, action: Callable[[object], object], *, done: str,
                   label: Callable[[object], str] = str) -> int:
    """Call `action(row)` per row. A refusal (PermissionDenied, ValidationError, ValueError) is shown
    for that row and the others still run. Returns how many succeeded."""
    count, failed = 0, []
    for row in rows:
        try:
            action(row)
            count += 1
        except (PermissionDenied, ValidationError, ValueError) as exc:
            failed.append(f"{label(row)}: {_reason(exc)}")
    for text in failed[:MAX_ERROR_MESSAGES]:
        modeladmin.message_user(request, text, messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)
    return count
