"""Identify the citizen: a typed ID number, a card on the reader, a QR code the platform verifies, and the
live face the platform matches against the card's registered photo (人证比对).

The desk keeps the level the current journey needs (``need``) and refuses what cannot reach it: a typed
number never opens someone's records."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from kiosk.desk.assurance import Step, card_expiry, missing_step
from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Identified, IdentifyRefused, Message
from kiosk.desk.refusals import face_refusal, identity_token_refusal
from kiosk.idnumber import IdNumberError, parse_card_number, parse_id_number
from kiosk.platform_client import CardEvidence, Verification, card_digest, verification
from kiosk.qrpayload import QrKind, QrPayload, QrPayloadError, classify_qr
from kiosk.session import Level

log = logging.getLogger(__name__)


class IdentityDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context
        self.need = Level.CLAIMED  # what the journey that asked needs; reset with the session

    def missing(self, need: Level) -> Step | None:
        return missing_step(self.context.session.citizen, need)

    def typed(self, text: str) -> Identified | IdentifyRefused:
        try:  # a typo is pointed out first: the citizen sees the pad works and what was wrong
            parse_id_number(text)
        except IdNumberError as error:
            return IdentifyRefused(Message(error.key))
        if self.need > Level.CLAIMED:
            # A typed number must not open anything personal, whoever's it is: nothing is attached.
            return IdentifyRefused(Message("identify.typed_not_enough"))
        return self._identify(text, source="typed")

    def card(self, card: Any, today: dt.date | None = None) -> Identified | IdentifyRefused:
        """A card read on the reader (``devices.idreader.card.IdCard``): the chip is authenticated by the SAM."""
        expired, days_left = card_expiry(card.valid_until, today)
        if expired:
            return IdentifyRefused(Message("identify.card_expired", {"date": card.valid_until.isoformat()}))
        try:  # the chip's number must belong to the card's kind (a resident card, a permit, a foreign card)
            parsed = parse_card_number(card.id_number, card.kind, card.birth_date, card.sex)
        except IdNumberError as error:
            return IdentifyRefused(Message("identify.card_invalid", {"reason": Message(error.key)}))
        evidence = CardEvidence(dt.datetime.now().astimezone(), card.valid_until, card_digest(card))
        outcome = self._identify(card.id_number, name=card.name, source="id_card", level=Level.CARD,
                                 card=evidence, card_valid_until=card.valid_until, parsed=parsed)
        if isinstance(outcome, IdentifyRefused):
            return IdentifyRefused(Message("identify.card_invalid", {"reason": outcome.message}))
        if days_left is not None:  # 证照临期提醒
            return Identified(outcome.citizen, Message("identify.card_expiring",
                                                       {"date": card.valid_until.isoformat(), "days": days_left}))
        return outcome

    def code(self, text: str) -> Identified | IdentifyRefused | QrPayload:
        """A code scanned at the identify screen: an ID number is only a claim; a token must be verified by the
        platform (``verify_token`` in the background); anything else is refused, never opened."""
        try:
            payload = classify_qr(text)
        except QrPayloadError as error:
            log.info("refused a scanned code (%s)", error.key)
            return IdentifyRefused(Message(error.key))
        if payload.kind is QrKind.ID_NUMBER:
            if self.need > Level.CLAIMED:
                return IdentifyRefused(Message("identify.typed_not_enough"))
            return self._identify(payload.value, source="qr")
        if payload.kind is QrKind.RECEIPT:
            return IdentifyRefused(Message("identify.receipt_qr"))
        return payload

    def verify_token(self, payload: QrPayload) -> Identified | IdentifyRefused:
        """Worker thread: the platform says whose e-ID / e-social-card / provincial-app code this is, and
        vouches for it with a proof (level verified)."""
        client = self.context.services.client
        if client is None:
            return IdentifyRefused(Message("identify.qr_offline"))
        try:
            person = client.verify_identity(payload.kind.value, payload.value)
            proof = verification(person)
        except Exception as error:  # noqa: BLE001 - every failure is worded for the citizen
            return IdentifyRefused(identity_token_refusal(error))
        return self._identify(person["id_number"], name=person.get("name", ""), phone=person.get("phone", ""),
                              source="qr", level=Level.VERIFIED, proof=proof)

    def verify_face(self, jpeg: bytes) -> Identified | IdentifyRefused:
        """Worker thread: the live face's best frame and the card read here go to the platform (人证比对)."""
        matched = self.match_face(jpeg)
        return self.accept_face(matched) if isinstance(matched, Verification) else matched

    def match_face(self, jpeg: bytes) -> Verification | IdentifyRefused:
        """Worker thread: the platform matches the face (JPEG in memory only, never logged, never stored) with
        the registered photo of the card read here. Nothing is attached to the session yet: the kiosk may
        ask while the citizen is still blinking, and only accepts the answer once liveness passed."""
        citizen, client = self.context.session.citizen, self.context.services.client
        if citizen is None or citizen.card is None:
            return IdentifyRefused(Message("face.error.no_card"))
        if client is None:
            return IdentifyRefused(Message("face.error.offline"))
        try:
            return client.verify_face(citizen.id_number, citizen.card, jpeg)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            return IdentifyRefused(face_refusal(error))

    def accept_face(self, matched: Verification | IdentifyRefused) -> Identified | IdentifyRefused:
        """Liveness passed on the kiosk: a match the platform vouched for makes the identity verified."""
        citizen = self.context.session.citizen
        if not isinstance(matched, Verification):
            return matched
        if citizen is None or citizen.card is None:
            return IdentifyRefused(Message("face.error.no_card"))
        return self._identify(citizen.id_number, name=citizen.name, phone=citizen.phone, source="face",
                              level=Level.VERIFIED, proof=matched, card=citizen.card,
                              card_valid_until=citizen.card_valid_until)

    def _identify(self, id_number: str, name: str = "", phone: str = "", source: str = "typed",
                  level: Level = Level.CLAIMED, **evidence: Any) -> Identified | IdentifyRefused:
        try:
            citizen = self.context.flow.identify(id_number, name=name, phone=phone, source=source,  # type: ignore[arg-type]
                                                 level=level, **evidence)
        except IdNumberError as error:
            return IdentifyRefused(Message(error.key))
        return Identified(citizen)
