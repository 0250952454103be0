"""/openapi.json as the server behaves: what the middleware layers enforce is written into every operation.

FastAPI describes each route from its signature; the rules that live in middleware (request signing, the
Idempotency-Key on every POST, the body limits, problem bodies for every error) would otherwise be missing
from the published contract. ``contract_openapi(app)`` returns the app's ``openapi()`` that adds them:

- every /v1 operation but /v1/health: the signing headers as a security scheme, and 401;
- every POST under /v1: the ``Idempotency-Key`` header, required (1 to 64 visible ASCII characters), 400
  (missing), 409 (still in progress) and 422 (reused with another body);
- every operation with a body: ``x-max-body-bytes`` (its limit) and 413;
- every error answer is ``application/problem+json`` with the ``Problem`` schema (FastAPI's own 422 schema,
  which echoes the input, is replaced); "4XX" covers refusals a route does not list one by one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.openapi.utils import get_openapi

from kiosk.sandbox.problems import MEDIA_TYPE, TITLES, Problem
from kiosk.sandbox.security import OPEN_PATHS, BodyLimits
from kiosk.signing import DEVICE_HEADER, DIGEST_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": True,
    "description": "A new UUID per request, the same one on every retry of it. Same key + same body: the first "
                   "answer again; same key + another body: 422; while the first is still running: 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[!-~]{1,64}$"},
}
SIGNING = ("HMAC-SHA256 request signature (kiosk/signing.py): headers " + ", ".join(
    (DEVICE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, DIGEST_HEADER, SIGNATURE_HEADER)) + " on every request.")


def _problem(status: int | str) -> dict[str, Any]:
    title = TITLES.get(status, "Refused") if isinstance(status, int) else "Refused"
    return {"description": f"{title} (problem details, RFC 9457)", "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}}}


def contract_openapi(app: Any) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        limits: BodyLimits | None = getattr(app.state, "body_limits", None)
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema()
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        components.setdefault("securitySchemes", {})["KioskSignature"] = {
            "type": "apiKey", "in": "header", "name": SIGNATURE_HEADER, "description": SIGNING}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _amend(path, method.upper(), operation, limits)
        app.openapi_schema = schema
        return schema

    return openapi


def _amend(path: str, method: str, operation: dict[str, Any], limits: BodyLimits | None) -> None:
    responses = operation.setdefault("responses", {})
    for status, answer in list(responses.items()):
        if str(status).startswith(("4", "5")):
            responses[status] = {**answer, "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}}}
    wanted: list[int | str] = [413, 422, "4XX"]
    if path.startswith("/v1/") and path not in OPEN_PATHS:
        operation["security"] = [{"KioskSignature": []}]
        wanted.append(401)
    if method == "POST" and path.startswith("/v1/"):
        parameters = operation.setdefault("parameters", [])
        parameters[:] = [p for p in parameters if p.get("name", "").lower() != "idempotency-key"]
        parameters.append(IDEMPOTENCY_PARAMETER)
        wanted += [400, 409]
    if limits is not None:
        operation["x-max-body-bytes"] = limits.limit_for(method, _sample_path(path))
    for status in wanted:
        responses.setdefault(str(status), _problem(status))


def _sample_path(template: str) -> str:
    """A concrete path for a template (/v1/devices/{device_id}/heartbeat -> /v1/devices/x/heartbeat), so the
    limit rules (regexes over real paths) can be looked up for the published contract."""
    parts = ["x" if part.startswith("{") and part.endswith("}") else part for part in template.split("/")]
    return "/".join(parts)
