"""Maintenance mode: entered by a long press in the top-left corner and a PIN; technicians only."""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.modalview import ModalView
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

        App.get_running_app().maintenance.open_pin()


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
        self.app.maintenance.check_pin(pin)

    def show_message(self, text: str) -> None:
        self.message = text

    def reset(self) -> None:
        self.entered = ""
        self.message = ""


class MaintenanceScreen(KioskScreen):
    """The status page in plain Chinese for village staff; the raw details behind the 技术详情 fold; 退出到桌面,
    重启程序 and 换纸 ask for confirmation first. A result message is cleared after STALE_AFTER_S and whenever
    the page is refreshed or left, so nobody reads yesterday's "printed" as today's."""
    reset_at_once = True  # its reset cancels its timers, at once (KioskScreen)

    title_key = "maintenance.bar"
    report_text = StringProperty("")
    action_text = StringProperty("")
    technical_text = StringProperty("")
    details_open = BooleanProperty(False)
    STALE_AFTER_S = 60.0
    CONFIRMED = {"quit": "help.maintenance.confirm_quit", "restart": "help.maintenance.confirm_restart",
                 "paper_changed": "help.maintenance.confirm_paper"}

    def on_pre_enter(self, *args) -> None:
        self.action_text = ""
        self.details_open = False
        self.technical_text = ""
        self.refresh()

    def on_leave(self, *args) -> None:
        self.reset()

    def refresh(self) -> None:
        self.action_text = ""
        self.report_text = tr._("maintenance.collecting")
        self.app.maintenance.collect_diagnostics()
        if self.details_open:
            self._load_details()

    def show_report(self, text: str) -> None:
        self.report_text = text

    def show_action(self, text: str) -> None:
        self.action_text = text
        Clock.unschedule(self._clear_action)
        if text:
            Clock.schedule_once(self._clear_action, self.STALE_AFTER_S)

    def _clear_action(self, _dt: float) -> None:
        self.action_text = ""

    def toggle_details(self) -> None:
        self.details_open = not self.details_open
        if self.details_open:
            self._load_details()

    def _load_details(self) -> None:
        from kiosk.maintenance_view import technical_details

        self.technical_text = tr._("help.maintenance.details_loading")
        self.app.background(technical_details, self.app.runtime, on_done=self._show_details,
                            on_error=lambda error: self._show_details(str(error)))

    def _show_details(self, text: str) -> None:
        self.technical_text = text

    def ask(self, action: str) -> None:
        """退出到桌面 / 重启程序 / 换纸: only after 确定 in a confirmation dialog."""
        ConfirmAction(action=action, question=tr._(self.CONFIRMED[action])).open(animation=False)

    def reset(self) -> None:
        Clock.unschedule(self._clear_action)
        self.report_text = ""
        self.action_text = ""
        self.technical_text = ""
        self.details_open = False


class ConfirmAction(ModalView):
    """确定/取消 before an action that stops service or resets a counter."""

    action = StringProperty("")
    question = StringProperty("")

    def confirm(self) -> None:
        from kivy.app import App

        self.dismiss(animation=False)
        App.get_running_app().maintenance.action(self.action)


class CameraPreview(ModalView):
    """Maintenance: what the camera sees, with the codes it decodes outlined. Frames are decoded and drawn on
    a worker thread; the UI thread only copies the finished picture into a texture."""

    codes_text = StringProperty("")

    def open_preview(self, app) -> None:
        self.app = app
        self.running = True
        self.open(animation=False)
        self._request()

    def _request(self) -> None:
        if not self.running:
            return
        from kiosk.maintenance_view import annotated_preview

        self.app.background(annotated_preview, self.app.runtime, on_done=self._show,
                            on_error=lambda error: setattr(self, "codes_text", str(error)))

    def _show(self, picture) -> None:
        if picture is None:
            self.codes_text = tr._("maintenance.result.no_camera")
        else:
            width, height, rgb, texts = picture
            texture = Texture.create(size=(width, height), colorfmt="rgb")
            texture.blit_buffer(rgb, colorfmt="rgb", bufferfmt="ubyte")
            self.ids.preview.texture = texture
            self.codes_text = "; ".join(texts) or tr._("maintenance.preview.no_code")
        Clock.schedule_once(lambda _dt: self._request(), 0.2)  # about 5 pictures a second is plenty

    def close_preview(self) -> None:
        self.running = False
        self.dismiss(animation=False)
