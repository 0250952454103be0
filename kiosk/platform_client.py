"""The one HTTP client to the provincial platform (requests, explicit timeouts, a reused session).

Every failure becomes a ``PlatformError`` whose ``kind`` says what a person can do about it:
``unreachable`` (network or platform down: try later, or the outbox keeps it), ``rejected`` (the platform
said no to this request: 4xx), ``server`` (5xx: try later), ``bad_answer`` (not the contract). ``PlatformError.problem`` is the platform's
problem body when it sent one (``type``, ``title``, ``status``, ``detail``, and for identity refusals
``required_level``: the level of identity the request needs, see kiosk/sandbox/identity.py).

Identity: ``verify_identity`` (an e-ID / e-social-card / provincial-app code) and ``verify_face`` (ID card read
at this kiosk + the live face) answer a verification proof. Every call that returns or changes personal data
(``eligibility``, ``query``, ``pickup``, ``submit_application``) takes it as ``proof=`` and sends it in the
``X-Verification-Proof`` header. No ID number goes into a URL: they travel in request bodies only.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
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
PROOF_HEADER = "X-Verification-Proof"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SAMPLE_IMAGE_MAX_BYTES = 2 * 1024 * 1024  # a sample picture is a few hundred KB; more is not a sample


class PlatformError(Exception):
    def __init__(self, kind: ErrorKind, message: str, status: int | None = None, retry_after: float | None = None,
                 problem: dict | None = None):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.problem = problem  # the platform's problem body (JSON object), when it sent one

    @property
    def required_level(self) -> str | None:
        """The identity level the refused request needs ("verified"), when the platform named one."""
        level = (self.problem or {}).get("required_level")
        return str(level) if level else None

    @property
    def problem_type(self) -> str:
        """The problem's type URI, e.g. "urn:gov-kiosk:problem:face-not-matched" ("" when none was sent)."""
        return str((self.problem or {}).get("type", ""))

    @property
    def is_outage(self) -> bool:
        """The platform could not be reached or failed on its side: try later (the outbox keeps the work).
        Anything else is an answer about this request (refused, not found, not the contract)."""
        return self.kind in ("unreachable", "server")


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
    promised_limit_days: int | None = None  # None when only the outbox's acknowledgement was kept


@dataclass(frozen=True, slots=True)
class Submission:
    receipt_number: str  # for a bundle: the bundle receipt
    accepted_at: str
    promised_limit_days: int
    members: tuple[MemberReceipt, ...] = ()  # a bundle's member receipts, empty for a single item
    acceptance: str = "complete"  # complete | waiver (容缺) | pledge (告知承诺)


@dataclass(frozen=True, slots=True)
class Eligibility:
    """What the platform says about this applicant for this item (POST /v1/eligibility).

    ``reason`` is public (offered | not_listed | not_offered): it may be shown on the screen. ``private_reason``
    (bad_credit | false_commitment | "") and ``private_detail`` reveal something about the person: they go on
    the citizen's own printed slip only, never on a screen or into a log."""

    item_code: str
    commitment_offered: bool  # 告知承诺 may be offered
    reason: str  # offered | not_listed | not_offered
    credit_ok: bool
    false_commitment: bool
    shared_materials: tuple[str, ...]  # the item's materials the platform fetches for this citizen
    private_reason: str = ""
    private_detail: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    """A verification proof from the platform: carry it as ``proof=`` until ``expires_at``, then verify again."""

    proof: str
    level: str  # "verified"
    method: str  # face | eid | social_card | province_app
    expires_at: str  # ISO 8601 with offset


@dataclass(frozen=True, slots=True)
class CardEvidence:
    """What the kiosk tells the platform about the ID card it read (POST /v1/identity/face)."""

    read_at: dt.datetime  # with offset
    valid_until: dt.date | None  # None: long-term (长期)
    card_digest: str  # card_digest(...) of the chip's fields

    def as_json(self) -> dict[str, Any]:
        return {"read_at": self.read_at.isoformat(timespec="seconds"), "card_digest": self.card_digest,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None}


