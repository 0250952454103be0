"""The service desk: progress queries (进度查询), self-service pickup (自助领取) and queue tickets (取号).

Progress is public and keyed by the receipt number, so what it shows carries no personal data. A result is
printed only for its applicant: the platform compares the identity presented with the applicant's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.complaints import is_complaint_number
from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import (
    HistoryStep,
    LookingUp,
    Message,
    PickedUp,
    PickupFailed,
    PickupReady,
    PickupRefused,
    PrintJob,
    ProgressView,
    ReceiptRefused,
    TicketIssued,
    TicketRefused,
)
from kiosk.desk.outcomes_help import ComplaintStatusView
from kiosk.desk.refusals import (
    OTHER_CARD_REASONS,
    PICKUP_REFUSALS,
    is_outage,
    progress_refusal,
    status_of,
    ticket_refusal,
)
from kiosk.i18n import translate
from kiosk.platform_client import PlatformError, Progress, ProgressStep, new_idempotency_key
from kiosk.printing.document import Align, Document, Text
from kiosk.qrpayload import QrKind, QrPayloadError, classify_qr
from kiosk.references import is_local_reference
from kiosk.rules.pickup import check_pickup
from kiosk.rules.tickets import OfflineTicketBook, QueueNumber, kiosk_prefix, take_ticket
from kiosk.session import Level

log = logging.getLogger(__name__)

KNOWN_STATUSES = ("accepted", "reviewing", "approved", "ready", "picked_up", "rejected")
STATUS_TONES = {"ready": "ok", "picked_up": "ok", "approved": "ok", "rejected": "alert"}
PICKUP_LEVEL = Level.VERIFIED  # a result is personal: the card and the live face, or a verified e-ID
TICKET_HOME_DELAY_S = 8.0  # long enough to read the number and take the paper; a ticket is not rated


def status_message(status: str, kind: str = "status") -> Message:
    """The plain-Chinese name (kind "status") or explanation (kind "explain") of a platform status; a status
    this kiosk does not know yet gets a neutral wording, never the platform's English code."""
    return Message(f"desk.{kind}.{status if status in KNOWN_STATUSES else 'other'}")


