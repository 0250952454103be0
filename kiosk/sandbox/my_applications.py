"""我的办件: the verified person's applications from every channel and kiosk, their states, and which
results are ready for pickup, without the receipt.

    POST /v1/applications/mine   proof   {id_number} -> {"applications": [...]}, newest first

Each row carries only what the person's own screen shows: receipt number, item, state, when, where it was
made, the chosen delivery and whether a fee is still open. A bundle's member rows are left out (the bundle
row stands for them).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from kiosk.sandbox.identity import ID_PATTERN, NEEDS_PROOF, require_proof
from kiosk.sandbox.judge import READY_STATUSES
from kiosk.sandbox.store import SandboxStore


class MineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


def applications_of(store: SandboxStore, id_number: str) -> list[dict]:
    rows = store.db.execute(
        "SELECT receipt_number, item_code, status, created_at, device_id, body, result FROM applications "
        "WHERE applicant_id_number = ? AND coalesce(bundle_receipt, '') = '' ORDER BY created_at DESC",
        [id_number]).fetchall()
    paid = set()
    if "payments" in store.db.table_names():
        paid = {r[0] for r in store.db.execute("SELECT reference FROM payments WHERE status = 'paid'").fetchall()}
    answer = []
    for receipt, item_code, status, created_at, device_id, body, result in rows:
        delivery = (json.loads(body or "{}").get("delivery") or {}).get("method", "")
        answer.append({"receipt_number": receipt, "item_code": item_code, "status": status, "created_at": created_at,
                       "channel": "kiosk" if device_id and device_id != "web" else "online", "device_id": device_id,
                       "ready_for_pickup": status in READY_STATUSES and bool(result), "delivery": delivery,
                       "paid": receipt in paid})
    return answer


def my_applications_router(store: SandboxStore) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["applications"])

    @router.post("/applications/mine", **NEEDS_PROOF)
    def mine(body: MineIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="the person's applications")
        return {"applications": applications_of(store, body.id_number)}

    return router
