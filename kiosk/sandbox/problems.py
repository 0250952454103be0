"""Problem details (RFC 9457) for every error the sandbox answers: one JSON shape a kiosk can rely on.

    {"type": "https://kiosk.example/problems/invalid-field", "title": "A field is not valid", "status": 422,
     "detail": "form.phone: a mobile (13812345678) or a landline with its area code (0371-65551234)",
     "field": "form.phone"}

``field`` names the offending field as a dotted path in the request body (``applicant.phone``,
``form.amount``) or a header (``header.Idempotency-Key``), so a kiosk that queued an application can tell its
technician which field the platform refused. ``detail`` never quotes a submitted value (it may be an ID number
or a phone) and is passed through the one redactor (kiosk.redaction) as a safety net; FastAPI's default 422,
which echoes the input, is replaced.

Other modules raise ``HTTPException(status, detail)`` as before (it becomes a problem with a generic type) or
``ProblemError`` to set the type, the field and extra members (e.g. ``required_level``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.redaction import redact

PROBLEM_BASE = "https://kiosk.example/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request", 401: "Not signed", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    409: "Conflict", 413: "Request body too large", 415: "Unsupported media type", 422: "A field is not valid",
    429: "Too many requests", 500: "Platform error", 503: "Platform unavailable",
}
TYPES = {400: "bad-request", 401: "unsigned", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
         409: "conflict", 413: "too-large", 415: "unsupported-media-type", 422: "invalid-field",
         429: "throttled", 500: "server-error", 503: "unavailable"}


class Problem(BaseModel):
    """The OpenAPI schema of every error answer (extra members allowed: ``field``, ``reason``, …)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None


class ProblemError(Exception):
    """Raise in an endpoint for a problem with its own type, field or extra members."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, field: str | None = None,
                 title: str | None = None, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.field = field
        self.title = title
        self.headers = headers
        self.extra = extra


def problem_document(status: int, detail: str, *, kind: str | None = None, field: str | None = None,
                     title: str | None = None, **extra: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": PROBLEM_BASE + (kind or TYPES.get(status, "error")),
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": redact(detail),
    }
    if field:
        document["field"] = field
    document.update(extra)
    return document


def problem_response(status: int, detail: str, *, headers: dict[str, str] | None = None, **members: Any) -> JSONResponse:
    return JSONResponse(problem_document(status, detail, **members), status_code=status, media_type=MEDIA_TYPE,
                        headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's ``responses=``: these statuses answer a Problem (so /openapi.json says so)."""
    return {status: {"model": Problem, "description": TITLES.get(status, "Error"),
                     "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] == "header" and len(parts) > 1:
        return "header." + "-".join(word.capitalize() for word in parts[1].split("_"))
    if parts and parts[0] in ("body", "query", "path"):
        parts = parts[1:] if parts[0] == "body" else parts
    return ".".join(parts) or "body"


def _validation_detail(error: dict[str, Any]) -> str:
    # pydantic's message without the input (ctx may hold the pattern: that is the contract, fine to show).
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return message


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        first = errors[0] if errors else {"loc": ("body",), "msg": "invalid body"}
        field = _field_path(first.get("loc", ("body",)))
        problems = [{"field": _field_path(e.get("loc", ())), "detail": redact(_validation_detail(e))}
                    for e in errors[:20]]
        detail = "; ".join(f"{p['field']}: {p['detail']}" for p in problems[:5])
        if first.get("type") == "json_invalid":
            detail = "the body is not valid JSON; send one JSON object"
        status = 400 if field.startswith("header.") and first.get("type") == "missing" else 422
        return problem_response(status, detail, field=field, errors=problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else str(error.detail)
        return problem_response(error.status_code, detail, headers=getattr(error, "headers", None))

    @app.exception_handler(ProblemError)
    async def raised_problem(_request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error.status, error.detail, kind=error.kind, field=error.field, title=error.title,
                                headers=error.headers, **error.extra)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        # Only the type: the message may quote a body. Starlette logs the traceback for the operator.
        return problem_response(500, f"the platform failed on this request ({type(error).__name__}); "
                                "report it to the platform team", kind="server-error")

    _ = HTTPException  # FastAPI's HTTPException is a Starlette one: the handler above covers both
