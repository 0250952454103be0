"""Paces a simulated camera like a real one: ``read()`` blocks until the next frame is due."""

from __future__ import annotations

import threading
import time


class FramePacer:
    def __init__(self, fps: float) -> None:
        self._interval = 1.0 / fps
        self._next_at = 0.0
        self._wake = threading.Event()

    def start(self) -> None:
        self._next_at = time.monotonic()
        self._wake.clear()

    def wait_for_frame(self) -> bool:
        """Sleep until the next frame is due; False if ``stop()`` interrupted the wait."""
        delay = self._next_at - time.monotonic()
        if delay > 0 and self._wake.wait(delay):
            return False
        self._next_at = max(self._next_at + self._interval, time.monotonic())
        return True

    def stop(self) -> None:
        self._wake.set()
