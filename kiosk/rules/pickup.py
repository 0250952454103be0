"""Collecting a result at the kiosk (自助取件): printed only for the applicant. The ID presented (card or
typed) must be the applicant's; a relative or a stranger is sent to the window, where an agent's
authorisation can be checked by a person."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from kiosk.idnumber import IdNumberError, parse_id_number

READY_STATUSES = frozenset({"ready", "picked_up"})  # a result can be printed again after a paper jam


@dataclass(frozen=True, slots=True)
class PickupCheck:
    allowed: bool
    reason_key: str  # flows.pickup.{ok,not_ready,invalid_id,not_applicant}

    @property
    def reason(self) -> str:
        return self.reason_key.rsplit(".", 1)[-1]


def check_pickup(applicant_id_number: str, presented_id_number: str, status: str = "ready") -> PickupCheck:
    """Both numbers are normalised first (a 15-digit card, a lower-case x), then compared in constant time."""
    if status not in READY_STATUSES:
        return PickupCheck(False, "flows.pickup.not_ready")
    try:
        presented = parse_id_number(presented_id_number).number
    except IdNumberError:
        return PickupCheck(False, "flows.pickup.invalid_id")
    try:
        applicant = parse_id_number(applicant_id_number).number
    except IdNumberError:
        # A record with a broken applicant number matches nobody: a person at the window sorts it out.
        return PickupCheck(False, "flows.pickup.not_applicant")
    if not hmac.compare_digest(presented.encode(), applicant.encode()):
        return PickupCheck(False, "flows.pickup.not_applicant")
    return PickupCheck(True, "flows.pickup.ok")
