"""The kiosk's side of the outbox: where it lives, and how its entries reach the platform.

Files, in ``config.outbox_dir`` (``<state_dir>/outbox``):

    outbox.db             the queue and the kiosk's local application records (SQLite, WAL)
    outbox.db-wal/-shm    SQLite's journal files
    outbox.db.reserve     disk space held back so the queue can drain on a full disk
    outbox.db.sync-lock   one syncer at a time (the app's worker or ``kiosk sync --once``)
    device.key            the per-device AES key (0600); without it queued entries cannot be read

``OutboxAdapter(client).deliver`` / ``.deliver_chunk`` are what ``offline.sync.SyncWorker`` calls. Payloads by
kind (the Submitter writes them):

    application     the application body (as ``ServiceFlow.application_body()``) -> POST /v1/applications;
                    its images were uploaded first under the same idempotency key; optional key
                    ``verification_proof`` (see "Proofs" below) is sent as a header, not in the body
    rating          the rating body -> POST /v1/ratings; meta ``local_reference`` fills a missing receipt number
    heartbeat       the heartbeat body -> POST /v1/devices/{id}/heartbeat
    query_request   {"item_code", "id_number", "credit_code"?, "verification_proof"?} -> POST /v1/queries
    material_image  {"receipt_number", "material_code"} + images -> chunks, then POST /v1/materials
    assist          {"screen", "reason"} -> POST /v1/assist (kiosk.assist; usually sent at once, queued offline)
    complaint       the complaint body -> POST /v1/complaints (kiosk.complaints)

Proofs: the platform wants the citizen's verification proof (kiosk/sandbox/identity.py) with an application
or a personal query, but a queued entry is sent after the session's proof has expired (minutes). The entry
carries the proof it was created with, in its payload under ``verification_proof``, so it is encrypted at rest
with the rest of the personal data (AES-GCM, record id as associated data) and erased with it once
acknowledged. The platform accepts a proof on these deferred requests for days after it issued it (and only
for this device and this applicant), because the proof was issued while the citizen stood at the kiosk; what
it returns (a receipt number, a result waiting for pickup) needs a fresh proof to be read. We chose this over
the kiosk stating "created at" in the body: a kiosk can write any time there, while the proof's issue time is
signed by the platform itself. A proof too old (403 proof-expired) makes the entry Rejected: a person has to
verify again, which the outbox cannot do.

Outcomes: the acknowledgement returned holds no personal data (receipt number, time, material ids).
``PlatformError`` becomes ``RetryLater`` (unreachable, 5xx, 408, 409, 429, 401, a broken answer) or
``Rejected`` (any other 4xx). Every 401 is retried, never fatal: it is a problem of the device (clock off,
secret not yet provisioned, a replay after a crash), not of the citizen's application, and a technician fixes
it without the entry being lost; the reason stored says what to fix. Reasons never quote the platform's
message text, which for a 422 may echo the body (names, numbers).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from kiosk.config import KioskConfig
from kiosk.platform_client import PlatformClient, PlatformError
from offline.errors import Rejected, RetryLater
from offline.model import EntryMeta, Kind, UploadedImage
from offline.outbox import Outbox

log = logging.getLogger(__name__)

OUTBOX_DB = "outbox.db"
PROOF_KEY = "verification_proof"  # in an application / query_request payload: see "Proofs" in the docstring
DEVICE_KEY = "device.key"
# 401 reasons the sandbox (and the contract) name in the answer, and what a technician does about each.
_AUTH_ADVICE = {
    "stale_timestamp": "kiosk clock is off, check NTP",
    "replayed_nonce": "request looked replayed, will resend with a new nonce",
    "bad_signature": "signature refused, check [platform] device_secret",
    "unknown_device": "device not registered on the platform, check [kiosk] device_id",
    "missing_signature": "request was not signed, check the kiosk version",
    "bad_digest": "body digest refused, check proxies between kiosk and platform",
}

ReceiptLookup = Callable[[str], "str | None"]


def outbox_paths(config: KioskConfig) -> tuple[Path, Path]:
    """(database file, key file) of this kiosk's outbox."""
    return config.outbox_dir / OUTBOX_DB, config.outbox_dir / DEVICE_KEY


