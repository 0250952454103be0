"""Sandbox: verifying identity QR tokens (电子身份证, 电子社保卡, the provincial app's code).

Only the platform can tell whether such a token is genuine and current; the kiosk sends the token and gets
back the person it belongs to. The sandbox knows a few demo tokens (data/identity_tokens.json).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from kiosk.sandbox.store import DATA_DIR, SandboxStore

TokenKind = Literal["eid", "social_card", "province_app"]


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: TokenKind
    token: Annotated[str, Field(min_length=43, max_length=1024, pattern=r"^[A-Za-z0-9_-]+$")]


class VerifiedPerson(BaseModel):
    id_number: str
    name: str
    phone: str


def identity_router(store: SandboxStore) -> APIRouter:
    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    # The QR payload is PREFIX:TOKEN; the kiosk sends the kind and the bare token.
    known = {(t["kind"], t["payload"].rsplit(":", 1)[1]): t["id_number"] for t in tokens}
    router = APIRouter()

    @router.post("/v1/identity/verify")
    def verify(request: VerifyIn) -> VerifiedPerson:
        id_number = known.get((request.kind, request.token))
        citizen = store.citizen(id_number) if id_number else None
        if citizen is None:
            raise HTTPException(404, "the code is unknown or has expired; refresh it in the app and show it again")
        return VerifiedPerson(id_number=citizen["id_number"], name=citizen["name"], phone=citizen["phone"])

    return router
