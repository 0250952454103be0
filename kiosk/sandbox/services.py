"""Sandbox endpoints for the citizen flows: 告知承诺 eligibility and shared materials, query-and-print items
(for a person, or for an enterprise by its legal representative or an authorised agent), collecting a result
at the kiosk, and queue tickets; and the intake check of applications (``plan_intake``).

The platform decides with its own code (kiosk/sandbox/judge.py), not with the kiosk's rules, so the two are
an independent check of each other. Everything that returns or changes a person's data needs a verification
proof (kiosk/sandbox/identity.py). No ID number travels in a URL path or query: it is in the request body.

Eligibility answers carry two kinds of reason: ``reason`` is public (offered | not_listed | not_offered), safe
for a screen anyone passing can read; ``private_reason`` (bad_credit | false_commitment) and ``private_detail``
(a sentence) are for the citizen's own printed slip only. ``credit_ok`` and ``false_commitment`` stay in the
answer for the kiosk's own rule (kiosk.rules.commitment reads them): the same private facts, for that person.

Details in error answers mask ID numbers: the kiosk logs them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.catalog import Catalog, CatalogItem
from kiosk.masking import mask_id_number
from kiosk.sandbox import judge
from kiosk.sandbox.identity import ID_PATTERN, NEEDS_PROOF, enterprise_authorisation, require_proof
from kiosk.sandbox.store import DATA_DIR, IdempotencyConflict, MemberPlan, SandboxStore

CREDIT_CODE_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


class EligibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: Annotated[str, Field(min_length=1, max_length=20)]
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class QueryIn(BaseModel):
    """A query about the person ``id_number``; with ``credit_code``, about that enterprise, asked by the
    person ``id_number`` acting for it (its legal representative or an authorised agent)."""

    model_config = ConfigDict(extra="forbid")
    item_code: str
    id_number: Annotated[str | None, Field(pattern=ID_PATTERN)] = None
    credit_code: Annotated[str | None, Field(pattern=CREDIT_CODE_PATTERN)] = None
    # "pickup": queued at a kiosk while offline; keep the result for self-service pickup by its applicant.
    deliver: Literal["now", "pickup"] = "now"

    @model_validator(mode="after")
    def _a_subject(self) -> QueryIn:
        if self.id_number is None and self.credit_code is None:
            raise ValueError("give id_number (the verified person), and credit_code for an enterprise's record")
        return self


class PickupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    receipt_number: Annotated[str, Field(min_length=4, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: Annotated[str, Field(min_length=2, max_length=40)]


class Eligibility(BaseModel):
    item_code: str
    commitment_allowed: bool  # the item lists 告知承诺
    commitment_offered: bool  # … and this applicant may use it
    reason: Annotated[judge.PublicReason, Field(
        description="public reason, safe for a screen others can read: offered | not_listed | not_offered")]
    private_reason: Annotated[judge.PrivateReason, Field(
        description="why not offered, for the citizen's own printed slip only (never a screen or a log): "
                    "bad_credit | false_commitment | empty")]
    private_detail: Annotated[str, Field(description="the sentence for that slip (Chinese)")]
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

    def citizen_or_404(id_number: str) -> dict:
        citizen = store.citizen(id_number)
        if citizen is None:
            raise HTTPException(404, f"no citizen with ID number {mask_id_number(id_number)} is known to the "
                                     "platform; check the number")
        return citizen

    @router.post("/eligibility", **NEEDS_PROOF)
    def eligibility(body: EligibilityIn, request: Request) -> Eligibility:
        """Whether 告知承诺 is offered to this person for this item, and what the platform fetches for them."""
        item = item_or_404(body.item_code)
        require_proof(request, body.id_number, what="an eligibility check")
        citizen = citizen_or_404(body.id_number)
        verdict = judge.standing(catalog, item.code, citizen["credit_ok"], citizen["false_commitment"])
        return Eligibility(item_code=item.code, commitment_allowed=verdict.commitment_allowed,
                           commitment_offered=verdict.offered, reason=verdict.public_reason,
                           private_reason=verdict.private_reason, private_detail=verdict.private_detail,
                           credit_ok=citizen["credit_ok"], false_commitment=citizen["false_commitment"],
                           shared_materials=judge.fetchable(catalog, item.code, citizen["unshared"]))

    @router.post("/queries", status_code=201, **NEEDS_PROOF)
    def query(body: QueryIn, request: Request, idempotency_key: Annotated[str | None, Header()] = None,
              x_kiosk_device: Annotated[str, Header()] = "unknown") -> JSONResponse:
        if not idempotency_key or len(idempotency_key) > 64:
            raise HTTPException(400, "Idempotency-Key header (at most 64 characters) is required")
        item = item_or_404(body.item_code)
        if item.kind != "query_print" or item.print_template is None:
            raise HTTPException(422, f"item {item.code} is {item.kind}, not a query-and-print item")
        # A query queued offline comes back later: its result waits for pickup, which needs a fresh proof.
        deferred = body.deliver == "pickup"
        if body.id_number:
            require_proof(request, body.id_number, what=f"query {item.code}", deferred=deferred)
        else:  # an enterprise query with nobody named: only an older kiosk, and only while not enforced
            require_proof(request, "", what=f"query {item.code} for an enterprise without the person acting")
        if body.credit_code:
            subject_key = body.credit_code
            if body.id_number:
                enterprise_authorisation(body.id_number, body.credit_code)
            enterprise = store.enterprise(subject_key)
            if enterprise is None:
                raise HTTPException(404, f"no enterprise with credit code {subject_key} is known to the platform; "
                                         "check the code on the business licence")
            subject_name = enterprise["name"]
        else:
            subject_key = body.id_number or ""
            subject_name = citizen_or_404(subject_key)["name"]
        record = answers.get(item.code, {}).get(subject_key)
        if record is None:
            raise HTTPException(404, f"the platform holds no {item.name} record for this "
                                     f"{'enterprise' if body.credit_code else 'person'}")
        title = item.print_template.title

        def make() -> dict:
            issued = stamp()
            answer = {"item_code": item.code, "title": title, "subject_name": subject_name, "rows": record["rows"],
                      "table_headers": record.get("table_headers", []), "table_rows": record.get("table_rows", []),
                      "note": record.get("note", ""), "issued_at": issued,
                      "verification_code": verification_code(item.code, subject_key, issued, idempotency_key)}
            if deferred and body.id_number:
                answer["receipt_number"] = store.add_ready_result_locked(
                    item.code, body.id_number, subject_name, idempotency_key,
                    {"title": title, "rows": record["rows"], "note": record.get("note", "")}, x_kiosk_device)
            return answer

        try:
            answer = store.idempotent("queries", idempotency_key, body.model_dump(mode="json"), make)
        except IdempotencyConflict:
            raise HTTPException(422, "Idempotency-Key was already used with a different body") from None
        return JSONResponse(answer.body, status_code=answer.status_code)

    @router.post("/pickups", **NEEDS_PROOF)
    def pickup(body: PickupIn, request: Request, x_kiosk_device: Annotated[str, Header()] = "unknown") -> dict:
        """The result of a ready application, printed for its applicant (the verified person) only."""
        receipt_number = body.receipt_number
        require_proof(request, body.id_number, what=f"pickup of {receipt_number}")
        record = store.application(receipt_number)
        if record is None:
            raise HTTPException(404, f"no application with receipt number {receipt_number}")
        verdict = judge.judge_pickup(record["applicant_id_number"], body.id_number, record["status"])
        if verdict == "not_ready":
            raise HTTPException(409, f"the result of {receipt_number} is not ready yet (status {record['status']}); "
                                     "check the progress later")
        if verdict == "not_applicant":
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


def platform_today(store: SandboxStore) -> dt.date:
    """The platform's day: ``AppointmentBook.today`` (kiosk/sandbox/appointments.py), which a test fixes."""
    book = getattr(store, "appointment_book", None)
    return book.today() if book is not None else dt.date.today()


