"""好差评 after every service: five levels; a bad rating asks why and offers a callback (then followed up)."""

from __future__ import annotations

import logging

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import AskRatingReasons, Message, Rated, StepRefused
from kiosk.flow import RATING_LEVELS, FlowError
from kiosk.masking import mask_phone

log = logging.getLogger(__name__)

BAD_LEVEL = 2  # 不满意 and 非常不满意 ask for a reason (好差评: every bad rating is followed up)
REASON_KEYS = ("rating.reason.wait", "rating.reason.hard", "rating.reason.device", "rating.reason.materials",
               "rating.reason.staff", "rating.reason.other")
LEVELS = RATING_LEVELS  # (level, i18n key), best first


class RatingDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def choose(self, level: int) -> AskRatingReasons | None:
        """A level tapped: a bad one asks why first (None: send it as it is, with ``send``)."""
        if level > BAD_LEVEL:
            return None
        session = self.context.session
        phone = session.form.get("phone") or (session.citizen.phone if session.citizen else "")
        callback = (Message("rating.callback_phone", {"phone": mask_phone(phone)}) if phone
                    else Message("rating.callback_no_phone"))
        return AskRatingReasons(level, REASON_KEYS, callback)

    def send(self, level: int, reasons: list[str] | None = None, callback: bool = False) -> Rated | StepRefused:
        """Worker thread. Through the outbox: a rating given offline still reaches the platform."""
        session = self.context.session
        try:
            body = self.context.flow.rating_body(level, reasons, callback)
        except FlowError as error:
            return StepRefused(Message(error.key))
        if session.local_reference:
            body["receipt_number"] = None  # filled in from the kiosk's record once the platform gave one
        submitter = self.context.services.submitter
        try:
            if submitter is None:
                raise RuntimeError("no outbox")
            submitter.submit_rating(body, local_reference=session.local_reference)
        except Exception as error:  # noqa: BLE001 - the citizen is thanked either way; the log says why
            log.warning("rating not stored: %s", error)
        return Rated(Message("rating.thanks"))
