"""The capture worker: a thread that analyses each new document-camera frame, offers a small preview with the
page outline at most ``preview_fps`` times a second, and hands over a finished page when the page was still
(or when asked). Callbacks run on this thread: a UI hands them to its own thread (Kivy: Clock.schedule_once).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from devices.camera import Camera
from devices.doccam.autocapture import StillnessGate
from devices.doccam.encode import PAGE_BUDGET_BYTES, Page, encode_page
from devices.doccam.outline import find_outline, grey_thumbnail
from devices.doccam.rectify import clean, rectify
from devices.priority import yield_cpu_to_the_ui

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 480  # enough to place a page; a smaller texture is cheaper to upload and draw 10 times a second


@dataclass(frozen=True, slots=True)
class Preview:
    rgb: bytes  # PREVIEW_WIDTH wide, bottom row first (a Kivy texture's order), ready to blit
    size: tuple[int, int]
    outline: tuple[float, ...]  # the page's corners as fractions of the frame (y downwards); () when none
    progress: float  # 0..1 how far the page is to being captured automatically

    def __repr__(self) -> str:  # never the pixels: they may show a citizen's papers
        return f"Preview({self.size[0]}x{self.size[1]}, outline={bool(self.outline)}, progress={self.progress:.2f})"


class CaptureWorker:
    def __init__(self, camera: Camera, on_preview: Callable[[Preview], None], on_page: Callable[[Page], None],
                 *, preview_fps: float = 10.0, gate: StillnessGate | None = None,
                 budget: int = PAGE_BUDGET_BYTES) -> None:
        self.camera = camera
        self._on_preview = on_preview
        self._on_page = on_page
        self._preview_interval = 1.0 / preview_fps
        self.gate = gate or StillnessGate()
        self._budget = budget
        self._stop = threading.Event()
        self._manual = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_analysed = 0
        self.pages_made = 0
        self.analyse_seconds: list[float] = []  # per frame, for the benchmark (bounded below)

    def start(self) -> CaptureWorker:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="doc-capture", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def capture_now(self) -> None:
        """Take the next frame as a page whatever the gate says (the 拍照 button; a page the finder misses)."""
        self._manual.set()

    def retake(self) -> None:
        """The page in view may be captured again once it is still."""
        self.gate.rearm()

    def _run(self) -> None:
        yield_cpu_to_the_ui()  # the UI thread and the GL rasteriser first (devices/priority.py)
        last_id, last_preview = 0, 0.0
        while not self._stop.is_set():
            got = self.camera.wait_newer(last_id, 0.5)
            if got is None:
                continue
            last_id, frame = got
            try:
                last_preview = self._frame(frame, last_preview)
            except Exception:  # noqa: BLE001 - one bad frame must not end capture; the next one is tried
                log.exception("document camera: a frame could not be analysed")

    def _frame(self, frame: np.ndarray, last_preview: float) -> float:
        started = time.perf_counter()
        small = grey_thumbnail(frame)
        outline = find_outline(frame, small)
        state = self.gate.update(outline, small)
        self.frames_analysed += 1
        if len(self.analyse_seconds) < 10_000:
            self.analyse_seconds.append(time.perf_counter() - started)
        now = time.monotonic()
        if now - last_preview >= self._preview_interval:
            self._on_preview(self._preview(frame, outline.normalised() if outline else (), state.progress))
            last_preview = now
        if state.capture or self._manual.is_set():
            self._manual.clear()
            page = encode_page(clean(rectify(frame, outline)), self._budget)
            self.pages_made += 1
            self._on_page(page)
        return last_preview

    @staticmethod
    def _preview(frame: np.ndarray, outline: tuple[float, ...], progress: float) -> Preview:
        height = round(frame.shape[0] * PREVIEW_WIDTH / frame.shape[1])
        # Linear: area averaging at a non-integer ratio keeps both cores busy and starved the UI thread (the
        # capture screen's median frame went from 13 ms to 180 ms in benchmarks/capture_bench.py).
        small = cv2.resize(frame, (PREVIEW_WIDTH, height), interpolation=cv2.INTER_LINEAR)
        rgb = cv2.cvtColor(cv2.flip(small, 0), cv2.COLOR_BGR2RGB)
        return Preview(rgb.tobytes(), (PREVIEW_WIDTH, height), outline, progress)
