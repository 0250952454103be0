"""人证比对: the citizen whose card was just read looks at the camera. The capture (devices/face) runs on its
own thread and says what to tell the citizen; the best frame of a live face goes to the platform in memory
only. The screen shows the guidance in words, a progress bar, and — in the demo — buttons that put the card
holder's face, someone else's face, or a printed photo in front of the simulated camera."""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr

log = logging.getLogger(__name__)


class FaceScreen(KioskScreen):
    reset_at_once = True  # its reset stops the face check and its camera, at once (KioskScreen)
    title_key = "face.bar"
    guide_text = StringProperty("")
    need_text = StringProperty("")
    error_text = StringProperty("")
    progress = NumericProperty(0.0)
    checking = BooleanProperty(False)  # the frame is with the platform
    failed = BooleanProperty(False)
    demo_available = BooleanProperty(False)

    def show_need(self, message: Any) -> None:
        self.need_text = message.text()

    def on_enter(self, *args: Any) -> None:
        self.demo_available = self.app.demo.camera_available
        self.start()

    def on_leave(self, *args: Any) -> None:
        self._stop()

    def start(self) -> None:
        """Start (or restart) the capture: "look at the camera"."""
        from devices.face.capture import FaceCapture
        from devices.face.worker import FaceCaptureWorker

        self._stop()
        self.error_text, self.failed, self.checking, self.progress = "", False, False, 0.0
        camera = self.app.runtime.camera
        if camera is None:
            self.failed = True
            self.error_text = tr._("face.error.unavailable")
            return
        self._worker = FaceCaptureWorker(camera, FaceCapture(), self._update_from_worker)
        self._worker.start()

    def _update_from_worker(self, update: Any) -> None:  # on the capture thread: no widget here
        Clock.schedule_once(lambda _dt: self._show(update), 0)

    def _show(self, update: Any) -> None:
        if self.manager is None or self.manager.current != self.name or getattr(self, "_worker", None) is None:
            return  # a late update for a screen the citizen has left
        self.guide_text = tr._(update.message_key)
        self.progress = update.progress
        if update.match_jpeg:  # the steady face: matched while the citizen blinks
            self.app.journey.face_steady(update.match_jpeg)
        if update.stage == "passed" and update.jpeg:
            self.checking = True
            jpeg = update.jpeg
            self._stop()
            self.app.journey.face_captured(jpeg)
        elif update.stage == "failed":
            self.failed = True
            self._stop()

    def show_error(self, text: str) -> None:
        self.checking = False
        self.failed = True
        self.error_text = text

    def show_status(self, text: str) -> None:
        self.guide_text = text

    def _id_number(self) -> str | None:
        citizen = self.app.session.citizen
        return citizen.id_number if citizen is not None else None

    def demo(self, who: str) -> None:
        self.app.demo.face(who, self._id_number())
        if self.failed:
            self.start()

    def _stop(self) -> None:
        worker = getattr(self, "_worker", None)
        self._worker = None
        if worker is not None:
            worker.stop()  # also wipes the capture's frames and templates

    def reset(self) -> None:
        self._stop()
        self.guide_text = self.need_text = self.error_text = ""
        self.progress = 0.0
        self.checking = self.failed = False
