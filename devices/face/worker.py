"""Runs a FaceCapture on the camera's frames on its own thread, so the UI thread never waits on a model.

    worker = FaceCaptureWorker(camera, FaceCapture(), on_update)
    worker.start()        # "look at the camera": timeouts count from here
    ...                   # on_update(update) runs ON THE WORKER THREAD whenever what to tell the citizen
                          # changes, and once more when done (update.done; update.jpeg on a pass)
    worker.stop()         # on leaving the screen or ending the session: never blocks the caller; the
                          # capture is wiped (templates, best frame) as soon as the current frame is done

The UI hands each update to its own thread (Kivy: Clock.schedule_once). The newest frame wins: a slow frame
is skipped, never queued.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from devices.face.capture import CaptureUpdate, FaceCapture, Message, Stage
from devices.priority import yield_cpu_to_the_ui

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    def latest(self) -> tuple[int, np.ndarray] | None: ...

    def wait_newer(self, frame_id: int, timeout: float) -> tuple[int, np.ndarray] | None: ...


class FaceCaptureWorker:
    def __init__(
        self,
        camera: FrameSource,
        capture: FaceCapture,
        on_update: Callable[[CaptureUpdate], None],
    ) -> None:
        self._camera = camera
        self.capture = capture
        self._on_update = on_update
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_update: CaptureUpdate | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self.stop(wait=True)  # a capture is never shared by two threads
        self._stop = threading.Event()
        first = self.capture.start()
        self._emit(first, self._stop)
        self._thread = threading.Thread(target=self._run, args=(self._stop,), name="face-capture", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = False) -> None:
        """Stop capturing. Without ``wait`` it returns at once (safe on a UI thread): the worker thread wipes
        the capture when it finishes the frame in hand, and reports nothing more."""
        self._stop.set()
        thread, self._thread = self._thread, None
        self.last_update = None
        if thread is None or not thread.is_alive():
            self.capture.reset()
        elif wait and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self, stop: threading.Event) -> None:
        yield_cpu_to_the_ui()  # the UI thread and the GL rasteriser first (devices/priority.py)
        # Start from the frame the camera shows now: a frame from before "look at the camera" never counts.
        current = self._camera.latest()
        frame_id = current[0] if current else 0
        try:
            while not stop.is_set():
                got = self._camera.wait_newer(frame_id, timeout=0.5)
                if got is None or stop.is_set():
                    continue
                frame_id, frame = got
                update = self.capture.feed(frame)
                previous = self.last_update
                changed = previous is None or (update.stage, update.message_key, update.progress) != (
                    previous.stage,
                    previous.message_key,
                    previous.progress,
                )
                if changed or update.done:
                    self._emit(update, stop)
                if update.done:
                    return
        except Exception:  # a model error must end the capture visibly, not kill the thread silently
            log.exception("face capture stopped on an error")
            self._emit(CaptureUpdate(Stage.FAILED, Message.FAIL_TIMEOUT, 0.0), stop)
        finally:
            if stop.is_set():
                self.capture.reset()  # stopped from outside: nothing of this citizen stays in memory

    def _emit(self, update: CaptureUpdate, stop: threading.Event) -> None:
        if stop.is_set():
            return  # stopped: the screen has moved on
        self.last_update = update
        self._on_update(update)
