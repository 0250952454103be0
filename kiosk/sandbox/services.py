"""Sandbox endpoints for the citizen flows of issue #6: 告知承诺 eligibility and shared materials, query-and-
print items, collecting a result at the kiosk, and queue tickets. The platform applies the same rules as
the kiosk (kiosk.rules), so both accept the same thing to the same standard.

Details in error answers mask ID numbers: the kiosk logs them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.catalog import Catalog, CatalogItem
from kiosk.masking import mask_id_number
from kiosk.rules.bundles import effective_item
from kiosk.rules.commitment import ApplicantStanding, commitment_offer
from kiosk.rules.materials import check_materials
from kiosk.rules.pickup import check_pickup
from kiosk.sandbox.store import DATA_DIR, IdempotencyConflict, MemberPlan, SandboxStore

ID_PATTERN = r"^[0-9]{17}[0-9X]$"


class QueryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: str
    id_number: Annotated[str | None, Field(pattern=ID_PATTERN)] = None
    credit_code: Annotated[str | None, Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")] = None
    # "pickup": queued at a kiosk while offline; keep the result for self-service pickup by its applicant.
    deliver: Literal["now", "pickup"] = "now"

    @model_validator(mode="after")
    def _one_subject(self) -> QueryIn:
        if (self.id_number is None) == (self.credit_code is None):
            raise ValueError("give exactly one of id_number (a person) or credit_code (an enterprise)")
        return self


class PickupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(min_length=15, max_length=18)]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: Annotated[str, Field(min_length=2, max_length=40)]


class Eligibility(BaseModel):
    item_code: str
    commitment_allowed: bool  # the item lists 告知承诺
    commitment_offered: bool  # … and this applicant may use it
    reason: str  # offered | not_listed | bad_credit | false_commitment
    credit_ok: bool
    false_commitment: bool  # an earlier commitment of this applicant was found false
    shared_materials: list[str]  # the item's materials the platform fetches for this citizen


def stamp() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def verification_code(*parts: str) -> str:
    """A code a clerk types into the platform to check a printout is genuine, e.g. "K3QF-7X2M-P9TA"."""
    digest = base64.b32encode(hashlib.sha256("|".join(parts).encode()).digest()).decode()
    return f"{digest[0:4]}-{digest[4:8]}-{digest[8:12]}"


def services_router(store: SandboxStore, catalog: Catalog) -> APIRouter:
    answers = json.loads((DATA_DIR / "queries.json").read_text(encoding="utf-8"))
    departments = list(dict.fromkeys(item.department for item in catalog.items))
    router = APIRouter(prefix="/v1")

    def item_or_404(code: str) -> CatalogItem:
        try:
            return catalog.item(code)
        except KeyError:
            raise HTTPException(404, f"unknown item code {code}; the catalog is at /v1/catalog") from None

    @router.get("/citizens/{id_number}/eligibility")
    def eligibility(id_number: str, item_code: Annotated[str, Query(min_length=1)]) -> Eligibility:
        item = effective_item(catalog, item_or_404(item_code).code)
        citizen = store.citizen(id_number)
        if citizen is None:
            raise HTTPException(404, f"no citizen with ID number {mask_id_number(id_number)} is known to the platform")
        offer = commitment_offer(item, ApplicantStanding(citizen["credit_ok"], citizen["false_commitment"]))
        unshared = set(citizen["unshared"])
        shared = [m.name for m in item.guide.materials if m.shared and m.name not in unshared]
        return Eligibility(item_code=item.code, commitment_allowed=item.guide.commitment_allowed,
                           commitment_offered=offer.offered, reason=offer.reason, credit_ok=citizen["credit_ok"],
                           false_commitment=citizen["false_commitment"], shared_materials=shared)

    @router.post("/queries", status_code=201)
    def query(request: QueryIn, idempotency_key: Annotated[str | None, Header()] = None,
              x_kiosk_device: Annotated[str, Header()] = "unknown") -> JSONResponse:
        if not idempotency_key or len(idempotency_key) > 64:
            raise HTTPException(400, "Idempotency-Key header (at most 64 characters) is required")
        item = item_or_404(request.item_code)
        if item.kind != "query_print" or item.print_template is None:
            raise HTTPException(422, f"item {item.code} is {item.kind}, not a query-and-print item")
        subject_key = request.id_number or request.credit_code or ""
        if request.id_number:
            person = store.citizen(request.id_number)
            if person is None:
                raise HTTPException(404, f"no citizen with ID number {mask_id_number(request.id_number)} is known "
                                         "to the platform; check the number")
            subject_name = person["name"]
        else:
            enterprise = store.enterprise(subject_key)
            if enterprise is None:
                raise HTTPException(404, f"no enterprise with credit code {subject_key} is known to the platform; "
                                         "check the code on the business licence")
            subject_name = enterprise["name"]
        record = answers.get(item.code, {}).get(subject_key)
        if record is None:
            raise HTTPException(404, f"the platform holds no {item.name} record for this "
                                     f"{'person' if request.id_number else 'enterprise'}")
        title = item.print_template.title

        def make() -> dict:
            issued = stamp()
            answer = {"item_code": item.code, "title": title, "subject_name": subject_name, "rows": record["rows"],
                      "table_headers": record.get("table_headers", []), "table_rows": record.get("table_rows", []),
                      "note": record.get("note", ""), "issued_at": issued,
                      "verification_code": verification_code(item.code, subject_key, issued, idempotency_key)}
            if request.deliver == "pickup" and request.id_number:
                answer["receipt_number"] = store.add_ready_result_locked(
                    item.code, request.id_number, subject_name, idempotency_key,
                    {"title": title, "rows": record["rows"], "note": record.get("note", "")}, x_kiosk_device)
            return answer

        try:
            answer = store.idempotent("queries", idempotency_key, request.model_dump(mode="json"), make)
        except IdempotencyConflict:
            raise HTTPException(422, "Idempotency-Key was already used with a different body") from None
        return JSONResponse(answer.body, status_code=answer.status_code)

    @router.post("/applications/{receipt_number}/pickup")
    def pickup(receipt_number: str, request: PickupIn,
               x_kiosk_device: Annotated[str, Header()] = "unknown") -> dict:
        record = store.application(receipt_number)
        if record is None:
            raise HTTPException(404, f"no application with receipt number {receipt_number}")
        check = check_pickup(record["applicant_id_number"], request.id_number, record["status"])
        if check.reason == "not_ready":
            raise HTTPException(409, f"the result of {receipt_number} is not ready yet (status {record['status']}); "
                                     "check the progress later")
        if check.reason == "invalid_id":
            raise HTTPException(422, "the ID number presented is not a valid resident ID number")
        if not check.allowed:
            raise HTTPException(403, "the ID presented is not the applicant's: only the applicant may collect "
                                     "this result at the kiosk; an agent goes to the window with an authorisation")
        if not record.get("result"):
            raise HTTPException(409, f"the result of {receipt_number} is delivered "
                                     "another way and cannot be printed at the kiosk")
        result = json.loads(record["result"])
        picked_up_at = store.record_pickup(receipt_number, x_kiosk_device)
        # The document is dated when the result was issued, so a reprint after a paper jam is the same paper.
        issued = next((h["at"] for h in reversed(record["history"]) if h["status"] in ("ready", "approved")),
                      picked_up_at)
        document = {"item_code": record["item_code"], "title": result["title"], "rows": result["rows"],
                    "note": result.get("note", ""), "subject_name": record["applicant_name"],
                    "issued_at": issued, "verification_code": verification_code(receipt_number, result["title"])}
        return {"receipt_number": receipt_number, "picked_up_at": picked_up_at, "document": document}

    @router.post("/queue/tickets", status_code=201)
    def take_ticket(request: TicketIn) -> dict:
        if request.department not in departments:
            raise HTTPException(422, f"unknown department {request.department!r}; departments in the catalog: "
                                     + "、".join(departments))
        letter = chr(ord("A") + departments.index(request.department) % 26)
        sequence = store.next_ticket(request.department)
        # A few people are always ahead in the demo, so the ticket shows a believable wait.
        base = hashlib.sha256(request.department.encode()).digest()[0] % 6
        return {"number": f"{letter}{sequence:03d}", "department": request.department,
                "waiting": base + sequence - 1, "issued_at": stamp()}

    return router


# -- intake of applications: bundles and commitments ----------------------------------------------------------
class IntakeRefused(Exception):
    """The application cannot be accepted as sent; ``detail`` says why and what to do."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Intake:
    promised_days: int
    members: list[MemberPlan]
    acceptance: str  # complete | waiver | pledge
    commitment: dict | None


