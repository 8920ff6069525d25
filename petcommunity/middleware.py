"""Request ids on every log line, and a clean 503 when the database is unreachable."""

import logging
import sys
import uuid
from contextvars import ContextVar

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
logger = logging.getLogger("petcommunity.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Takes X-Request-ID from the proxy when it is sane, else makes one; echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex[:16]
        token = _request_id.set(rid)
        request.request_id = rid
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            return response
        finally:
            _request_id.reset(token)


def is_database_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
    )


def _unavailable(request) -> HttpResponse:
    # A standalone template (no base.html, no context processors): rendering it needs no database.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    return response


def server_error(request, template_name: str = "500.html"):
    """handler500. Errors raised in middleware (loading the session or the member, before any view)
    never reach ServiceUnavailableMiddleware: a lost database there is an outage too, so 503."""
    if is_database_outage(sys.exc_info()[1]):
        logger.error("database unavailable: %s", sys.exc_info()[1])
        return _unavailable(request)
    return defaults.server_error(request, template_name)


class ServiceUnavailableMiddleware:
    """A lost database is an outage, not a bug: answer a plain 503 page instead of a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logger.error("database unavailable: %s", exception)
            return _unavailable(request)
        return None


class NullCharacterMiddleware:
    """Drop NUL characters from query strings: PostgreSQL text cannot hold them, so a search for "\\x00"
    would fail in the database (a 500). Forms already refuse NUL in POSTed fields with a message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.GET.urlencode() or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = request.GET.copy()
            for key in list(cleaned):
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in cleaned.pop(key)])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
