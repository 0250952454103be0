"""The sandbox platform's HTTP API (FastAPI): the /v1 contract, published as OpenAPI at /openapi.json."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kiosk.catalog import load_catalog_file
from kiosk.rules.pickup import READY_STATUSES
from kiosk.sandbox.chaos import ChaosSettings, install_chaos
from kiosk.sandbox.identity import identity_router
from kiosk.sandbox.security import install_security, single_secret
from kiosk.sandbox.services import IntakeRefused, plan_intake, services_router
from kiosk.sandbox.store import DATA_DIR, IdempotencyConflict, SandboxStore
from kiosk.sandbox.uploads import uploads_router

API_VERSION = "v1"
DEMO_DEVICE_SECRET = "demo-device-secret-change-me"  # the demo config's [platform] device_secret


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$")]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: Annotated[str, Field(pattern=r"^(1[3-9][0-9]{9})?$")] = ""


class CommitmentIn(BaseModel):
    """Accepted on a commitment: 容缺 (waiver: listed waivable materials missing) or 告知承诺 (pledge)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["waiver", "pledge"]
    missing: list[str] = []  # as the kiosk saw it; the platform re-checks with the same rule
    supply_by: dt.date | None = None


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: str  # a bundle's code submits every member at once
    applicant: Applicant
    form: dict[str, str] = {}
    materials_present: list[str] = []
    channel: Literal["kiosk"] = "kiosk"
    commitment: CommitmentIn | None = None


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: str
    receipt_number: str | None = None
    level: Annotated[int, Field(ge=1, le=5)]  # 5 非常满意 … 1 非常不满意
    reasons: list[str] = []
    callback: bool = False


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
    app.include_router(identity_router(store))
    # Every kiosk request is signed (HMAC, kiosk/signing.py); the chaos layer misbehaves only when told to.
    install_security(app, single_secret(DEMO_DEVICE_SECRET))
    install_chaos(app, ChaosSettings())
    app.include_router(uploads_router(store))
    app.include_router(services_router(store, catalog))

    def require_key(key: str | None) -> str:
        if not key:
            raise HTTPException(400, "Idempotency-Key header is required")
        if len(key) > 64:
            raise HTTPException(400, "Idempotency-Key is longer than 64 characters")
        return key

    @app.get(f"/{API_VERSION}/health")
    def health() -> dict:
        return {"status": "ok", "catalog_version": catalog.version}

    @app.get(f"/{API_VERSION}/catalog")
    def get_catalog(if_none_match: Annotated[str | None, Header()] = None) -> Response:
        headers = {"ETag": catalog_etag, "Cache-Control": "no-cache"}
        if if_none_match == catalog_etag:
            return Response(status_code=304, headers=headers)
        return Response(content=catalog_json, media_type="application/json", headers=headers)

    @app.post(f"/{API_VERSION}/applications", status_code=201)
    def submit_application(
        application: ApplicationIn,
        idempotency_key: Annotated[str | None, Header()] = None,
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        key = require_key(idempotency_key)
        # Without a commitment the body is dumped as before, so the digest of an older kiosk's body is unchanged.
        body = application.model_dump(mode="json", exclude_none=application.commitment is None)
        try:
            intake = plan_intake(catalog, store, body)
        except IntakeRefused as refused:
            raise HTTPException(422, refused.detail) from None
        try:
            answer = store.submit_application(key, body, x_kiosk_device, intake.promised_days, intake.members,
                                              intake.acceptance, intake.commitment)
        except IdempotencyConflict:
            raise HTTPException(422, "Idempotency-Key was already used with a different body") from None
        return JSONResponse(answer.body, status_code=answer.status_code)

    @app.get(f"/{API_VERSION}/applications/{{receipt_number}}")
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

    @app.post(f"/{API_VERSION}/ratings", status_code=201)
    def rate(
        rating: RatingIn,
        idempotency_key: Annotated[str | None, Header()] = None,
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        key = require_key(idempotency_key)
        answer = store.add_rating(key, rating.model_dump(), x_kiosk_device)
        return JSONResponse(answer.body, status_code=answer.status_code)

    @app.post(f"/{API_VERSION}/devices/{{device_id}}/heartbeat", status_code=204)
    async def heartbeat(device_id: str, request: Request) -> Response:
        store.record_heartbeat(device_id, await request.json())
        return Response(status_code=204)

    return app
