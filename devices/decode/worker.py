"""The decode worker: a background thread that decodes the camera's newest frame and reports each code once.

A code held in front of the camera is in every frame for seconds; the flow wants it once. A payload is
reported again only after it has been out of sight for ``repeat_after`` seconds (the citizen took the phone
away and shows it again). The callback runs on this thread; the UI layer marshals it.

Decoding rests while ``pause()``d: the kiosk pauses it on screens that take no code (the catalog, a form), so
the two cores go to drawing the screen rather than to searching frames for a code nobody would act on
(issue #16). The camera keeps capturing meanwhile; ``resume()`` decodes its newest frame at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from devices.decode.pipeline import DEFAULT_BACKEND, DecodePipeline
from devices.decode.types import Detection
from devices.priority import yield_cpu_to_the_ui

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    def wait_newer(self, frame_id: int, timeout: float) -> tuple[int, np.ndarray] | None: ...


class DecodeWorker:
    def __init__(
        self,
        camera: FrameSource,
        on_code: Callable[[Detection], None],
        *,
        backend: str = DEFAULT_BACKEND,
        repeat_after: float = 2.0,
    ) -> None:
        self._camera = camera
        self._on_code = on_code
        self._backend = backend
        self._repeat_after = repeat_after
        self._last_seen: dict[bytes, float] = {}
        self._stop = threading.Event()
        self._decoding = threading.Event()
        self._decoding.set()
        self._thread: threading.Thread | None = None
        self.frames_decoded = 0

    def start(self) -> DecodeWorker:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="decode", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def pause(self) -> None:
        """Stop decoding after the frame in hand (no code is reported until ``resume()``)."""
        self._decoding.clear()

    def resume(self) -> None:
        self._decoding.set()

    @property
    def decoding(self) -> bool:
        return self._decoding.is_set()

    def forget(self) -> None:
        """Forget every code seen (a new session): the next sighting is reported even if it never left."""
        self._last_seen.clear()

    def _run(self) -> None:
        yield_cpu_to_the_ui()  # the UI thread and the GL rasteriser first (devices/priority.py)
        # Created on this thread (decoders are not thread-safe); stream=True spreads the full-resolution search
        # over consecutive frames (see devices/decode/pipeline.py).
        pipeline = DecodePipeline(self._backend, stream=True)
        frame_id = 0
        while not self._stop.is_set():
            if not self._decoding.wait(timeout=0.25):
                continue
            newest = self._camera.wait_newer(frame_id, timeout=0.25)
            if newest is None:
                continue
            frame_id, frame = newest
            try:
                detections = pipeline.decode(frame)
            except Exception as exc:  # a decoder crash on one odd frame must not end scanning
                log.error("decoding a frame failed: %s", type(exc).__name__)
                continue
            self.frames_decoded += 1
            if not self._decoding.is_set():  # paused while this frame was decoded: its codes are not wanted now
                continue
            now = time.monotonic()
            for detection in detections:
                previous = self._last_seen.get(detection.raw)
                self._last_seen[detection.raw] = now
                if previous is not None and now - previous < self._repeat_after:
                    continue
                try:
                    self._on_code(detection)
                except Exception as exc:
                    log.error("code callback raised %s", type(exc).__name__)
            # Bound the memory: drop codes not seen for a while.
            if len(self._last_seen) > 64:
                cutoff = now - self._repeat_after
                self._last_seen = {raw: seen for raw, seen in self._last_seen.items() if seen >= cutoff}
