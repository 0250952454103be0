"""The service counter at the kiosk (issue #10): progress by receipt, pickup, reprint, queue tickets.
Composed into the App as ``app.counter``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.i18n import translate

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)


class CounterRoutes:
    """One method per citizen event at the counter screens."""

    def __init__(self, app: KioskApp) -> None:
        self.app = app

    def open_progress(self, mode: str = "progress") -> None:
        self.app.screen("progress").start(mode)
        self.app.go("progress")

    def open_pickup(self) -> None:
        self.open_progress("pickup")

    def look_up_receipt(self, receipt_number: str) -> None:
        from kiosk.desk.outcomes import LookingUp

        self.app.presenter.show(LookingUp(receipt_number))

    def pick_up_shown(self) -> None:
        """The pickup button on a ready application's progress (or 再试一次 after a failed print)."""
        progress = self.app.screen("progress").progress
        if progress is not None and progress.ready_for_pickup:
            self.app.presenter.show(self.app.desk.service.start_pickup(progress))

    def reprint_receipt(self) -> None:
        screen = self.app.screen("progress")
        if screen.progress is not None:
            screen.notice_text = translate("desk.reprint.printing")
            self.app.presenter.print(self.app.desk.service.reprint(screen.progress),
                                     lambda text, _image, _ok: setattr(screen, "notice_text", text))

    def open_tickets(self) -> None:
        self.app.screen("ticket").show_services(self.app.desk.service.services())
        self.app.go("ticket")

    def take_queue_ticket(self, department: str) -> None:
        self.app.run_step(self.app.desk.service.take_ticket, department)

    def present_demo_receipt(self) -> None:
        """Demo: the seeded receipt held up to the simulated camera; the real decode worker reads it."""
        self.app.demo.receipt(self.app.screen("progress").mode)

    retry_pickup = pick_up_shown  # 再试一次 after a failed pickup print
