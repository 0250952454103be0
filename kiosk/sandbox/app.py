"""The sandbox platform's HTTP API (FastAPI): the /v1 contract, published as OpenAPI at /openapi.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from kiosk.catalog import Catalog, FormField, load_catalog_file
from kiosk.fieldtypes import FieldError, validate_field
from kiosk.sandbox.assist import assist_router
from kiosk.sandbox.chaos import ChaosSettings, install_chaos
from kiosk.sandbox.complaints import complaints_router
from kiosk.sandbox.console import install_console
from kiosk.sandbox.contract import ApplicationIn, HeartbeatIn, RatingIn
from kiosk.sandbox.fleet import fleet_router
from kiosk.sandbox.help_store import HelpStore
from kiosk.sandbox.idempotency import install_idempotency
from kiosk.sandbox.identity import install_identity, require_proof
from kiosk.sandbox.judge import READY_STATUSES
from kiosk.sandbox.notices import notices_router
from kiosk.sandbox.openapi_contract import contract_openapi
from kiosk.sandbox.problems import ProblemError, install_problem_handlers, problem_responses
from kiosk.sandbox.samples import samples_router
from kiosk.sandbox.security import install_body_limits, install_security, single_secret
from kiosk.sandbox.service_choices import check_service_choices, service_routers
from kiosk.sandbox.services import IntakeRefused, plan_intake, services_router
from kiosk.sandbox.store import DATA_DIR, IdempotencyConflict, SandboxStore
from kiosk.sandbox.uploads import uploads_router

API_VERSION = "v1"
DEMO_DEVICE_SECRET = "demo-device-secret-change-me"  # the demo config's [platform] device_secret


def create_app(db_path: Path | str, catalog_path: Path | None = None) -> FastAPI:
    store = SandboxStore(db_path)
    catalog = load_catalog_file(catalog_path or DATA_DIR / "catalog.json")
    catalog_json = catalog.model_dump_json().encode()
    catalog_etag = '"' + hashlib.sha256(catalog_json).hexdigest()[:32] + '"'

    app = FastAPI(
        title="Provincial platform sandbox",
        version="1.0.0",
        description="Reference implementation of the kiosk ↔ platform contract (/v1) with demo data.",
    )
    app.state.store = store
    install_problem_handlers(app)  # every error is an RFC 9457 problem body (kiosk/sandbox/problems.py)
    install_identity(app, store)  # verification proofs: kiosk/sandbox/identity.py
    # Middleware, innermost first: Idempotency-Key on every POST; the signature check (HMAC, kiosk/signing.py);
    # the chaos layer (misbehaves only when told to); the body limits outermost, before anything reads a body.
    install_idempotency(app)
    install_security(app, single_secret(DEMO_DEVICE_SECRET))
    install_chaos(app, ChaosSettings())
    install_body_limits(app)
    app.include_router(uploads_router(store))
    app.include_router(samples_router())  # 材料样本 pictures (issue #17)
    app.include_router(services_router(store, catalog))
    help_store = app.state.help = HelpStore.beside(store)  # help, complaints, notices, fleet (issue #15)
    app.include_router(assist_router(help_store))
    app.include_router(complaints_router(help_store))
    app.include_router(notices_router(help_store))
    app.include_router(fleet_router(help_store))
    install_console(app, help_store)
    for router in service_routers(store, catalog):  # fees, appointments, 电子证照, 我的办件 (issue #17)
        app.include_router(router)

    def require_key(key: str | None) -> str:
        # The idempotency layer refuses a missing or malformed key before the endpoint runs; kept as a guard.
        if not key or len(key) > 64:
            raise ProblemError(400, "Idempotency-Key header (1 to 64 characters) is required",
                               field="header.Idempotency-Key")
        return key

    @app.get(f"/{API_VERSION}/health")
    def health() -> dict:
        return {"status": "ok", "catalog_version": catalog.version}

    # The published schema is the kiosk's own model: items in Chinese, with optional texts in other languages
    # under each item's "i18n" ({"en": {"name", "department", "service_object", "result", "conditions",
    # "process", "materials", "legal_basis", "review_standard", "inquiry_channels", "remedy", "fee_basis",
    # "material_samples"}}); an item without them is shown in Chinese (issues #13, #17).
    @app.get(f"/{API_VERSION}/catalog", responses={
        200: {"model": Catalog, "description": "the catalog, both languages; ETag for If-None-Match"},
        304: {"description": "unchanged since the ETag sent in If-None-Match"}})
    def get_catalog(if_none_match: Annotated[str | None, Header()] = None) -> Response:
        headers = {"ETag": catalog_etag, "Cache-Control": "no-cache"}
        if if_none_match == catalog_etag:
            return Response(status_code=304, headers=headers)
        return Response(content=catalog_json, media_type="application/json", headers=headers)

    @app.post(f"/{API_VERSION}/applications", status_code=201, responses=problem_responses(403, 413, 422))
    def submit_application(
        application: ApplicationIn,
        request: Request,
        idempotency_key: Annotated[str, Header(min_length=1, max_length=64)],
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        key = require_key(idempotency_key)
        # Deferred: an application may wait in a kiosk's outbox after its proof's minutes (identity.py).
        require_proof(request, application.applicant.id_number, what="an application", deferred=True)
        # Without a commitment the body is dumped as before, so the digest of an older kiosk's body is unchanged.
        body = application.model_dump(mode="json", exclude_none=application.commitment is None)
        body["form"] = check_form(catalog, application.item_code, application.form)
        check_service_choices(catalog, body)  # delivery and electronic certificates (issue #17)
        try:
            intake = plan_intake(catalog, store, body)
        except IntakeRefused as refused:
            raise ProblemError(422, refused.detail, kind="intake-refused") from None
        try:
            answer = store.submit_application(key, body, x_kiosk_device, intake.promised_days, intake.members,
                                              intake.acceptance, intake.commitment)
        except IdempotencyConflict:
            raise ProblemError(422, "Idempotency-Key was already used with a different body",
                               kind="idempotency-key-reused", field="header.Idempotency-Key") from None
        return JSONResponse(answer.body, status_code=answer.status_code)

    @app.get(f"/{API_VERSION}/applications/{{receipt_number}}", responses=problem_responses(404))
    def progress(receipt_number: str) -> dict:
        record = store.application(receipt_number)
        if record is None:
            raise HTTPException(404, f"no application with receipt number {receipt_number}")
        members = [{"item_code": m["item_code"], "receipt_number": m["receipt_number"],
                    "promised_limit_days": json.loads(m["response"]).get("promised_limit_days", 0)}
                   for m in store.members_of(receipt_number)]
        return {
            "receipt_number": record["receipt_number"],
            "item_code": record["item_code"],
            "status": record["status"],
            "history": [{"at": h["at"], "status": h["status"], "note": h["note"]} for h in record["history"]],
            "ready_for_pickup": record["status"] in READY_STATUSES and bool(record.get("result")),
            "bundle_receipt": record.get("bundle_receipt") or "",
            "members": members,
        }

    @app.post(f"/{API_VERSION}/ratings", status_code=201, responses=problem_responses(413, 422))
    def rate(
        rating: RatingIn,
        idempotency_key: Annotated[str, Header(min_length=1, max_length=64)],
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        key = require_key(idempotency_key)
        try:
            answer = store.add_rating(key, rating.model_dump(), x_kiosk_device)
        except IdempotencyConflict:
            raise ProblemError(422, "Idempotency-Key was already used with a different rating",
                               kind="idempotency-key-reused", field="header.Idempotency-Key") from None
        return JSONResponse(answer.body, status_code=answer.status_code)

    @app.post(f"/{API_VERSION}/devices/{{device_id}}/heartbeat", status_code=204,
              responses=problem_responses(403, 413, 422))
    def heartbeat(
        device_id: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")],
        report: HeartbeatIn,
        request: Request,
        idempotency_key: Annotated[str, Header(min_length=1, max_length=64)],
    ) -> Response:
        # A device reports only for itself: the device id it signed with must be the path's (and the body's).
        signed_as = getattr(request.state, "device_id", None) or request.headers.get("X-Kiosk-Device", "")
        if signed_as != device_id or (report.device_id is not None and report.device_id != device_id):
            raise ProblemError(403, f"device {signed_as or '(none)'} may only report its own heartbeat, not "
                               f"{device_id}'s; check [kiosk] device_id in the kiosk's config",
                               kind="foreign-device", field="device_id")
        body = report.model_dump(mode="json", by_alias=True, exclude_unset=True)
        store.record_heartbeat(device_id, body)
        help_store.observe_heartbeat(device_id, body)  # the fleet console's row and events
        return Response(status_code=204)

    app.openapi = contract_openapi(app)  # type: ignore[method-assign]  # required headers, limits, problems
    return app


def item_fields(catalog: Catalog, item_code: str) -> dict[str, FormField]:
    """The fields an application for ``item_code`` may carry; a bundle's are its members', each key once."""
    try:
        item = catalog.item(item_code)
    except KeyError:
        raise ProblemError(422, f"unknown item code {item_code}; the catalog is at /v1/catalog",
                           field="item_code") from None
    fields = {f.key: f for f in item.fields}
    if item.kind == "bundle":
        for member in catalog.members(item):
            for member_field in member.fields:
                fields.setdefault(member_field.key, member_field)
    return fields


def check_form(catalog: Catalog, item_code: str, form: dict[str, str]) -> dict[str, str]:
    """The form checked with the shared contract (kiosk.fieldtypes), the same code the kiosk ran: values
    normalised; the first bad field refused with 422 and ``field: form.<key>`` (never the value itself).
    Every value sent is checked; a required field left out is not refused here (yet): older kiosks and the
    integration tests send partial forms, and the kiosk's own check_form already requires them."""
    fields = item_fields(catalog, item_code)
    for key in form:
        if key not in fields:
            raise ProblemError(422, f"form.{key}: item {item_code} has no such field (fields: "
                               f"{', '.join(fields) or 'none'})", field=f"form.{key}")
    checked: dict[str, str] = {}
    for key, value in form.items():
        form_field = fields[key]
        try:
            value = validate_field(form_field, value)
        except FieldError as error:
            raise ProblemError(422, f"form.{key} ({form_field.label}): {error.key}; expected "
                               f"{form_field.type}" + (f" matching {form_field.pattern}" if form_field.pattern else ""),
                               field=f"form.{key}", code=error.key) from None
        checked[key] = value
    return checked
