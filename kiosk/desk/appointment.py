"""Appointments with slots (issue #17): the platform's bookable days (working days only: the holiday calendar
on the platform's side) and half-day slots with what is left; booking, change and cancel with a verified
identity; a printed slip whose QR checks in on arrival and prints a priority queue ticket.

Offline, appointments are not offered (the platform holds the capacity: a kiosk cannot promise a slot), and
the queue tickets keep working (kiosk/desk/service.py)."""

from __future__ import annotations

import datetime as dt
import logging

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message, PrintJob
from kiosk.desk.outcomes_service import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRefused,
    AppointmentsUnavailable,
    CheckedIn,
    CheckingIn,
    CheckInRefused,
    ShowSlots,
)
from kiosk.desk.refusals import is_outage, status_of
from kiosk.platform_client import PlatformError
from kiosk.platform_service import Appointment
from kiosk.printing.service_documents import APPOINTMENT_QR_PREFIX
from kiosk.session import Level

log = logging.getLogger(__name__)

CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

# The platform's refusals (problem types, kiosk/sandbox/appointments.py) as what the citizen is told.
REFUSALS = {
    "slot-full": "finish.appt.slot_full",
    "already-booked": "finish.appt.already_booked",
    "not-a-working-day": "finish.appt.not_working_day",
    "outside-booking-window": "finish.appt.outside_window",
    "not-the-applicant": "finish.appt.not_yours",
    "not-today": "finish.appt.not_today",
    "appointment-cancelled": "finish.appt.was_cancelled",
    "appointment-checked_in": "finish.appt.already_checked_in",
    "not-found": "finish.appt.unknown_code",
    "unknown-point": "finish.appt.unknown_point",  # [kiosk] service_point names no point the platform has
}


def refusal(error: BaseException, default: str, point: str = "") -> Message:
    if is_outage(error):
        return Message("finish.appt.offline")
    problem = error.problem if isinstance(error, PlatformError) else None
    kind = (error.problem_type if isinstance(error, PlatformError) else "").rstrip("/").rsplit("/", 1)[-1]
    if kind == "unknown-point":
        # A configuration mistake, not the citizen's: the technician reads this line in the log.
        log.error("appointments: the platform knows no service point %r ([kiosk] service_point in the config); "
                  "set it to the point id the platform issued for this kiosk", point)
    if kind in REFUSALS:
        return Message(REFUSALS[kind], {"date": (problem or {}).get("date", ""), "point": point})
    log.warning("appointment step refused: %r", status_of(error))
    return Message(default)


def check_in_code(text: str) -> str | None:
    """The check-in code of a scanned appointment slip, None when the text is not one."""
    if not text.startswith(APPOINTMENT_QR_PREFIX):
        return None
    code = text[len(APPOINTMENT_QR_PREFIX):]
    return code if 16 <= len(code) <= 64 and set(code) <= CODE_CHARS else None


class AppointmentDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    @property
    def point(self) -> str:
        """The service point this kiosk books for: the platform's point id from ``[kiosk] service_point``."""
        return self.context.config.kiosk.service_point

    def is_appointment(self) -> bool:
        item = self.context.item()
        return item is not None and item.kind == "appointment"

    def _verified(self):  # noqa: ANN202 - Citizen | None
        citizen = self.context.session.citizen
        return citizen if citizen is not None and citizen.level >= Level.VERIFIED else None

    def slots(self) -> ShowSlots | AppointmentsUnavailable | AppointmentRefused:
        """Worker thread: the bookable days of the chosen item, and the citizen's current booking of it."""
        item, client = self.context.item(), self.context.services.client
        if item is None:
            return AppointmentRefused(Message("flow.error.no_item"))
        if client is None:
            return AppointmentsUnavailable(Message("finish.appt.offline"))
        try:
            days = client.appointment_slots(item.code, self.point)
            booked = None
            citizen = self._verified()
            if citizen is not None:
                mine = client.my_appointments(citizen.id_number, proof=citizen.proof_token)
                booked = next((a for a in mine if a.item_code == item.code and a.status == "booked"), None)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            if is_outage(error):
                return AppointmentsUnavailable(Message("finish.appt.offline"))
            return AppointmentRefused(refusal(error, "finish.appt.failed", self.point))
        if not days:
            return AppointmentsUnavailable(Message("finish.appt.no_days"))
        return ShowSlots(item.code, self.context.shown_item_name(item.code), self.point, tuple(days), booked)

    def book(self, date: dt.date, slot_id: str) -> AppointmentBooked | AppointmentRefused | AppointmentsUnavailable:
        """Worker thread: book (or, with a current booking of this item, move it to) the chosen slot."""
        item, client, citizen = self.context.item(), self.context.services.client, self._verified()
        if item is None:
            return AppointmentRefused(Message("flow.error.no_item"))
        if citizen is None:
            return AppointmentRefused(Message("identify.typed_not_enough"))
        if client is None:
            return AppointmentsUnavailable(Message("finish.appt.offline"))
        current = self.context.session.service.get("appointment")
        try:
            if current is not None and current.item_code == item.code and current.status == "booked":
                booked = client.change_appointment(current.number, citizen.id_number, date, slot_id,
                                                   proof=citizen.proof_token)
                said = "finish.appt.changed"
            else:
                booked = client.book_appointment(
                    {"item_code": item.code, "point": self.point, "date": date.isoformat(), "slot": slot_id,
                     "id_number": citizen.id_number, "name": citizen.name or "未登记"}, proof=citizen.proof_token)
                said = "finish.appt.booked"
        except Exception as error:  # noqa: BLE001
            return AppointmentRefused(refusal(error, "finish.appt.failed", self.point))
        self.context.session.service["appointment"] = booked
        return AppointmentBooked(booked, Message(said, {"number": booked.number}), self._slip(booked))

    def keep(self, appointment: Appointment | None) -> None:
        """The booking shown on the slots screen is the one "change" and "cancel" act on."""
        self.context.session.service["appointment"] = appointment

    def cancel(self) -> AppointmentCancelled | AppointmentRefused:
        """Worker thread: cancel the citizen's booking shown on the screen."""
        client, citizen = self.context.services.client, self._verified()
        current = self.context.session.service.get("appointment")
        if current is None:
            return AppointmentRefused(Message("finish.appt.nothing_to_cancel"))
        if citizen is None:
            return AppointmentRefused(Message("identify.typed_not_enough"))
        if client is None:
            return AppointmentRefused(Message("finish.appt.offline"))
        try:
            client.cancel_appointment(current.number, citizen.id_number, proof=citizen.proof_token)
        except Exception as error:  # noqa: BLE001
            return AppointmentRefused(refusal(error, "finish.appt.failed"))
        self.context.session.service.pop("appointment", None)
        return AppointmentCancelled(current.number, Message("finish.appt.cancelled", {"number": current.number}))

    def scanned(self, text: str) -> CheckingIn | None:
        """A code scanned at home or the ticket screen: an appointment slip checks in; None: not a slip."""
        code = check_in_code(text)
        return CheckingIn(code) if code else None

    def check_in(self, code: str) -> CheckedIn | CheckInRefused:
        """Worker thread: the slip's code → a priority queue ticket (no identity needed: the slip is the proof
        of the booking, and a ticket names nobody)."""
        client = self.context.services.client
        if client is None:
            return CheckInRefused(Message("finish.appt.checkin_offline"))
        try:
            done = client.check_in_appointment(code)
        except Exception as error:  # noqa: BLE001
            if is_outage(error):
                return CheckInRefused(Message("finish.appt.checkin_offline"))
            return CheckInRefused(refusal(error, "finish.appt.failed"))
        from kiosk.printing.service_documents import priority_ticket

        kiosk, appointment = self.context.config.kiosk, done.appointment
        slot = f"{appointment.date.isoformat()} {appointment.label} {appointment.start}–{appointment.end}"
        document = priority_ticket(centre_name=kiosk.centre_name, ticket=done.ticket, department=done.department,
                                   item_name=self.context.item_name(appointment.item_code), slot_text=slot,
                                   kiosk_id=kiosk.device_id)
        return CheckedIn(done.ticket, Message("finish.appt.checked_in", {"ticket": done.ticket}),
                         PrintJob(document, Message("desk.ticket.printed"), failed=Message("desk.ticket.print_failed")))

    def _slip(self, appointment: Appointment) -> PrintJob:
        from kiosk.printing.service_documents import appointment_slip

        kiosk, citizen = self.context.config.kiosk, self.context.session.citizen
        document = appointment_slip(
            centre_name=kiosk.centre_name, item_name=self.context.item_name(appointment.item_code),
            number=appointment.number, date=appointment.date, slot_label=appointment.label,
            start=appointment.start, end=appointment.end, point_name=kiosk.centre_name,
            applicant_name=citizen.name if citizen else "", id_number=citizen.id_number if citizen else "",
            check_in_code=appointment.check_in_code, kiosk_id=kiosk.device_id)
        return PrintJob(document, Message("finish.appt.slip_printed"), failed=Message("finish.appt.slip_failed"))
