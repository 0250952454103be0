"""What issue #17's desk steps answer (fees, delivery, appointments, 电子证照, 我的办件): typed outcomes the App
routes to a screen (screens/routes_service.py registers how each is shown). Words are ``Message`` keys."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.desk.outcomes import Message, PrintJob
from kiosk.platform_service import Appointment, Certificate, PaymentOrder, SlotDay


# -- fees ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ShowPayment:
    """The order's QR for the citizen's phone, the amount, and until when it may be paid."""

    order: PaymentOrder
    amount: Message
    deadline: Message


@dataclass(frozen=True, slots=True)
class PaymentPending:
    order: PaymentOrder


@dataclass(frozen=True, slots=True)
class Paid:
    order: PaymentOrder
    message: Message
    job: PrintJob  # the payment receipt with the 电子票据 number


@dataclass(frozen=True, slots=True)
class PaymentEnded:
    """Not paid: cancelled, timed out, or the platform refused; ``reason`` is cancelled | expired | failed."""

    reason: str
    message: Message


@dataclass(frozen=True, slots=True)
class PayAtPickup:
    """Offline: the application is saved on this kiosk; the fee is paid when the result is collected."""

    message: Message


# -- delivery --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    methods: tuple[str, ...]  # the item's guide.delivery that the citizen may choose from
    chosen: str


@dataclass(frozen=True, slots=True)
class DeliveryChosen:
    method: str
    summary: Message  # e.g. 邮寄（邮费 12.00 元）


@dataclass(frozen=True, slots=True)
class DeliveryRefused:
    message: Message


# -- appointments ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LoadSlots:
    """An appointment item: show the slots screen (loading) and ask the platform (``appointments.slots``)."""

    item_code: str


@dataclass(frozen=True, slots=True)
class ShowSlots:
    item_code: str
    item_name: str
    point: str
    days: tuple[SlotDay, ...]
    booked: Appointment | None  # the citizen's current booking of this item (change or cancel it)


@dataclass(frozen=True, slots=True)
class AppointmentsUnavailable:
    """Offline (or the platform has no slots): appointments are not offered, tickets still work."""

    message: Message


@dataclass(frozen=True, slots=True)
class AppointmentBooked:
    appointment: Appointment
    message: Message
    job: PrintJob  # the appointment slip with its check-in QR


@dataclass(frozen=True, slots=True)
class AppointmentCancelled:
    number: str
    message: Message


@dataclass(frozen=True, slots=True)
class AppointmentRefused:
    message: Message


@dataclass(frozen=True, slots=True)
class CheckingIn:
    """A slip's QR was scanned: check in on a worker thread (``Desk.appointments.check_in``)."""

    code: str


@dataclass(frozen=True, slots=True)
class CheckedIn:
    ticket: str
    message: Message
    job: PrintJob  # the priority queue ticket


@dataclass(frozen=True, slots=True)
class CheckInRefused:
    message: Message


# -- electronic certificates -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ShowCertificates:
    certificates: tuple[Certificate, ...]
    usable: dict[str, str]  # material name → certificate id, for the current item's materials


@dataclass(frozen=True, slots=True)
class CertificateUsed:
    material: str
    title: str


@dataclass(frozen=True, slots=True)
class CopyPrinted:
    job: PrintJob


@dataclass(frozen=True, slots=True)
class CertificatesRefused:
    message: Message


# -- 我的办件 -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MyApplicationRow:
    receipt_number: str
    item_name: str
    status: Message
    when: str
    where: Message
    ready: bool


@dataclass(frozen=True, slots=True)
class ShowMyApplications:
    rows: tuple[MyApplicationRow, ...]
    appointments: tuple[Appointment, ...]
    ready_count: int


@dataclass(frozen=True, slots=True)
class MyApplicationsRefused:
    message: Message
