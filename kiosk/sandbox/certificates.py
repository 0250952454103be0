"""Electronic certificates (电子证照): what the platform holds for the verified person, used as an application's
material with one tap, or printed as a certified copy carrying the platform's verification code.

    POST /v1/certificates/mine      proof   {id_number} -> the person's certificates (numbers masked)
    POST /v1/certificates/copy      proof   {id_number, certificate_id} -> a certified copy with its
                                            verification code (核验码) and the public check link

An application names the certificates it uses (``certificates: [{material, certificate_id}]``); the intake
checks each belongs to the applicant and stands in for that material (``check_certificate_uses``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from kiosk.masking import mask_id_number
from kiosk.sandbox.identity import ID_PATTERN, NEEDS_PROOF, require_proof
from kiosk.sandbox.problems import ProblemError
from kiosk.sandbox.store import DATA_DIR

VERIFY_LINK = "https://zz.sandbox.gov-kiosk.example/v1/verify/"  # the public page a clerk checks a copy on


class MineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class CopyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]
    certificate_id: Annotated[str, Field(pattern=r"^EC-[A-Z]{2}-[0-9]{4}$")]


@cache
def _all() -> tuple[dict, ...]:
    return tuple(json.loads((DATA_DIR / "certificates.json").read_text(encoding="utf-8"))["certificates"])


def certificates_of(id_number: str) -> list[dict]:
    return [c for c in _all() if c["id_number"] == id_number]


def public(certificate: dict) -> dict:
    """What the kiosk may show: the number masked (an ID number as on every screen, others by their tail)."""
    number = certificate["number"]
    masked = mask_id_number(number) if len(number) == 18 and number[:17].isdigit() else "*" * (len(number) - 4) + number[-4:]
    return {"id": certificate["id"], "kind": certificate["kind"], "title": certificate["title"], "number": masked,
            "issuer": certificate["issuer"], "issued_on": certificate["issued_on"],
            "valid_until": certificate["valid_until"], "materials": certificate["materials"]}


def check_certificate_uses(applicant_id_number: str, uses: list[dict] | None) -> None:
    """The intake's check of ``certificates`` in an application body: each is the applicant's own and stands
    in for the material it is used for."""
    own = {c["id"]: c for c in certificates_of(applicant_id_number)}
    for index, use in enumerate(uses or []):
        certificate = own.get(use.get("certificate_id", ""))
        if certificate is None:
            raise ProblemError(422, f"certificates.{index}: not a certificate of the applicant; list them with "
                               "POST /v1/certificates/mine", kind="certificate-not-owned",
                               field=f"certificates.{index}.certificate_id")
        if use.get("material") not in certificate["materials"]:
            raise ProblemError(422, f"certificates.{index}: {certificate['title']} does not stand in for "
                               f"{use.get('material')!r}", kind="certificate-wrong-material",
                               field=f"certificates.{index}.material")


def certificates_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["certificates"])

    @router.post("/certificates/mine", **NEEDS_PROOF)
    def mine(body: MineIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="the person's electronic certificates")
        return {"certificates": [public(c) for c in certificates_of(body.id_number)]}

    @router.post("/certificates/copy", **NEEDS_PROOF)
    def copy(body: CopyIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="a certified copy")
        certificate = next((c for c in certificates_of(body.id_number) if c["id"] == body.certificate_id), None)
        if certificate is None:
            raise ProblemError(404, f"the person has no certificate {body.certificate_id}", kind="not-found")
        issued = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        code = hashlib.sha256(f"{certificate['id']}|{issued}".encode()).hexdigest()[:16].upper()
        rows = [["证照名称", certificate["title"]], ["证照编号", public(certificate)["number"]],
                ["发证机关", certificate["issuer"]], ["发证日期", certificate["issued_on"]],
                ["有效期至", certificate["valid_until"] or "长期"]]
        return {"title": f"{certificate['title']}（电子证照核验件）", "rows": rows, "verification_code": code,
                "verify_url": VERIFY_LINK + code, "issued_at": issued}

    return router
