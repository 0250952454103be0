"""The App's routes for photographing paper materials (issue #17): the capture step after the materials.

The App creates one ``CaptureRoutes``. Like the App it decides nothing: ``kiosk.desk.capture.CaptureDesk``
says whether a capture step comes (something on paper, a document camera present) and what the screen shows;
this routes the outcomes and runs the document camera while the capture screen is up.

Threads: the capture worker (devices/doccam) analyses frames on its own thread. Its preview goes into one slot
that a 10 Hz clock on the UI thread blits (the worker already scaled and converted it: nothing is decoded on
the UI thread); a finished page reaches the UI thread through ``Clock.schedule_once``. Starting and stopping
the camera (opening a V4L2 device, joining threads) run on a one-thread executor, in order, never on the UI
thread.

A failing 高拍仪 never leaves the citizen before a black preview: the same 10 Hz clock reads the camera's
status (a lock, no I/O); a fault, black frames, or no picture within ``FIRST_FRAME_TIMEOUT_S`` stop the
camera, and the desk tells the citizen in plain words and offers to go on without photos.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from devices.priority import yield_cpu_to_the_ui
from kiosk.desk import outcomes as o
from kiosk.desk.capture import CaptureDesk
from kiosk.desk.outcomes_capture import CaptureRefused, CaptureUpdated, ShowCapture

if TYPE_CHECKING:
    from devices.doccam import CaptureWorker, Page, Preview
    from screens.app import KioskApp

log = logging.getLogger(__name__)

AFTER_MATERIALS = ("materials", "commitment")  # screens whose "next" may lead to the capture step
CAPTURE_OUTCOMES = (ShowCapture, CaptureUpdated, CaptureRefused)
PREVIEW_INTERVAL_S = 0.1  # at most 10 preview frames a second on the glass
FIRST_FRAME_TIMEOUT_S = 8.0  # a 高拍仪 opens in about a second; no frame for longer than this is a fault


class CaptureRoutes:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.desk = CaptureDesk(app.desk.context)
        self._camera_jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="doc-camera",
                                               initializer=yield_cpu_to_the_ui)
        self._worker: CaptureWorker | None = None
        self._latest: Preview | None = None  # written by the capture thread, read by the UI clock
        self._shown: Preview | None = None
        self._blitter: Any = None
        self._session_id = ""
        self._started_at = 0.0
        self._route_outcomes()

    def _route_outcomes(self) -> None:
        # What follows the materials (the form or confirm) may first need the capture step; capture outcomes
        # go to the capture screen. Wrapped like HelpRoutes does, so the presenter keeps one show() per outcome.
        presenter = self.app.presenter
        show = presenter.show

        def routed(outcome: Any) -> None:
            if isinstance(outcome, o.ShowForm | o.ShowConfirm) and self.app.manager.current in AFTER_MATERIALS:
                outcome = self.desk.begin(outcome)
            if isinstance(outcome, CAPTURE_OUTCOMES):
                self.show(outcome)
            else:
                show(outcome)

        presenter.show = routed

    @property
    def screen(self) -> Any:
        return self.app.screen("capture")

    def show(self, outcome: ShowCapture | CaptureUpdated | CaptureRefused) -> None:
        if isinstance(outcome, CaptureRefused):
            self.screen.show_message(outcome.message.text(), alert=True)
            return
        self.screen.show_view(outcome.view)
        if isinstance(outcome, ShowCapture):
            self.app.go("capture")
        elif outcome.rearm and self._worker is not None:
            self._worker.retake()

    # -- the citizen's taps -------------------------------------------------------------------------------
    def without_photos(self) -> None:
        """不拍照，继续办理: offered once the camera failed."""
        outcome = self.desk.without_photos()
        if outcome is not None:
            self.app.presenter.show(outcome)

    def shoot(self) -> None:
        if self._worker is not None:
            self._worker.capture_now()

    def next(self) -> None:
        self.app.presenter.show(self.desk.next())

    def previous(self) -> None:
        outcome = self.desk.previous()
        if outcome is None:
            self.app.back()
        else:
            self.app.presenter.show(outcome)

    def delete(self, index: int) -> None:
        self.app.presenter.show(self.desk.delete(index))

    def retake(self, index: int) -> None:
        self.app.presenter.show(self.desk.delete(index, retake=True))

    # -- the document camera while the capture screen is up ----------------------------------------------
    def start(self) -> None:
        from devices.doccam import CaptureWorker

        self.stop()
        camera = self.app.runtime.doc_camera
        if camera is None:  # failed to open at start: said in plain words, and the citizen may go on
            outcome = self.desk.camera_failed()
            if outcome is not None:
                self.app.presenter.show(outcome)
            return
        self._session_id = self.app.session.id
        self._started_at = time.monotonic()
        worker = CaptureWorker(camera, self._preview_from_worker, lambda page: self._page_from_worker(page, worker))
        self._worker = worker
        self._camera_jobs.submit(self._open, camera, worker)
        self._blitter = Clock.schedule_interval(self._blit, PREVIEW_INTERVAL_S)

    def stop(self) -> None:
        worker, self._worker = self._worker, None
        if self._blitter is not None:
            self._blitter.cancel()
            self._blitter = None
        self._latest = self._shown = None
        if worker is not None:
            self._camera_jobs.submit(self._close, worker)

    @staticmethod
    def _open(camera: Any, worker: CaptureWorker) -> None:
        camera.start()
        worker.start()

    @staticmethod
    def _close(worker: CaptureWorker) -> None:
        worker.stop()
        worker.camera.stop()  # the 高拍仪's light and USB bandwidth are not needed until the next capture

    def _preview_from_worker(self, preview: Preview) -> None:  # capture thread: no widget here
        self._latest = preview

    def _page_from_worker(self, page: Page, worker: CaptureWorker) -> None:  # capture thread: no widget here
        session_id = self._session_id
        Clock.schedule_once(lambda _dt: self._page(page, session_id, worker), 0)

    def _page(self, page: Page, session_id: str, worker: CaptureWorker) -> None:
        if worker is not self._worker or session_id != self.app.session.id:
            return  # the citizen left (or the session ended) while the page was being made: dropped
        self.app.idle.note_activity()  # laying papers down is using the kiosk, though the glass is not touched
        outcome = self.desk.page_taken(page)
        if outcome is not None:
            self.app.presenter.show(outcome)

    def _blit(self, _dt: float) -> None:
        worker = self._worker
        if worker is None:
            return
        trouble = self._camera_trouble(worker)
        if trouble:
            self._camera_failed(trouble)
            return
        preview = self._latest
        if preview is None or preview is self._shown:
            return
        self._shown = preview
        self.screen.show_preview(preview)

    def _camera_trouble(self, worker: CaptureWorker) -> str:
        """Why the camera is of no use to the citizen now ("" when it is fine). No I/O: the status is read
        under the camera's lock, 10 times a second."""
        camera = worker.camera
        status = camera.status
        if status.state == "fault":
            return status.reason
        if camera.frame_age_s is None:  # no frame from the camera yet (a slow worker is not the camera's fault)
            if time.monotonic() - self._started_at > FIRST_FRAME_TIMEOUT_S:
                return f"{status.reason or 'document camera'}; no picture within {FIRST_FRAME_TIMEOUT_S:g} s"
            return ""
        return status.reason if status.state == "degraded" else ""  # frames went black: lens covered, light off

    def _camera_failed(self, reason: str) -> None:
        log.warning("document camera failed during capture: %s; the citizen may go on without photos", reason)
        self.stop()  # no frozen or black picture left on the glass
        self.screen.ids.preview.clear()
        outcome = self.desk.camera_failed()
        if outcome is not None:
            self.app.presenter.show(outcome)