def card_digest(card: Any) -> str:
    """SHA-256 (hex) of an ID card's chip fields (devices.idreader.IdCard or alike), "|"-joined in card order:
    name, sex, nation_code, birth_date, address, id_number, issuer, valid_from, valid_until ("" for 长期)."""
    fields = ("name", "sex", "nation_code", "birth_date", "address", "id_number", "issuer", "valid_from",
              "valid_until")
    text = "|".join("" if getattr(card, name) is None else str(getattr(card, name)) for name in fields)
    return hashlib.sha256(text.encode()).hexdigest()


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
                 ok: tuple[int, ...] = (200, 201), stream: bool = False) -> requests.Response:
        url = f"{self.base_url}/v1{path}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        send_headers = {"Content-Type": "application/json"} if data is not None else {}
        send_headers.update(headers or {})
        if method == "POST" and "Idempotency-Key" not in send_headers:
            # The platform requires a key on every POST (issue #14); a call that is not retried as the same
            # request (heartbeat, ticket, lookup) gets a fresh one.
            send_headers["Idempotency-Key"] = new_idempotency_key()
        try:
            response = self._http.request(method, url, data=data, headers=send_headers, timeout=self.timeout,
                                          stream=stream)
        except requests.Timeout:
            raise PlatformError("unreachable", f"platform {self.base_url}: no answer within {self.timeout[1]:.0f} s") from None
        except requests.ConnectionError:
            raise PlatformError("unreachable", f"platform {self.base_url}: cannot connect") from None
        if response.status_code in ok:
            return response
        retry_after = _retry_after(response.headers.get("Retry-After"))
        problem = _problem(response)
        detail = str(problem.get("detail", "")) if problem else response.text[:200]
        log.warning("platform %s %s answered %s: %s", method, redact(path), response.status_code, redact(detail))
        kind: ErrorKind = "server" if response.status_code >= 500 else "rejected"
        what = "platform error" if kind == "server" else "platform refused"
        raise PlatformError(kind, f"{what} ({response.status_code}): {detail}", response.status_code, retry_after,
                            problem)

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

    def sample_image(self, name: str) -> bytes:
        """A material's 材料样本 picture (catalog ``sample_image``) as PNG bytes. Refuses an answer that is not a
        PNG (by its signature, whatever the header says) or is larger than ``SAMPLE_IMAGE_MAX_BYTES``, reading
        no more than that (a picture is shown on a kiosk, never a download without end)."""
        url = f"{self.base_url}/v1/catalog/samples/{_segment(name)}"
        response = self._request("GET", f"/catalog/samples/{_segment(name)}", stream=True)
        with response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > SAMPLE_IMAGE_MAX_BYTES:
                raise PlatformError("bad_answer", f"sample picture {url}: {int(declared)} bytes, more than the "
                                    f"{SAMPLE_IMAGE_MAX_BYTES} a sample may have; the platform should serve it smaller")
            body = bytearray()
            try:
                for chunk in response.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > SAMPLE_IMAGE_MAX_BYTES:
                        raise PlatformError("bad_answer", f"sample picture {url}: more than the "
                                            f"{SAMPLE_IMAGE_MAX_BYTES} bytes a sample may have; the platform "
                                            "should serve it smaller")
            except requests.RequestException:
                raise PlatformError("unreachable", f"sample picture {url}: the answer broke off") from None
        if not body.startswith(PNG_SIGNATURE):
            kind = response.headers.get("Content-Type", "no Content-Type")
            raise PlatformError("bad_answer", f"sample picture {url}: the answer is not a PNG image ({kind}, "
                                "no PNG signature); the platform must serve image/png")
        return bytes(body)

    def submit_application(self, body: dict, idempotency_key: str, *, proof: str | None = None) -> Submission:
        """A single item or a bundle (item kind bundle: the answer lists a receipt per member).
        ``body["commitment"]`` (from kiosk.rules.materials) records a 容缺 or 告知承诺 acceptance. ``proof``: the
        applicant's verification proof (the platform accepts it for days on an application: see the outbox)."""
        response = self._request("POST", "/applications", body=body,
                                 headers={"Idempotency-Key": idempotency_key, **_proof_header(proof)})
        try:
            answer = response.json()
            return Submission(answer["receipt_number"], answer["accepted_at"], int(answer["promised_limit_days"]),
                              _members(answer.get("members", [])), str(answer.get("acceptance", "complete")))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise PlatformError("bad_answer", "the platform's answer to an application lacks a receipt number") from None

    def verify_identity(self, kind: str, token: str) -> dict:
        """Ask the platform whose identity QR token this is (e-ID, e-social-security card, provincial app).
        The answer: ``id_number``, ``name``, ``phone``, and the verification ``proof`` with ``level``
        ("verified"), ``method`` and ``expires_at``; ``verification(answer)`` gives the typed proof."""
        answer = self._request("POST", "/identity/verify", body={"kind": kind, "token": token}).json()
        if not isinstance(answer, dict) or not answer.get("id_number") or not answer.get("proof"):
            raise PlatformError("bad_answer", "identity code check: the platform's answer lacks the person or proof")
        return answer

    def verify_face(self, id_number: str, card: CardEvidence, jpeg: bytes) -> Verification:
        """人证比对: the card just read at this kiosk and the live face (JPEG bytes, kept in memory only).
        Refusals are ``PlatformError`` with a problem type: face-not-matched (403), card-expired (403, with
        ``valid_until``), card-read-stale (403), too-many-face-attempts (429), face-matching-unavailable (503)."""
        body = {"id_number": id_number, "card": card.as_json(), "face_jpeg": base64.b64encode(jpeg).decode()}
        return verification(self._request("POST", "/identity/face", body=body).json())

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

    def refresh_proof(self, id_number: str, proof: str) -> Verification:
        """A new proof for one still inside its minutes (a long session), for up to 30 minutes after the face
        or e-ID check; afterwards 403 proof-expired: the citizen verifies again."""
        return verification(self._request("POST", "/identity/refresh", body={"id_number": id_number},
                                          headers=_proof_header(proof)).json())

    def eligibility(self, id_number: str, item_code: str, *, proof: str | None = None) -> Eligibility:
        """Whether 告知承诺 may be offered and which materials the platform fetches by sharing (404: unknown)."""
        answer = self._request("POST", "/eligibility", body={"item_code": item_code, "id_number": id_number},
                               headers=_proof_header(proof)).json()
        try:
            return Eligibility(
                item_code=answer["item_code"], commitment_offered=bool(answer["commitment_offered"]),
                reason=str(answer["reason"]), credit_ok=bool(answer["credit_ok"]),
                false_commitment=bool(answer["false_commitment"]),
                shared_materials=tuple(answer["shared_materials"]),
                private_reason=str(answer.get("private_reason", "")),
                private_detail=str(answer.get("private_detail", "")),
            )
        except (KeyError, TypeError):
            raise PlatformError("bad_answer", f"eligibility for {item_code}: the answer is not the contract") from None

    def query(self, item_code: str, idempotency_key: str, *, id_number: str | None = None,
              credit_code: str | None = None, deliver: str = "now", proof: str | None = None) -> ResultDocument:
        """A query-and-print item about the verified person ``id_number``, or about the enterprise
        ``credit_code`` asked by ``id_number`` acting for it (legal representative or authorised agent; 403
        problem not-authorised-for-enterprise otherwise). 404: no record."""
        if id_number is None and credit_code is None:
            raise ValueError("query: give id_number (and credit_code for an enterprise)")
        body: dict[str, str] = {"item_code": item_code}
        if id_number:
            body["id_number"] = id_number
        if credit_code:
            body["credit_code"] = credit_code
        if deliver != "now":
            body["deliver"] = deliver
        answer = self._request("POST", "/queries", body=body,
                               headers={"Idempotency-Key": idempotency_key, **_proof_header(proof)}).json()
        return _document(answer, f"query {item_code}")

    def pickup(self, receipt_number: str, id_number: str, *, proof: str | None = None) -> Pickup:
        """The result of a ready application, only for its applicant: 403 another person's ID, 409 not ready."""
        answer = self._request("POST", "/pickups", body={"receipt_number": receipt_number, "id_number": id_number},
                               headers=_proof_header(proof)).json()
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

    # -- issue #17: fees, postage, appointments, electronic certificates, 我的办件 (typed answers in
    # kiosk/platform_service.py; every call about a person carries the proof, the ID number in the body) ------
    def create_payment(self, reference: str, id_number: str, *, proof: str | None = None) -> Any:
        """A payment order (kiosk.platform_service.PaymentOrder) for an application's or appointment's fee."""
        from kiosk import platform_service as ps

        return ps.payment_order(self._request("POST", "/payments", body={"reference": reference,
                                                                         "id_number": id_number},
                                              headers=_proof_header(proof)).json())

    def payment_state(self, order_id: str) -> Any:
        from kiosk import platform_service as ps

        return ps.payment_order(self._request("GET", f"/payments/{_segment(order_id)}").json())

    def cancel_payment(self, order_id: str) -> Any:
        from kiosk import platform_service as ps

        return ps.payment_order(self._request("POST", f"/payments/{_segment(order_id)}/cancel").json())

    def demo_pay(self, order_id: str) -> Any:
        """Sandbox only: the citizen's payment app reporting success (the demo's "手机已支付" button)."""
        from kiosk import platform_service as ps

        return ps.payment_order(self._request("POST", f"/payments/{_segment(order_id)}/demo-pay").json())

    def postage(self, item_code: str, address: str) -> Any:
        from kiosk import platform_service as ps

        answer = self._request("POST", "/postage", body={"item_code": item_code, "address": address}).json()
        return ps.parsed("postage", lambda: ps.Postage(float(answer["postage_yuan"]), str(answer["carrier"])))

    def appointment_slots(self, item_code: str, point: str) -> Any:
        from urllib.parse import urlencode

        from kiosk import platform_service as ps

        query = urlencode({"item_code": item_code, "point": point})  # no personal data in the query
        return ps.slot_days(self._request("GET", f"/appointments/slots?{query}").json())

    def book_appointment(self, body: dict, *, proof: str | None = None) -> Any:
        """``body``: item_code, point, date (ISO), slot, id_number, name."""
        from kiosk import platform_service as ps

        return ps.appointment(self._request("POST", "/appointments", body=body, headers=_proof_header(proof)).json())

    def change_appointment(self, number: str, id_number: str, date: dt.date, slot: str, *,
                           proof: str | None = None) -> Any:
        from kiosk import platform_service as ps

        body = {"number": number, "id_number": id_number, "date": date.isoformat(), "slot": slot}
        return ps.appointment(self._request("POST", "/appointments/change", body=body,
                                            headers=_proof_header(proof)).json())

    def cancel_appointment(self, number: str, id_number: str, *, proof: str | None = None) -> Any:
        from kiosk import platform_service as ps

        return ps.appointment(self._request("POST", "/appointments/cancel", body={"number": number,
                                                                                  "id_number": id_number},
                                            headers=_proof_header(proof)).json())

    def my_appointments(self, id_number: str, *, proof: str | None = None) -> Any:
        from kiosk import platform_service as ps

        answer = self._request("POST", "/appointments/mine", body={"id_number": id_number},
                               headers=_proof_header(proof)).json()
        return ps.parsed("my appointments", lambda: tuple(ps.appointment(a) for a in answer["appointments"]))

    def check_in_appointment(self, code: str) -> Any:
        from kiosk import platform_service as ps

        return ps.check_in(self._request("POST", "/appointments/check-in", body={"code": code}).json())

    def my_certificates(self, id_number: str, *, proof: str | None = None) -> Any:
        from kiosk import platform_service as ps

        return ps.certificates(self._request("POST", "/certificates/mine", body={"id_number": id_number},
                                             headers=_proof_header(proof)).json())

    def certified_copy(self, id_number: str, certificate_id: str, *, proof: str | None = None) -> Any:
        from kiosk import platform_service as ps

        return ps.certified_copy(self._request("POST", "/certificates/copy",
                                               body={"id_number": id_number, "certificate_id": certificate_id},
                                               headers=_proof_header(proof)).json())

    def my_applications(self, id_number: str, *, proof: str | None = None) -> Any:
        from kiosk import platform_service as ps

        return ps.my_applications(self._request("POST", "/applications/mine", body={"id_number": id_number},
                                                headers=_proof_header(proof)).json())


def verification(answer: Any) -> Verification:
    """The typed proof out of a /v1/identity/* answer."""
    try:
        return Verification(str(answer["proof"]), str(answer["level"]), str(answer["method"]),
                            str(answer["expires_at"]))
    except (KeyError, TypeError):
        raise PlatformError("bad_answer", "identity check: the platform's answer lacks the proof") from None


def _proof_header(proof: str | None) -> dict[str, str]:
    return {PROOF_HEADER: proof} if proof else {}


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


def _problem(response: requests.Response) -> dict | None:
    """The answer's JSON object (a problem body, or FastAPI's {"detail": ...}), None when it is not one."""
    try:
        document = response.json()
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