def plan_intake(catalog: Catalog, store: SandboxStore, body: dict) -> Intake:
    """What to record for an application body: a receipt per bundle member, and a 容缺 / 告知承诺 acceptance
    checked with the same rules the kiosk used. Without a ``commitment`` the body is taken as complete."""
    try:
        item = catalog.item(body["item_code"])
    except KeyError:
        raise IntakeRefused(f"unknown item code {body['item_code']}; the catalog is at /v1/catalog") from None
    effective = effective_item(catalog, item.code)
    members: list[MemberPlan] = []
    for member in catalog.members(item) if item.kind == "bundle" else ():
        keys = {f.key for f in member.fields}
        names = {m.name for m in member.guide.materials}
        member_body = {**body, "item_code": member.code,
                       "form": {k: v for k, v in body.get("form", {}).items() if k in keys},
                       "materials_present": [n for n in body.get("materials_present", []) if n in names]}
        member_body.pop("commitment", None)
        members.append(MemberPlan(member.code, member.guide.promised_limit_days, member_body))
    promised = effective.guide.promised_limit_days
    claimed = body.get("commitment")
    if not claimed:
        return Intake(promised_days=promised, members=members, acceptance="complete", commitment=None)
    citizen = store.citizen(body["applicant"]["id_number"])
    pledge = claimed["kind"] == "pledge"
    if pledge:
        standing = ApplicantStanding(citizen["credit_ok"], citizen["false_commitment"]) if citizen else None
        offer = commitment_offer(effective, standing)
        if not offer.offered:
            raise IntakeRefused(f"告知承诺 is not available for this application ({offer.reason}); "
                                "the applicant brings every material instead")
    fetched = None
    if citizen is not None:
        fetched = [m.name for m in effective.guide.materials if m.shared and m.name not in citizen["unshared"]]
    check = check_materials(effective, body.get("materials_present", []), fetched,
                            today=dt.date.today(), pledge=pledge)
    if check.outcome == "refused":
        main = [m.name for m in check.missing if not (m.waivable or (pledge and m.pledgeable))]
        raise IntakeRefused("main materials are missing (" + "、".join(main) + "): the application cannot be "
                            "accepted on a commitment; print the one-time notice instead")
    if check.outcome == "complete":
        raise IntakeRefused("no material is missing: submit without a commitment")
    return Intake(promised_days=promised, members=members, acceptance=check.outcome,
                  commitment=check.commitment_record())