def open_outbox(config: KioskConfig, **options: Any) -> Outbox:
    db_path, key_path = outbox_paths(config)
    return Outbox(db_path, key_path, **options)


def signed_client(config: KioskConfig, base_url: str | None = None) -> PlatformClient:
    """A PlatformClient whose every request is signed with this kiosk's device secret."""
    return PlatformClient(
        base_url or config.platform.url, config.kiosk.device_id,
        config.platform.connect_timeout_s, config.platform.read_timeout_s,
        device_secret=config.platform.device_secret,
    )


class OutboxAdapter:
    """Delivers outbox entries with a (signed) PlatformClient; see the module docstring for the contract.

    ``receipt_lookup(local_reference)`` gives the platform receipt number of an application saved locally
    (the Submitter's records), so a rating queued before its application was acknowledged names it.
    """

    def __init__(self, client: PlatformClient, receipt_lookup: ReceiptLookup | None = None) -> None:
        self.client = client
        self.receipt_lookup = receipt_lookup

    # ------------------------------------------------------------------ SyncWorker callables

    def deliver(self, entry: EntryMeta, payload: dict[str, Any], images: list[UploadedImage]) -> dict[str, Any]:
        what = f"{entry.kind} entry {entry.id}"
        try:
            if entry.kind is Kind.APPLICATION:
                body, proof = _split_proof(payload)
                submission = self.client.submit_application(body, entry.idempotency_key, proof=proof)
                # No personal data in the acknowledgement: receipt numbers and item codes only.
                return {"receipt_number": submission.receipt_number, "accepted_at": submission.accepted_at,
                        "members": [[m.item_code, m.receipt_number] for m in submission.members]}
            if entry.kind is Kind.RATING:
                self.client.submit_rating(self._rating_body(entry, payload), entry.idempotency_key)
                return {"status": "recorded"}
            if entry.kind is Kind.HEARTBEAT:
                self.client.heartbeat(payload)
                return {}
            if entry.kind is Kind.QUERY_REQUEST:
                return self._query(entry, payload)
            if entry.kind is Kind.MATERIAL_IMAGE:
                return self._materials(entry, payload, images)
            if entry.kind in (Kind.ASSIST, Kind.COMPLAINT):  # answers carry a number, no personal data
                path = "/assist" if entry.kind is Kind.ASSIST else "/complaints"
                return self._call("POST", path, what, data=json.dumps(payload, ensure_ascii=False).encode(),
                                  headers={"Content-Type": "application/json", "Idempotency-Key": entry.idempotency_key})
        except PlatformError as error:
            raise _outcome(error, what) from None
        except requests.RequestException as error:  # e.g. a connection dropped while reading the answer
            raise RetryLater(f"{what}: network: {type(error).__name__}") from None
        raise Rejected(f"{what}: this kiosk version cannot send kind {entry.kind!r}")

    def deliver_chunk(self, entry: EntryMeta, index: int, offset: int, chunk: bytes, total: int) -> dict[str, Any] | None:
        what = f"{entry.kind} entry {entry.id} image {index} at {offset}"
        answer = self._call("PUT", f"/uploads/{entry.idempotency_key}/{index}?offset={offset}&total={total}", what,
                            data=chunk, headers={"Content-Type": "application/octet-stream"})
        if answer.get("complete"):
            return {"material_id": answer["material_id"], "sha256": answer.get("sha256")}
        if int(answer.get("acknowledged", -1)) != offset + len(chunk):
            # The worker records offset + len(chunk) as held; if the platform says otherwise, resend the image.
            raise RetryLater(f"{what}: platform holds {answer.get('acknowledged')} bytes, not {offset + len(chunk)}")
        return None

    # ------------------------------------------------------------------ kinds

    def _rating_body(self, entry: EntryMeta, payload: dict[str, Any]) -> dict[str, Any]:
        reference = entry.meta.get("local_reference")
        if payload.get("receipt_number") or not reference or self.receipt_lookup is None:
            return payload
        receipt = self.receipt_lookup(str(reference))
        if receipt is None:
            # Strict order sends the application first; no receipt means it was refused: rate without one.
            return payload
        return {**payload, "receipt_number": receipt}

    def _query(self, entry: EntryMeta, payload: dict[str, Any]) -> dict[str, Any]:
        query = getattr(self.client, "query", None)
        if query is None:
            raise Rejected(f"query_request entry {entry.id}: the platform client has no query call (POST /v1/queries); "
                           "update the kiosk software, then retry the entry")
        body, proof = _split_proof(payload)
        identity = {k: body[k] for k in ("id_number", "credit_code") if body.get(k)}
        # Queued while offline: the citizen has left, so the result waits at the platform for pickup.
        document = query(body["item_code"], entry.idempotency_key, deliver="pickup", proof=proof, **identity)
        return {"item_code": document.item_code, "verification_code": document.verification_code,
                "issued_at": document.issued_at, "receipt_number": document.receipt_number}

    def _materials(self, entry: EntryMeta, payload: dict[str, Any], images: list[UploadedImage]) -> dict[str, Any]:
        ids = [str((image.ref or {}).get("material_id", "")) for image in images]
        if not ids or not all(ids):
            raise RetryLater(f"material_image entry {entry.id}: an image has no material id yet; uploading again")
        body = {"receipt_number": payload["receipt_number"], "material_code": payload["material_code"],
                "material_ids": ids}
        self._call("POST", "/materials", f"material_image entry {entry.id}",
                   data=json.dumps(body).encode(),
                   headers={"Content-Type": "application/json", "Idempotency-Key": entry.idempotency_key})
        return {"material_ids": ids}

    # ------------------------------------------------------------------ HTTP for the endpoints the client lacks

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> dict[str, Any]:
        client = self.client
        try:
            response = client._http.request(method, f"{client.base_url}/v1{path}", timeout=client.timeout, **kwargs)
        except requests.RequestException as error:
            raise RetryLater(f"{what}: network: {type(error).__name__}") from None
        if response.status_code < 300:
            try:
                return response.json()
            except ValueError:
                raise RetryLater(f"{what}: the platform's answer is not JSON") from None
        try:
            reason = str(response.json().get("reason", ""))
        except (ValueError, AttributeError):
            reason = ""
        error = PlatformError("server" if response.status_code >= 500 else "rejected",
                              f"HTTP {response.status_code} {reason}", response.status_code,
                              _retry_after(response.headers.get("Retry-After")))
        raise _outcome(error, what)


