"""Identify the citizen: a typed ID number, a card on the reader, or a QR code the platform verifies."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Identified, IdentifyRefused, Message
from kiosk.desk.refusals import identity_token_refusal
from kiosk.idnumber import IdNumberError
from kiosk.qrpayload import QrKind, QrPayload, QrPayloadError, classify_qr

log = logging.getLogger(__name__)


class IdentityDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def typed(self, text: str) -> Identified | IdentifyRefused:
        return self._identify(text, source="typed")

    def card(self, card: Any) -> Identified | IdentifyRefused:
        """A card read on the reader (``devices.idreader.card.IdCard``)."""
        try:
            citizen = self.context.flow.identify(card.id_number, name=card.name, source="id_card")
        except IdNumberError as error:
            return IdentifyRefused(Message("identify.card_invalid", {"reason": Message(error.key)}))
        return Identified(citizen)

    def code(self, text: str) -> Identified | IdentifyRefused | QrPayload:
        """A code scanned at the identify screen: an ID number identifies at once; a token must be verified
        by the platform (``verify_token`` in the background); anything else is refused, never opened."""
        try:
            payload = classify_qr(text)
        except QrPayloadError as error:
            log.info("refused a scanned code (%s)", error.key)
            return IdentifyRefused(Message(error.key))
        if payload.kind is QrKind.ID_NUMBER:
            return self._identify(payload.value, source="qr")
        if payload.kind is QrKind.RECEIPT:
            return IdentifyRefused(Message("identify.receipt_qr"))
        return payload

    def verify_token(self, payload: QrPayload) -> Identified | IdentifyRefused:
        """Worker thread: the platform says whose e-ID / e-social-card / provincial-app code this is."""
        client = self.context.services.client
        if client is None:
            return IdentifyRefused(Message("identify.qr_offline"))
        try:
            person = client.verify_identity(payload.kind.value, payload.value)
        except Exception as error:  # noqa: BLE001 - every failure is worded for the citizen
            return IdentifyRefused(identity_token_refusal(error))
        return self._identify(person["id_number"], name=person.get("name", ""), phone=person.get("phone", ""),
                              source="qr")

    def _identify(self, id_number: str, name: str = "", phone: str = "", source: str = "typed") -> Identified | IdentifyRefused:
        try:
            citizen = self.context.flow.identify(id_number, name=name, phone=phone, source=source)  # type: ignore[arg-type]
        except IdNumberError as error:
            return IdentifyRefused(Message(error.key))
        return Identified(citizen)
