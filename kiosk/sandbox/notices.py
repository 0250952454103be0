"""Operator notices (紧急通知, 节假日时间, 某项服务暂停): created in the console with an expiry; kiosks fetch
the ones in force with GET /v1/notices (signed) every few minutes, so no kiosk restart is needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from kiosk.sandbox.help_store import HelpStore


def notice_answer(row: dict) -> dict:
    return {"id": row["id"], "level": row["level"], "title": row["title"], "body": row["body"],
            "starts_at": row["starts_at"], "expires_at": row["expires_at"]}


def notices_router(help_store: HelpStore) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["help"])

    @router.get("/notices")
    def current_notices(x_kiosk_device: Annotated[str, Header()] = "unknown") -> dict:
        return {"notices": [notice_answer(row) for row in help_store.current_notices(x_kiosk_device)],
                "checked_at": help_store.clock()}

    return router