def _split_proof(payload: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(the body as the platform expects it, the verification proof queued with it or None)."""
    body = dict(payload)
    proof = body.pop(PROOF_KEY, None)
    return body, str(proof) if proof else None


def _outcome(error: PlatformError, what: str) -> RetryLater | Rejected:
    status = error.status
    if error.kind == "unreachable":
        return RetryLater(f"{what}: platform unreachable")
    if error.kind == "bad_answer":
        # It may have applied the request; a resend under the same key is answered, not applied twice.
        return RetryLater(f"{what}: platform answer not understood")
    if status is None or status >= 500 or status in (408, 409, 429):
        return RetryLater(f"{what}: HTTP {status}", error.retry_after)
    if status == 401:
        code = next((c for c in _AUTH_ADVICE if c in str(error)), "")
        advice = _AUTH_ADVICE.get(code, "device not authorised, check [platform] device_secret and the clock")
        log.error("platform refused the kiosk's signature (%s): %s", code or "401", advice)
        return RetryLater(f"{what}: HTTP 401 {code}: {advice}".replace("  ", " "), error.retry_after)
    # The problem type names the cause (e.g. proof-expired: the citizen must verify again) without quoting
    # the platform's detail text.
    kind = error.problem_type.rsplit("/", 1)[-1] if error.problem_type else ""
    # The refused field (e.g. "form.phone", never its value) tells the technician what to fix (issue #14).
    field = str((getattr(error, "problem", None) or {}).get("field") or "")[:60]
    return Rejected(f"{what}: HTTP {status} {kind}".rstrip() + (f" (field {field})" if field else ""), status)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