def plan_intake(catalog: Catalog, store: SandboxStore, body: dict) -> Intake:
    """What to record for an application body: a receipt per bundle member, and a 容缺 / 告知承诺 acceptance
    re-judged by the platform (kiosk/sandbox/judge.py). Without a ``commitment`` the body is taken as
    complete (the materials are checked by a person at the back office)."""
    try:
        item = catalog.item(body["item_code"])
    except KeyError:
        raise IntakeRefused(f"unknown item code {body['item_code']}; the catalog is at /v1/catalog") from None
    members: list[MemberPlan] = []
    for member in catalog.members(item) if item.kind == "bundle" else ():
        keys = {f.key for f in member.fields}
        names = {m.name for m in member.guide.materials}
        member_body = {**body, "item_code": member.code,
                       "form": {k: v for k, v in body.get("form", {}).items() if k in keys},
                       "materials_present": [n for n in body.get("materials_present", []) if n in names]}
        member_body.pop("commitment", None)
        members.append(MemberPlan(member.code, member.guide.promised_limit_days, member_body))
    promised = judge.promised_days(catalog, item.code)
    claimed = body.get("commitment")
    if not claimed:
        return Intake(promised_days=promised, members=members, acceptance="complete", commitment=None)
    citizen = store.citizen(body["applicant"]["id_number"])
    pledge = claimed["kind"] == "pledge"
    if pledge:
        if citizen is None:
            raise IntakeRefused("告知承诺 is not available for this application (unchecked: the applicant is "
                                "unknown to the platform's credit records); the applicant brings every material")
        verdict = judge.standing(catalog, item.code, citizen["credit_ok"], citizen["false_commitment"])
        if not verdict.offered:
            # The private reason stays in the detail: this answer goes to the applicant's own kiosk session.
            why = verdict.private_reason or verdict.public_reason
            raise IntakeRefused(f"告知承诺 is not available for this application ({why}); "
                                "the applicant brings every material instead")
    fetched = judge.fetchable(catalog, item.code, citizen["unshared"] if citizen is not None else ())
    decision = judge.judge_materials(catalog, item.code, body.get("materials_present", []), fetched,
                                     pledge=pledge, today=platform_today(store))
    if decision.acceptance == "refused":
        raise IntakeRefused("main materials are missing (" + "、".join(decision.blocking) + "): the application "
                            "cannot be accepted on a commitment; print the one-time notice instead")
    if decision.acceptance == "complete":
        raise IntakeRefused("no material is missing: submit without a commitment")
    commitment = {"kind": decision.acceptance, "missing": list(decision.missing),
                  "supply_by": decision.supply_by.isoformat() if decision.supply_by else None}
    return Intake(promised_days=promised, members=members, acceptance=decision.acceptance, commitment=commitment)
