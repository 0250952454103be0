"""The one place a platform error becomes words for the citizen. Each journey has its own wording, but the
decision "outage or answer" is ``PlatformError.is_outage`` and the HTTP status → reason table lives here."""

from __future__ import annotations

import logging

from kiosk.desk.outcomes import Message
from kiosk.platform_client import PlatformError

log = logging.getLogger(__name__)

# The platform's answers to a pickup, as reasons a citizen understands (the same keys as kiosk.rules.pickup).
PICKUP_REFUSALS: dict[int, str] = {
    403: "flows.pickup.not_applicant",  # another person's identity
    409: "flows.pickup.not_ready",
    422: "flows.pickup.invalid_id",
}
# A refusal that means "this identity cannot collect it": the identity is forgotten and another card asked for.
OTHER_CARD_REASONS = frozenset({"flows.pickup.not_applicant", "flows.pickup.invalid_id"})


def is_outage(error: BaseException) -> bool:
    return isinstance(error, PlatformError) and error.is_outage


def status_of(error: BaseException) -> int | None:
    return error.status if isinstance(error, PlatformError) else None


def identity_token_refusal(error: BaseException) -> Message:
    return Message("identify.qr_offline" if is_outage(error) else "identify.qr_unknown")


# The platform's problem types for a face check (kiosk/sandbox/identity.py), as what the citizen is told.
FACE_REFUSALS: dict[str, str] = {
    "face-not-matched": "face.error.not_matched",
    "card-expired": "face.error.card_expired",
    "card-read-stale": "face.error.card_stale",
    "too-many-face-attempts": "face.error.too_many",
    "face-matching-unavailable": "face.error.unavailable",
}


def face_refusal(error: BaseException) -> Message:
    if is_outage(error):
        return Message("face.error.offline")
    problem = error.problem_type if isinstance(error, PlatformError) else ""
    for suffix, key in FACE_REFUSALS.items():
        if problem.endswith(suffix):
            return Message(key)
    log.warning("face check failed: %r", error)
    return Message("face.error.not_matched")


def submit_refusal(error: BaseException) -> Message:
    if is_outage(error):
        return Message("confirm.error.unreachable")
    if isinstance(error, PlatformError):
        return Message("confirm.error.rejected", {"detail": str(error)})
    log.error("submitting failed unexpectedly: %r", error)
    return Message("confirm.error.unexpected")


def query_refusal(error: BaseException) -> Message:
    if is_outage(error):
        return Message("query.offline")
    if status_of(error) == 404:
        return Message("query.not_found")
    return Message("query.failed")


def progress_refusal(error: BaseException, receipt_number: str) -> Message:
    if is_outage(error):
        key = "desk.error.offline"
    elif status_of(error) == 404:
        key = "desk.error.unknown"
    else:
        log.warning("progress lookup failed: %r", error)
        key = "desk.error.unexpected"
    return Message(key, {"number": receipt_number})


def ticket_refusal(error: BaseException) -> Message:
    if isinstance(error, PlatformError) and error.kind == "rejected":
        return Message("desk.ticket.refused")
    log.error("queue ticket failed: %r", error)
    return Message("desk.ticket.failed")
