"""A simulated camera looking at an empty counter, where a demo or a test can hold up a code.

``sim://`` (no path) opens this scene: the real capture thread and decode worker run on its frames, so the
path from "a code in front of the camera" to "the screen reacts" is the production path. ``show(image)``
puts an image (a phone screen with a QR code, a printed receipt) in the middle of the view; ``hide()``
takes it away.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np

from devices.camera.pacing import FramePacer

SCENE_SIZE = (1280, 720)  # width, height: a typical kiosk document camera


def _background(width: int, height: int) -> np.ndarray:
    # A plain grey counter top with a little texture, so decoders see a realistic non-empty frame.
    rng = np.random.default_rng(7)
    frame = np.full((height, width, 3), 168, np.uint8)
    frame += rng.integers(0, 12, size=frame.shape, dtype=np.uint8)
    return frame


class SceneGrabber:
    def __init__(self, fps: float = 10.0, size: tuple[int, int] = SCENE_SIZE) -> None:
        self.location = "simulator (scene)"
        self._pacer = FramePacer(fps)
        self._background = _background(*size)
        self._shown: np.ndarray | None = None
        self._lock = threading.Lock()

    def show(self, image: np.ndarray | str | Path) -> None:
        """Hold ``image`` (BGR array or an image file) up to the camera, centred, scaled to fit."""
        if not isinstance(image, np.ndarray):
            loaded = cv2.imread(str(image), cv2.IMREAD_COLOR)
            if loaded is None:
                raise OSError(f"camera simulator: {image} is not a readable image")
            image = loaded
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        frame = self._background.copy()
        height, width = frame.shape[:2]
        scale = min(1.0, 0.8 * height / image.shape[0], 0.8 * width / image.shape[1])
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        top = (height - image.shape[0]) // 2
        left = (width - image.shape[1]) // 2
        frame[top:top + image.shape[0], left:left + image.shape[1]] = image
        with self._lock:
            self._shown = frame

    def hide(self) -> None:
        with self._lock:
            self._shown = None

    def open(self) -> None:
        self._pacer.start()

    def read(self) -> np.ndarray | None:
        if not self._pacer.wait_for_frame():
            return None
        with self._lock:
            shown = self._shown
        return (shown if shown is not None else self._background).copy()

    def close(self) -> None:
        self._pacer.stop()
