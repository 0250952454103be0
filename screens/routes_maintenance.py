"""Maintenance mode's routing (technicians): the hidden corner opens the PIN screen; the PIN is checked off
the UI thread (scrypt); actions run on a worker and their words come back to the maintenance screen."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from kiosk.i18n import translate

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)


class MaintenanceRoutes:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.pin_gate = self._make_pin_gate()

    def _make_pin_gate(self) -> Any:
        from kiosk.maintenance import PinGate

        pin_hash = self.app.config_kiosk.maintenance.pin_hash
        if not pin_hash:
            return None
        return PinGate(pin_hash, self.app.config_kiosk.kiosk.state_dir / "maintenance-lock.json")

    def open_pin(self) -> None:
        if self.pin_gate is None:
            log.warning("maintenance gesture used, but no [maintenance] pin_hash is configured")
            from screens.popups import show_message

            show_message(translate("maintenance.pin.title"), translate("maintenance.pin.not_configured"))
            return
        self.app.end_session()  # a citizen's data never stays behind a technician's screen
        self.app.go("maintenance_pin")

    def check_pin(self, pin: str) -> None:
        # scrypt takes tens of milliseconds: off the UI thread.
        self.app.background(self.pin_gate.try_pin, pin, on_done=self._pin_checked,
                            on_error=lambda error: self.app.screen("maintenance_pin").show_message(str(error)))

    def _pin_checked(self, result: Any) -> None:
        from kiosk.maintenance import PinOutcome

        screen = self.app.screen("maintenance_pin")
        if result.outcome is PinOutcome.OK:
            log.info("maintenance mode entered")
            self.app.go("maintenance")
        elif result.outcome is PinOutcome.WRONG:
            screen.show_message(translate("maintenance.pin.wrong", left=result.remaining_attempts))
        else:
            until = time.strftime("%H:%M", time.localtime(result.locked_until or 0))
            screen.show_message(translate("maintenance.pin.locked", until=until))

    def collect_diagnostics(self) -> None:
        from kiosk.maintenance_view import diagnostics_text

        screen = self.app.screen("maintenance")
        self.app.background(diagnostics_text, self.app.runtime, on_done=screen.show_report,
                            on_error=lambda error: screen.show_report(f"{error}"))

    def action(self, name: str) -> None:
        from kiosk import maintenance_view

        if self.app.manager.current != "maintenance":
            return
        if name == "quit":
            log.info("kiosk shut down from maintenance mode")
            self.app.stop()
            return
        if name == "restart":
            log.info("kiosk restart from maintenance mode")
            maintenance_view.restart_process()
            return
        if name == "reload_catalog":
            self.app.reload_catalog()
        screen = self.app.screen("maintenance")
        screen.show_action(translate("maintenance.working"))
        self.app.background(maintenance_view.run_action, self.app.runtime, name, self.app.session.id,
                        on_done=screen.show_action, on_error=lambda error: screen.show_action(str(error)))
