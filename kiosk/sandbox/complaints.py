"""Complaints and "办不成事" reports, recorded and numbered (TS + date + sequence), status by number.

    POST /v1/complaints             signed, Idempotency-Key -> 201 {"number", "status", "recorded_at"}
    GET  /v1/complaints/{number}    signed -> {"number", "kind", "category", "status", "history"}

The callback phone (optional, the verified citizen's own) is kept for the staff who call back; no answer and
no console page ever shows it. The status answer names no person, so the number alone is enough to ask.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.sandbox.help_store import Conflict, HelpStore

STATUS_WORDS = {"recorded": "已登记", "handling": "办理中", "answered": "已答复", "closed": "已办结"}


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["complaint", "cannot_do"]  # 投诉 / 办不成事
    category: Annotated[str, Field(min_length=1, max_length=40)]  # what went wrong, from the kiosk's list
    item_code: Annotated[str, Field(max_length=40)] = ""
    details: Annotated[str, Field(max_length=200)] = ""
    callback: bool = False
    callback_phone: Annotated[str, Field(pattern=r"^(1[3-9][0-9]{9})?$")] = ""

    @model_validator(mode="after")
    def _phone_for_callback(self) -> ComplaintIn:
        if self.callback and not self.callback_phone:
            raise ValueError("callback needs the verified callback_phone")
        return self


def complaints_router(help_store: HelpStore) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["help"])

    @router.post("/complaints", status_code=201)
    def record_complaint(
        body: ComplaintIn,
        idempotency_key: Annotated[str | None, Header()] = None,
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        assert idempotency_key  # the idempotency middleware refused a missing or malformed key (400)
        try:
            stored = help_store.add_complaint(idempotency_key, x_kiosk_device, body.model_dump())
        except Conflict:
            raise HTTPException(422, "Idempotency-Key was already used with a different body") from None
        row = stored.row
        answer = {"number": row["number"], "status": row["status"], "recorded_at": row["created_at"]}
        return JSONResponse(answer, status_code=201 if stored.created else 200)

    @router.get("/complaints/{number}")
    def complaint_status(number: str) -> dict:
        row = help_store.complaint(number)
        if row is None:
            raise HTTPException(404, f"no complaint with number {number}")
        return {
            "number": row["number"], "kind": row["kind"], "category": row["category"],
            "item_code": row["item_code"], "status": row["status"],
            "status_text": STATUS_WORDS.get(row["status"], row["status"]),
            "history": [{"at": h["at"], "status": h["status"], "note": h["note"]} for h in row["history"]],
        }

    return router
