"""The one HTTP client to the provincial platform (requests, explicit timeouts, a reused session).

Every failure becomes a ``PlatformError`` whose ``kind`` says what a person can do about it:
``unreachable`` (network or platform down: try later, or the outbox keeps it), ``rejected`` (the platform
said no to this request: 4xx), ``server`` (5xx: try later), ``bad_answer`` (not the contract).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import requests

from kiosk.catalog import Catalog, parse_catalog
from kiosk.logging_setup import redact

log = logging.getLogger(__name__)

ErrorKind = Literal["unreachable", "rejected", "server", "bad_answer"]


class PlatformError(Exception):
    def __init__(self, kind: ErrorKind, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class CatalogAnswer:
    catalog: Catalog | None  # None when the platform answered 304 Not Modified
    etag: str | None
    raw: dict | None


@dataclass(frozen=True, slots=True)
class MemberReceipt:
    """One member item of a 一件事 bundle, with its own receipt number for progress and pickup."""

    item_code: str
    receipt_number: str
    promised_limit_days: int


@dataclass(frozen=True, slots=True)
class Submission:
    receipt_number: str  # for a bundle: the bundle receipt
    accepted_at: str
    promised_limit_days: int
    members: tuple[MemberReceipt, ...] = ()  # a bundle's member receipts, empty for a single item
    acceptance: str = "complete"  # complete | waiver (容缺) | pledge (告知承诺)


@dataclass(frozen=True, slots=True)
class Eligibility:
    """What the platform says about this applicant for this item (GET /v1/citizens/{id}/eligibility)."""

    item_code: str
    commitment_offered: bool  # 告知承诺 may be offered
    reason: str  # offered | not_listed | bad_credit | false_commitment
    credit_ok: bool
    false_commitment: bool
    shared_materials: tuple[str, ...]  # the item's materials the platform fetches for this citizen


@dataclass(frozen=True, slots=True)
class ResultDocument:
    """A printable result from the platform: a query answer, or an application result collected at pickup."""

    item_code: str
    title: str
    rows: tuple[tuple[str, str], ...]
    verification_code: str
    issued_at: str  # ISO 8601 with offset
    subject_name: str = ""  # the person or enterprise the document is about
    table_headers: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()
    note: str = ""
    receipt_number: str | None = None  # a query delivered for pickup: the receipt it waits under


@dataclass(frozen=True, slots=True)
class ProgressStep:
    at: str
    status: str
    note: str


@dataclass(frozen=True, slots=True)
class Progress:
    receipt_number: str
    item_code: str
    status: str  # accepted | reviewing | approved | ready | picked_up | rejected
    history: tuple[ProgressStep, ...] = field(default_factory=tuple)
    ready_for_pickup: bool = False
    bundle_receipt: str = ""  # set on a member of a bundle
    members: tuple[MemberReceipt, ...] = ()  # set on a bundle receipt


@dataclass(frozen=True, slots=True)
class Pickup:
    receipt_number: str
    picked_up_at: str
    document: ResultDocument


@dataclass(frozen=True, slots=True)
class Ticket:
    number: str  # e.g. "A015"
    department: str
    waiting: int  # people ahead
    issued_at: str


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class PlatformClient:
    def __init__(self, base_url: str, device_id: str, connect_timeout: float = 3.0, read_timeout: float = 10.0,
                 device_secret: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.device_id = device_id
        self.timeout = (connect_timeout, read_timeout)
        self._http = requests.Session()
        self._http.headers.update({"User-Agent": "gov-kiosk/0.1", "X-Kiosk-Device": device_id})
        if device_secret is not None:
            from kiosk.signing import HmacSigner

            # Signed at send time (device id, timestamp, nonce, body digest): see kiosk/signing.py.
            self._http.auth = HmacSigner(device_id, device_secret)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None,
                 ok: tuple[int, ...] = (200, 201)) -> requests.Response:
        url = f"{self.base_url}/v1{path}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        send_headers = {"Content-Type": "application/json"} if data is not None else {}
        send_headers.update(headers or {})
        try:
            response = self._http.request(method, url, data=data, headers=send_headers, timeout=self.timeout)
        except requests.Timeout:
            raise PlatformError("unreachable", f"platform {self.base_url}: no answer within {self.timeout[1]:.0f} s") from None
        except requests.ConnectionError:
            raise PlatformError("unreachable", f"platform {self.base_url}: cannot connect") from None
        if response.status_code in ok:
            return response
        retry_after = _retry_after(response.headers.get("Retry-After"))
        detail = _detail(response)
        # Some paths carry an ID number (/citizens/{id}/eligibility): log them redacted.
        log.warning("platform %s %s answered %s: %s", method, redact(path), response.status_code, redact(detail))
        if response.status_code >= 500:
            raise PlatformError("server", f"platform error {response.status_code}: {detail}", response.status_code, retry_after)
        raise PlatformError("rejected", f"platform refused ({response.status_code}): {detail}", response.status_code, retry_after)

    def health(self) -> dict:
        return self._request("GET", "/health").json()

    def catalog(self, etag: str | None = None) -> CatalogAnswer:
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", "/catalog", headers=headers, ok=(200, 304))
        if response.status_code == 304:
            return CatalogAnswer(None, etag, None)
        try:
            raw = response.json()
            catalog = parse_catalog(raw, f"{self.base_url}/v1/catalog")
        except ValueError as error:
            raise PlatformError("bad_answer", f"catalog from the platform is not valid: {error}") from None
        return CatalogAnswer(catalog, response.headers.get("ETag"), raw)

    def submit_application(self, body: dict, idempotency_key: str) -> Submission:
        """A single item or a bundle (item kind bundle: the answer lists a receipt per member).
        ``body["commitment"]`` (from kiosk.rules.materials) records a 容缺 or 告知承诺 acceptance."""
        response = self._request("POST", "/applications", body=body, headers={"Idempotency-Key": idempotency_key})
        try:
            answer = response.json()
            return Submission(answer["receipt_number"], answer["accepted_at"], int(answer["promised_limit_days"]),
                              _members(answer.get("members", [])), str(answer.get("acceptance", "complete")))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise PlatformError("bad_answer", "the platform's answer to an application lacks a receipt number") from None

    def verify_identity(self, kind: str, token: str) -> dict:
        """Ask the platform whose identity QR token this is (e-ID, e-social-security card, provincial app)."""
        return self._request("POST", "/identity/verify", body={"kind": kind, "token": token}).json()

    def progress(self, receipt_number: str) -> dict:
        """The raw progress answer (kept for existing callers); ``application_progress`` is the typed one."""
        return self._request("GET", f"/applications/{_segment(receipt_number)}").json()

    def application_progress(self, receipt_number: str) -> Progress:
        answer = self.progress(receipt_number)
        try:
            return Progress(
                receipt_number=answer["receipt_number"], item_code=answer["item_code"], status=answer["status"],
                history=tuple(ProgressStep(h["at"], h["status"], h.get("note", "")) for h in answer["history"]),
                ready_for_pickup=bool(answer.get("ready_for_pickup", False)),
                bundle_receipt=answer.get("bundle_receipt") or "",
                members=_members(answer.get("members", [])),
            )
        except (KeyError, TypeError, AttributeError):
            raise PlatformError("bad_answer", f"progress of {receipt_number}: the answer lacks status or history") from None

    def eligibility(self, id_number: str, item_code: str) -> Eligibility:
        """Whether 告知承诺 may be offered and which materials the platform fetches by sharing (404: unknown)."""
        path = f"/citizens/{_segment(id_number)}/eligibility?item_code={quote(item_code, safe='')}"
        answer = self._request("GET", path).json()
        try:
            return Eligibility(
                item_code=answer["item_code"], commitment_offered=bool(answer["commitment_offered"]),
                reason=str(answer["reason"]), credit_ok=bool(answer["credit_ok"]),
                false_commitment=bool(answer["false_commitment"]),
                shared_materials=tuple(answer["shared_materials"]),
            )
        except (KeyError, TypeError):
            raise PlatformError("bad_answer", f"eligibility for {item_code}: the answer is not the contract") from None

    def query(self, item_code: str, idempotency_key: str, *, id_number: str | None = None,
              credit_code: str | None = None, deliver: str = "now") -> ResultDocument:
        """A query-and-print item for a person (id_number) or an enterprise (credit_code); 404: no record."""
        if (id_number is None) == (credit_code is None):
            raise ValueError("query: give exactly one of id_number or credit_code")
        body: dict[str, str] = {"item_code": item_code}
        body.update({"id_number": id_number} if id_number else {"credit_code": credit_code or ""})
        if deliver != "now":
            body["deliver"] = deliver
        answer = self._request("POST", "/queries", body=body, headers={"Idempotency-Key": idempotency_key}).json()
        return _document(answer, f"query {item_code}")

    def pickup(self, receipt_number: str, id_number: str) -> Pickup:
        """The result of a ready application, only for its applicant: 403 another person's ID, 409 not ready."""
        answer = self._request("POST", f"/applications/{_segment(receipt_number)}/pickup",
                               body={"id_number": id_number}).json()
        try:
            return Pickup(answer["receipt_number"], answer["picked_up_at"],
                          _document(answer["document"], f"pickup {receipt_number}"))
        except (KeyError, TypeError):
            raise PlatformError("bad_answer", f"pickup {receipt_number}: the answer lacks the document") from None

    def take_ticket(self, department: str) -> Ticket:
        """A queue number at the department's windows (kiosk.rules.tickets falls back to a local one)."""
        answer = self._request("POST", "/queue/tickets", body={"department": department}).json()
        try:
            return Ticket(answer["number"], answer["department"], int(answer["waiting"]), answer["issued_at"])
        except (KeyError, TypeError, ValueError):
            raise PlatformError("bad_answer", f"queue ticket for {department}: the answer lacks the number") from None

    def submit_rating(self, body: dict, idempotency_key: str) -> None:
        self._request("POST", "/ratings", body=body, headers={"Idempotency-Key": idempotency_key})

    def heartbeat(self, body: dict) -> None:
        self._request("POST", f"/devices/{self.device_id}/heartbeat", body=body, ok=(200, 204))


def _segment(text: str) -> str:
    """A path segment, escaped: a receipt number comes from a scanned QR and must not change the path."""
    return quote(text, safe="")


def _members(raw: list) -> tuple[MemberReceipt, ...]:
    return tuple(MemberReceipt(m["item_code"], m["receipt_number"], int(m["promised_limit_days"])) for m in raw)


def _document(raw: dict, what: str) -> ResultDocument:
    try:
        return ResultDocument(
            item_code=raw["item_code"], title=raw["title"],
            rows=tuple((str(k), str(v)) for k, v in raw["rows"]),
            verification_code=raw["verification_code"], issued_at=raw["issued_at"],
            subject_name=raw.get("subject_name", ""),
            table_headers=tuple(raw.get("table_headers", ())),
            table_rows=tuple(tuple(str(c) for c in row) for row in raw.get("table_rows", ())),
            note=raw.get("note", ""),
            receipt_number=raw.get("receipt_number"),
        )
    except (KeyError, TypeError, ValueError):
        raise PlatformError("bad_answer", f"{what}: the platform's document lacks title, rows or verification code") from None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _detail(response: requests.Response) -> str:
    try:
        detail = response.json().get("detail", "")
    except ValueError:
        detail = response.text[:200]
    return str(detail)
