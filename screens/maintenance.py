"""Maintenance mode: entered by a long press in the top-left corner and a PIN; technicians only."""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.widget import Widget

from screens.base import KioskScreen
from screens.i18n import tr

LONG_PRESS_S = 3.0


class MaintenanceHotspot(Widget):
    """An invisible corner: holding it for three seconds asks for the maintenance PIN. Citizens never find
    it by accident (a tap does nothing), technicians know it from the manual."""

    pressed_at = NumericProperty(0)

    def on_touch_down(self, touch) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self.pressed_at = time.monotonic()
        self._event = Clock.schedule_once(self._long_press, LONG_PRESS_S)
        return True

    def on_touch_up(self, touch) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        if getattr(self, "_event", None) is not None:
            self._event.cancel()
            self._event = None
        return True

    def _long_press(self, _dt: float) -> None:
        self._event = None
        from kivy.app import App

        App.get_running_app().open_maintenance_pin()


class PinScreen(KioskScreen):
    title_key = "maintenance.pin.bar"
    entered = StringProperty("")
    message = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.entered = ""
        self.message = ""

    def on_key(self, key: str) -> None:
        if key == "back":
            self.entered = self.entered[:-1]
        elif key.isdigit() and len(self.entered) < 12:
            self.entered += key

    def submit(self) -> None:
        pin, self.entered = self.entered, ""
        self.message = tr._("maintenance.pin.checking")
        self.app.check_maintenance_pin(pin)

    def show_message(self, text: str) -> None:
        self.message = text

    def reset(self) -> None:
        self.entered = ""
        self.message = ""


class MaintenanceScreen(KioskScreen):
    title_key = "maintenance.bar"
    report_text = StringProperty("")
    action_text = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.action_text = ""
        self.refresh()

    def refresh(self) -> None:
        self.report_text = tr._("maintenance.collecting")
        self.app.collect_diagnostics()

    def show_report(self, text: str) -> None:
        self.report_text = text

    def show_action(self, text: str) -> None:
        self.action_text = text

    def reset(self) -> None:
        self.report_text = ""
        self.action_text = ""
