"""Maintenance mode: entered by a long press in the top-left corner and a PIN; technicians only."""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import NumericProperty, StringProperty
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
