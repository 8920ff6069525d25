"""One error shape for the whole API: RFC 9457 problem details (application/problem+json).

`{"type", "title", "status", "detail"}` always; `errors: [{"field", "message"}]` when input was refused
field by field. A 404 always says the same words, so "may not know it exists" and "does not exist" are
byte-identical, as on the pages.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from microgroups.services.membership import PodFull
from moderation.services.queue import ClaimConflict
from petcommunity.ratelimit import RateLimited

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          409: "Conflict", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error"}


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def problem(status: int, detail: str, *, errors: list[dict] | None = None, headers: dict | None = None):
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=PROBLEM_TYPE, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": "" if name == "__all__" else name, "message": str(message)}
                for name, messages in exc.message_dict.items() for message in messages]
    return [{"field": "", "message": message} for message in exc.messages]


def _request_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", <parameter>, field…) for JSON bodies, ("query" | "path", field) for the rest
        loc = loc[2:] if loc[:1] == ["body"] and len(loc) > 2 else loc[1:]
        out.append({"field": ".".join(loc), "message": str(error.get("msg", "Invalid value."))})
    return out


def install(api) -> None:
    """Every exception the services raise, answered in the one shape."""
    api.add_exception_handler(Http404, lambda request, exc: problem(404, "Not found."))
    api.add_exception_handler(PermissionDenied, lambda request, exc: problem(403, str(exc) or "Not allowed."))
    api.add_exception_handler(ValidationError, lambda request, exc: problem(
        400, "The request was refused: see errors.", errors=_field_errors(exc)))
    api.add_exception_handler(RequestValidationError, lambda request, exc: problem(
        400, "The request does not match the schema: see errors.", errors=_request_errors(exc)))
    api.add_exception_handler(AuthenticationError, lambda request, exc: problem(
        401, "Send a personal access token (Authorization: Bearer …) or a session cookie.",
        headers={"WWW-Authenticate": 'Bearer realm="api"'}))
    api.add_exception_handler(HttpError, lambda request, exc: problem(exc.status_code, str(exc)))
    api.add_exception_handler(PodFull, lambda request, exc: problem(
        409, "The pod filled up: join its waitlist instead."))
    api.add_exception_handler(ClaimConflict, lambda request, exc: problem(409, str(exc)))
    api.add_exception_handler(RateLimited, lambda request, exc: problem(
        429, f"Too many requests: try again in {exc.retry_after} seconds.",
        headers={"Retry-After": str(exc.retry_after)}))
