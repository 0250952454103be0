"""Assist requests (呼叫工作人员): a kiosk asks for a person; staff accept it in the console; the kiosk polls.

    POST /v1/assist            signed, Idempotency-Key; {"screen", "reason"} -> 201 (200 for a repeat)
                               {"number", "status", "staffed", "duty_phone", "service_point_name", "created_at"}
    GET  /v1/assist/{number}   signed, only by the kiosk that asked -> {"number", "status", "accepted_at", ...}

The body carries the screen name and why help was asked (button / stuck), never anything about the person.
"staffed" is the platform's answer from the service point's hours: outside them nobody will come, and the
kiosk says so and shows the duty phone instead of a false "马上就到".
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kiosk.sandbox.help_store import Conflict, HelpStore


class AssistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    screen: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_.-]+$")]  # a screen name
    reason: Literal["button", "stuck_errors", "stuck_idle"] = "button"


def assist_answer(row: dict, help_store: HelpStore) -> dict:
    point = help_store.point_of(row["device_id"])
    return {
        "number": row["number"], "status": row["status"], "staffed": bool(row["staffed"]),
        "duty_phone": point.duty_phone, "service_point_name": point.service_point_name,
        "created_at": row["created_at"], "accepted_at": row["accepted_at"], "closed_at": row["closed_at"],
    }


def assist_router(help_store: HelpStore) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["help"])

    @router.post("/assist", status_code=201)
    def request_assist(
        body: AssistIn,
        idempotency_key: Annotated[str | None, Header()] = None,
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        assert idempotency_key  # the idempotency middleware refused a missing or malformed key (400)
        try:
            stored = help_store.add_assist(idempotency_key, x_kiosk_device, body.screen, body.reason)
        except Conflict:
            raise HTTPException(422, "Idempotency-Key was already used with a different body") from None
        return JSONResponse(assist_answer(stored.row, help_store), status_code=201 if stored.created else 200)

    @router.get("/assist/{number}")
    def assist_status(number: str, x_kiosk_device: Annotated[str, Header()] = "unknown") -> dict:
        row = help_store.assist(number)
        if row is None or row["device_id"] != x_kiosk_device:
            raise HTTPException(404, f"no assist request {number} from device {x_kiosk_device}")
        return assist_answer(row, help_store)

    return router