def step_time(at: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at  # shown as the platform wrote it rather than dropping the step
    return translate("desk.progress.when", year=moment.year, month=moment.month, day=moment.day,
                     hour=moment.hour, minute=moment.minute)


def history(steps: Sequence[ProgressStep]) -> tuple[HistoryStep, ...]:
    """Oldest first, like a story: when, what, and the office's note."""
    return tuple(HistoryStep(step_time(step.at), status_message(step.status).text(), step.note) for step in steps)


# Citizens look for a hall's windows by the service ("社保医保", "户籍"), not by the bureau's formal name: a
# catalog category names its service, and 社保 and 医保 share one window as most halls arrange them.
SERVICE_OF_CATEGORY = {"社保": "社保医保", "医保": "社保医保", "卫健": "卫生健康", "一件事": "一件事一次办"}


@dataclass(frozen=True, slots=True)
class TicketService:
    name: str  # what the button and the paper say: "社保医保"
    department: str  # the queue the platform numbers: its ticket call takes a catalog department (the contract)


def ticket_services(items: Iterable[Any], override: Mapping[str, str] | None = None) -> list[TicketService]:
    """The services a citizen takes a number for, each once, in catalog order; a merged service queues at the
    department of its first item. ``override`` ([kiosk] ticket_services: service name -> department) replaces
    the derived list where a hall arranges its windows otherwise."""
    if override:
        return [TicketService(name, department) for name, department in override.items()]
    services: dict[str, str] = {}
    for item in items:
        if item.department:
            services.setdefault(SERVICE_OF_CATEGORY.get(item.category, item.category), item.department)
    return [TicketService(name, department) for name, department in services.items()]


def service_label(name: str, language: str | None = None) -> str:
    """A ticket service's name in the citizen's language (desk.ticket.services.*); the name itself when the
    locale files do not know it (a hall's own ``ticket_services``)."""
    key = f"desk.ticket.services.{name}"
    text = translate(key, language)
    return name if text == key else text


def ticket_document(number: QueueNumber, *, centre_name: str, kiosk_id: str, service_name: str = "") -> Document:
    """The queue_ticket slip, naming the service the citizen chose. Offline, the hall's queue is unknown: the
    layout would print "0 people ahead", which is false, so that line is replaced by the plain offline notice."""
    from kiosk.printing.documents import queue_ticket

    ticket = number.printable(centre_name=centre_name, service_name=service_name or number.department,
                              kiosk_id=kiosk_id)
    document = queue_ticket(ticket)
    if number.offline:
        zero = translate("printing.ticket.waiting", count=ticket.waiting_count)
        document.elements = [
            Text(translate("flows.ticket.offline"), Align.CENTER, bold=True)
            if isinstance(element, Text) and element.text == zero else element
            for element in document.elements
        ]
    return document


class ServiceDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context
        self._ticket_book: OfflineTicketBook | None = None
        self._book_lock = threading.Lock()

    # -- receipt entry and progress -----------------------------------------------------------------------
    def scanned(self, text: str) -> LookingUp | ReceiptRefused:
        """A code scanned at the receipt entry: only the kiosk's own receipt QR is looked up."""
        if is_complaint_number(text or ""):  # the barcode on a complaint slip (TS…)
            return LookingUp(text.strip().upper())
        try:
            payload = classify_qr(text)
        except QrPayloadError as error:
            return ReceiptRefused(Message(error.key))
        if payload.kind is not QrKind.RECEIPT:
            return ReceiptRefused(Message("progress.not_a_receipt"))
        return LookingUp(payload.value)

    def look_up(self, receipt_number: str, mode: str) -> ProgressView | PickupReady | ReceiptRefused | ComplaintStatusView:
        """Worker thread. ``mode`` is "progress" or "pickup". A slip printed while offline carries this kiosk's
        local reference: its platform receipt is found in the kiosk's records first. A complaint number (TS…)
        is answered with the complaint's status."""
        if is_complaint_number(receipt_number):
            from kiosk.desk.help_status import complaint_status

            return complaint_status(getattr(self.context.services, "help", None), receipt_number)
        if is_local_reference(receipt_number):
            submitter = self.context.services.submitter
            resolved = submitter.receipt_for(receipt_number) if submitter is not None else None
            if resolved is None:  # not uploaded yet: the platform has no receipt for it
                return ReceiptRefused(Message("desk.error.not_uploaded"))
            receipt_number = resolved
        client = self.context.services.client
        if client is None:
            return ReceiptRefused(Message("desk.error.offline", {"number": receipt_number}))
        try:
            progress = client.application_progress(receipt_number)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            return ReceiptRefused(progress_refusal(error, receipt_number))
        if mode == "pickup" and progress.ready_for_pickup:
            return self.start_pickup(progress)
        # Asked to collect a result that is not ready: the status says what is happening instead.
        return self.progress_view(progress, Message("flows.pickup.not_ready") if mode == "pickup" else None)

    def progress_view(self, progress: Progress, notice: Message | None = None) -> ProgressView:
        return ProgressView(
            # The screen names the item in the citizen's language; the reprinted receipt keeps the office's Chinese.
            progress=progress, item_name=self.context.shown_item_name(progress.item_code),
            receipt=Message("desk.progress.receipt", {"number": progress.receipt_number}),
            current=Message("desk.progress.current", {"status": status_message(progress.status)}),
            tone=STATUS_TONES.get(progress.status, "info"), explain=status_message(progress.status, "explain"),
            history=history(progress.history),
            members=tuple((self.context.shown_item_name(m.item_code), m.receipt_number) for m in progress.members),
            bundle_receipt=progress.bundle_receipt, notice=notice, can_pick_up=progress.ready_for_pickup,
        )

    def reprint(self, progress: Progress) -> PrintJob:
        """补打回执: a copy of the receipt from public progress data (no identity needed, nothing personal)."""
        from kiosk.desk.reprint import receipt_copy

        kiosk = self.context.config.kiosk
        document = receipt_copy(progress, item_name=self.context.item_name(progress.item_code),
                                status_text=status_message(progress.status).text(),
                                centre_name=kiosk.centre_name, kiosk_id=kiosk.device_id)
        return PrintJob(document, Message("desk.reprint.printed"))

    # -- pickup -------------------------------------------------------------------------------------------
    def start_pickup(self, progress: Progress) -> PickupReady:
        session = self.context.session
        session.item_code = progress.item_code  # the rating screen rates this item
        session.receipt_number = progress.receipt_number
        hint = Message("desk.pickup.identify_hint") if session.citizen is None else None
        return PickupReady(progress, hint, PICKUP_LEVEL)

    def pick_up(self, progress: Progress) -> PickedUp | PickupRefused | PickupFailed:
        """Worker thread, once the citizen is identified."""
        citizen, client = self.context.session.citizen, self.context.services.client
        if citizen is None or citizen.level < PICKUP_LEVEL:  # never a request above the level held
            return PickupRefused(Message("identify.typed_not_enough"), other_card=True)
        # The applicant's ID number is the platform's to know (progress is public and carries none), so here
        # the rule checks what the kiosk can: the status and the number presented. The platform then
        # compares the two people with the same rule and answers 403 for anyone else.
        check = check_pickup(citizen.id_number, citizen.id_number, progress.status)
        if not check.allowed:
            return self._refused(check.reason_key)
        if client is None:
            return PickupFailed(Message("desk.pickup.offline"))
        session = self.context.session
        # Rating keys derive from it: each collection is rated once, never merged with another's rating.
        session.idempotency_key = session.idempotency_key or new_idempotency_key()
        try:
            pickup = client.pickup(progress.receipt_number, citizen.id_number, proof=citizen.proof_token)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            return self._pickup_error(error, progress.receipt_number)
        kiosk = self.context.config.kiosk
        from kiosk.printing.documents import query_result
        from kiosk.rules.queries import printable

        # The receipt number heads the printed rows: the clerk traces the paper back to the application.
        rows = ((translate("desk.pickup.receipt_number"), pickup.receipt_number), *pickup.document.rows)
        result = printable(dataclasses.replace(pickup.document, rows=rows), centre_name=kiosk.centre_name,
                           kiosk_id=kiosk.device_id, applicant_id_number=citizen.id_number,
                           applicant_name=citizen.name)  # the builder masks both
        return PickedUp(pickup.receipt_number, PrintJob(query_result(result), Message("desk.pickup.printed"),
                                                     failed=Message("desk.pickup.print_failed")))

    def _pickup_error(self, error: BaseException, receipt_number: str) -> PickupRefused | PickupFailed:
        if is_outage(error):
            return PickupFailed(Message("desk.pickup.offline"))
        status = status_of(error)
        if status in PICKUP_REFUSALS:
            return self._refused(PICKUP_REFUSALS[status])
        if status == 404:
            return PickupRefused(Message("desk.pickup.unknown", {"number": receipt_number}), other_card=False)
        log.error("pickup failed unexpectedly: %r", error)
        return PickupFailed(Message("desk.pickup.unexpected"))

    def _refused(self, reason_key: str) -> PickupRefused:
        other_card = reason_key in OTHER_CARD_REASONS
        if other_card:
            # The identity presented cannot collect this result: forget it, so "place your own card" asks again.
            self.context.session.citizen = None
        return PickupRefused(Message(reason_key), other_card)

    # -- queue tickets ------------------------------------------------------------------------------------
    def ticket_services(self) -> list[TicketService]:
        catalog = self.context.catalog
        return ticket_services(catalog.items if catalog is not None else (),
                               getattr(self.context.config.kiosk, "ticket_services", None))

    def services(self) -> list[str]:
        """The names on the ticket screen's buttons ("社保医保", "公积金" …)."""
        return [service.name for service in self.ticket_services()]

    def take_ticket(self, service: str) -> TicketIssued | TicketRefused:
        """Worker thread: the platform's number for the service's queue, or this kiosk's own while the platform
        is down. A department's own name is taken as it is (the platform's ticket call takes departments)."""
        department = next((s.department for s in self.ticket_services() if s.name == service), service)
        try:
            number = take_ticket(self.context.services.client, self._book(), department)
        except (PlatformError, OSError) as error:
            return TicketRefused(ticket_refusal(error))
        waiting = (Message("desk.ticket.waiting_unknown") if number.waiting is None
                   else Message("desk.ticket.waiting", {"count": number.waiting}))
        kiosk = self.context.config.kiosk
        document = ticket_document(number, centre_name=kiosk.centre_name, kiosk_id=kiosk.device_id,
                                   service_name=service_label(service))
        return TicketIssued(number.number, waiting, number.offline, PrintJob(document, Message("desk.ticket.printed"),
                                                                          failed=Message("desk.ticket.print_failed")))

    def _book(self) -> OfflineTicketBook:
        # Created once, on first use (a worker thread): it opens a file, which the UI thread never waits on.
        with self._book_lock:
            if self._ticket_book is None:
                kiosk = self.context.config.kiosk
                self._ticket_book = OfflineTicketBook(kiosk.state_dir / "tickets.db", kiosk_prefix(kiosk.device_id))
            return self._ticket_book
