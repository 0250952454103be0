"""The sandbox platform's HTTP API (FastAPI): the /v1 contract, published as OpenAPI at /openapi.json."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kiosk.catalog import load_catalog_file
from kiosk.sandbox.identity import identity_router
from kiosk.sandbox.store import DATA_DIR, IdempotencyConflict, SandboxStore

API_VERSION = "v1"


class Applicant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9X]$")]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: Annotated[str, Field(pattern=r"^(1[3-9][0-9]{9})?$")] = ""


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: str
    applicant: Applicant
    form: dict[str, str] = {}
    materials_present: list[str] = []
    channel: Literal["kiosk"] = "kiosk"


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
        try:
            item = catalog.item(application.item_code)
        except KeyError:
            raise HTTPException(422, f"unknown item code {application.item_code}") from None
        try:
            answer = store.submit_application(
                key, application.model_dump(), x_kiosk_device, item.guide.promised_limit_days
            )
        except IdempotencyConflict:
            raise HTTPException(422, "Idempotency-Key was already used with a different body") from None
        return JSONResponse(answer.body, status_code=answer.status_code)

    @app.get(f"/{API_VERSION}/applications/{{receipt_number}}")
    def progress(receipt_number: str) -> dict:
        record = store.application(receipt_number)
        if record is None:
            raise HTTPException(404, f"no application with receipt number {receipt_number}")
        return {
            "receipt_number": record["receipt_number"],
            "item_code": record["item_code"],
            "status": record["status"],
            "history": [{"at": h["at"], "status": h["status"], "note": h["note"]} for h in record["history"]],
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
