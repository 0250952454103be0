"""Progress queries (进度查询), self-service pickup (自助领取) and queue tickets (取号): the App mixin that drives
the progress, pickup and ticket screens.

Mixed into KioskApp, so it uses the App's ``background`` (platform calls on a worker thread, answers dropped
once the session ended), ``go``, ``screen``, ``session``, ``runtime``, ``require_identity`` and
``end_session``. Printing answers arrive on the print thread and are marshalled back with the session id
they belong to, as ``KioskApp.print_receipt`` does: a late paper never reaches the next citizen's screen.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable
from typing import Any

from kivy.clock import Clock

from kiosk.i18n import translate
from kiosk.platform_client import PlatformError, Progress, new_idempotency_key
from kiosk.printing.document import Align, Document, Text
from kiosk.printing.documents import query_result, queue_ticket
from kiosk.rules.pickup import check_pickup
from kiosk.rules.queries import printable
from kiosk.rules.tickets import OfflineTicketBook, QueueNumber, kiosk_prefix, take_ticket
from screens.pickup import PickupScreen
from screens.progress import ProgressScreen
from screens.ticket import TicketScreen

log = logging.getLogger(__name__)

SERVICE_DESK_KV: tuple[str, ...] = ("progress", "pickup", "ticket")  # progress.kv defines DeskStage: first
SERVICE_DESK_SCREENS: tuple = (ProgressScreen, PickupScreen, TicketScreen)

DEMO_RECEIPTS = {"progress": "ZW20261101000002", "pickup": "ZW20261101000001"}  # seeded in the sandbox
TICKET_HOME_DELAY_S = 8.0  # long enough to read the number and take the paper; a ticket is not rated
_PLATFORM_DOWN = ("unreachable", "server")


def departments(items: Iterable[Any]) -> list[str]:
    """The departments of the catalog items, each once, in catalog order (halls list them that way)."""
    return list(dict.fromkeys(item.department for item in items if item.department))


def ticket_document(number: QueueNumber, *, centre_name: str, kiosk_id: str) -> Document:
    """The queue_ticket slip. Offline, the hall's queue is unknown: the layout would print "0 people ahead",
    which is false, so that line is replaced by the plain offline notice."""
    ticket = number.printable(centre_name=centre_name, service_name=number.department, kiosk_id=kiosk_id)
    document = queue_ticket(ticket)
    if number.offline:
        zero = translate("printing.ticket.waiting", count=ticket.waiting_count)
        document.elements = [
            Text(translate("flows.ticket.offline"), Align.CENTER, bold=True)
            if isinstance(element, Text) and element.text == zero else element
            for element in document.elements
        ]
    return document


class ServiceDeskMixin:
    RECEIPT_SCREENS: tuple[str, ...] = ("progress",)
    _desk_ticket_book: OfflineTicketBook | None = None
    _desk_book_lock = threading.Lock()

    # -- entry points (home screen buttons) ---------------------------------------------------------------
    def open_progress(self) -> None:
        self._open_receipt_entry("progress")

    def open_pickup(self) -> None:
        self._open_receipt_entry("pickup")

    def open_tickets(self) -> None:
        state = self.catalog_state
        items = state.catalog.items if state is not None and state.catalog is not None else ()
        self.screen("ticket").show_departments(departments(items))
        self.go("ticket")

    def _open_receipt_entry(self, mode: str) -> None:
        self.screen("progress").start(mode)
        self.go("progress")

    # -- receipt entry and progress -----------------------------------------------------------------------
    def handle_receipt_code(self, receipt_number: str) -> None:
        """A receipt QR scanned on the progress screen (called on the UI thread)."""
        self.look_up_receipt(receipt_number)

    def present_demo_receipt(self) -> None:
        """Demo: the seeded receipt held up to the simulated camera; the real decode worker reads it."""
        from kiosk.demo_codes import qr_image
        from kiosk.receipts import receipt_qr_payload

        number = DEMO_RECEIPTS[self.screen("progress").mode]
        self.runtime.show_to_camera(qr_image(receipt_qr_payload(number)))

    def look_up_receipt(self, receipt_number: str) -> None:
        screen = self.screen("progress")
        if screen.stage == "looking_up":
            return  # the camera sees the same receipt many times a second
        if receipt_number.startswith("K-"):
            # A slip printed while offline carries this kiosk's local reference: find its platform receipt
            # in the kiosk's records (SQLite, so on a worker thread), then look that up.
            submitter = self.runtime.submitter
            if submitter is None:
                screen.show_error(translate("desk.error.not_uploaded"))
                return
            self.background(submitter.receipt_for, receipt_number, on_done=self._local_reference_resolved,
                            on_error=lambda _error: screen.show_error(translate("desk.error.not_uploaded")))
            return
        client = self.runtime.client
        if client is None:
            screen.show_error(translate("desk.error.offline"))
            return
        screen.show_looking_up(receipt_number)
        self.background(client.application_progress, receipt_number, on_done=self._progress_found,
                        on_error=lambda error: self._progress_failed(receipt_number, error))

    def _local_reference_resolved(self, receipt_number: str | None) -> None:
        if receipt_number is None:  # not uploaded yet: the platform has no receipt for it
            self.screen("progress").show_error(translate("desk.error.not_uploaded"))
        else:
            self.look_up_receipt(receipt_number)

    def _progress_found(self, progress: Progress) -> None:
        if self.manager.current != "progress":
            return
        screen = self.screen("progress")
        screen.progress = progress  # kept on the screen, so ending the session forgets it
        pickup = screen.mode == "pickup"
        if pickup and progress.ready_for_pickup:
            self._start_pickup(progress)
            return
        # Asked to collect a result that is not ready: the status says what is happening instead.
        notice = translate("flows.pickup.not_ready") if pickup else ""
        screen.show_progress(progress, self._item_name(progress.item_code),
                             {m.item_code: self._item_name(m.item_code) for m in progress.members}, notice)

    def _progress_failed(self, receipt_number: str, error: BaseException) -> None:
        if isinstance(error, PlatformError) and error.kind in _PLATFORM_DOWN:
            key = "desk.error.offline"
        elif isinstance(error, PlatformError) and error.status == 404:
            key = "desk.error.unknown"
        else:
            log.warning("progress of %s failed: %r", receipt_number, error)
            key = "desk.error.unexpected"
        self.screen("progress").show_error(translate(key, number=receipt_number))

    def _item_name(self, code: str) -> str:
        state = self.catalog_state
        if state is None or state.catalog is None:
            return code
        try:
            return state.catalog.item(code).name
        except KeyError:
            return code  # an item retired from the catalog still has its progress

    # -- pickup -------------------------------------------------------------------------------------------
    def pick_up_shown(self) -> None:
        """The pickup button on a ready application's progress."""
        progress = self.screen("progress").progress
        if progress is not None and progress.ready_for_pickup:
            self._start_pickup(progress)

    def retry_pickup(self) -> None:
        progress = self.screen("progress").progress
        if progress is not None:
            self._start_pickup(progress)

    def _start_pickup(self, progress: Progress) -> None:
        self.session.item_code = progress.item_code  # the rating screen rates this item
        self.session.receipt_number = progress.receipt_number
        if self.session.citizen is None:
            self.screen("identify").show_status(translate("desk.pickup.identify_hint"))
        self.require_identity(then=lambda: self._pick_up(progress))

    def _pick_up(self, progress: Progress) -> None:
        citizen = self.session.citizen
        screen = self.screen("pickup")
        screen.show_working(progress.receipt_number, translate("desk.pickup.working"))
        self.go("pickup")
        # The applicant's ID number is the platform's to know (progress is public and carries none), so here
        # the rule checks what the kiosk can: the status and the number presented. The platform then
        # compares the two people with the same rule and answers 403 for anyone else.
        check = check_pickup(citizen.id_number, citizen.id_number, progress.status)
        if not check.allowed:
            self._pickup_refused(check.reason_key)
            return
        client = self.runtime.client
        if client is None:
            screen.show_failed(translate("desk.pickup.failed"), translate("desk.pickup.offline"))
            return
        # Rating keys derive from it: each collection is rated once, never merged with another's rating.
        self.session.idempotency_key = self.session.idempotency_key or new_idempotency_key()
        self.background(client.pickup, progress.receipt_number, citizen.id_number,
                        on_done=self._picked_up, on_error=self._pickup_failed)

    def _pickup_refused(self, reason_key: str) -> None:
        other_card = reason_key in ("flows.pickup.not_applicant", "flows.pickup.invalid_id")
        if other_card:
            # The identity presented cannot collect this result: forget it, so "place your own card" asks again.
            self.session.citizen = None
            self.screen("identify").reset()
        self.screen("pickup").show_refused(translate("desk.pickup.refused"), translate(reason_key), other_card)

    def _pickup_failed(self, error: BaseException) -> None:
        screen = self.screen("pickup")
        if isinstance(error, PlatformError) and error.kind in _PLATFORM_DOWN:
            screen.show_failed(translate("desk.pickup.failed"), translate("desk.pickup.offline"))
        elif isinstance(error, PlatformError) and error.status in (403, 409, 422):
            reason = {403: "flows.pickup.not_applicant", 409: "flows.pickup.not_ready",
                      422: "flows.pickup.invalid_id"}[error.status]
            self._pickup_refused(reason)
        elif isinstance(error, PlatformError) and error.status == 404:
            screen.show_refused(translate("desk.pickup.refused"),
                                translate("desk.pickup.unknown", number=screen.receipt_number))
        else:
            log.error("pickup failed unexpectedly: %r", error)
            screen.show_failed(translate("desk.pickup.failed"), translate("desk.pickup.unexpected"))

    def _picked_up(self, pickup: Any) -> None:
        citizen = self.session.citizen
        kiosk = self.config_kiosk.kiosk
        # The receipt number heads the printed rows: the clerk traces the paper back to the application.
        rows = ((translate("desk.pickup.receipt_number"), pickup.receipt_number), *pickup.document.rows)
        result = printable(dataclasses.replace(pickup.document, rows=rows), centre_name=kiosk.centre_name,
                           kiosk_id=kiosk.device_id, applicant_id_number=citizen.id_number,
                           applicant_name=citizen.name)  # the builder masks both
        self.screen("pickup").show_done(translate("desk.pickup.done"), translate("desk.pickup.printing"))
        self.print_for_session(query_result(result), self._pickup_printed)

    def _pickup_printed(self, result: Any) -> None:
        png = str(result.png_path) if getattr(result, "png_path", None) else ""
        text = translate("desk.pickup.printed" if result.ok else "desk.pickup.print_failed")
        self.screen("pickup").show_print(text, png, result.ok)

    # -- queue tickets ------------------------------------------------------------------------------------
    def take_queue_ticket(self, department: str) -> None:
        self.background(self._issue_ticket, department, on_done=self._ticket_taken, on_error=self._ticket_failed)

    def _issue_ticket(self, department: str) -> QueueNumber:
        """On a worker thread: the platform's number, or this kiosk's own while the platform is down."""
        return take_ticket(self.runtime.client, self._ticket_book(), department)

    def _ticket_book(self) -> OfflineTicketBook:
        # Created once, on first use (a worker thread): it opens a file, which the UI thread never waits on.
        with self._desk_book_lock:
            if self._desk_ticket_book is None:
                kiosk = self.config_kiosk.kiosk
                self._desk_ticket_book = OfflineTicketBook(kiosk.state_dir / "tickets.db",
                                                           kiosk_prefix(kiosk.device_id))
            return self._desk_ticket_book

    def _ticket_taken(self, number: QueueNumber) -> None:
        screen = self.screen("ticket")
        waiting = (translate("desk.ticket.waiting_unknown") if number.waiting is None
                   else translate("desk.ticket.waiting", count=number.waiting))
        screen.show_ticket(number.number, waiting, number.offline)
        kiosk = self.config_kiosk.kiosk
        document = ticket_document(number, centre_name=kiosk.centre_name, kiosk_id=kiosk.device_id)
        self.print_for_session(document, self._ticket_printed)

    def _ticket_printed(self, result: Any) -> None:
        session_id = self.session.id
        text = translate("desk.ticket.printed" if result.ok else "desk.ticket.print_failed")
        self.screen("ticket").show_print(text, result.ok)
        # Home after a moment, unless the citizen already left (a new session must not be cut short).
        Clock.schedule_once(lambda _dt: self._ticket_done(session_id), TICKET_HOME_DELAY_S)

    def _ticket_done(self, session_id: str) -> None:
        if self.session.id == session_id and self.manager.current == "ticket":
            self.end_session()

    def _ticket_failed(self, error: BaseException) -> None:
        if isinstance(error, PlatformError) and error.kind == "rejected":
            text = translate("desk.ticket.refused")
        else:
            log.error("queue ticket failed: %r", error)
            text = translate("desk.ticket.failed")
        self.screen("ticket").show_error(text)
