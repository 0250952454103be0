"""A simulated camera looking at an empty counter, where a demo or a test can hold up a code.

``sim://`` (no path) opens this scene: the real capture thread and decode worker run on its frames, so the
path from "a code in front of the camera" to "the screen reacts" is the production path. ``show(image)``
puts an image (a phone screen with a QR code, a printed receipt) in the middle of the view; ``hide()``
takes it away. ``play(frames)`` holds up a moving picture instead, one frame per camera frame, looping:
a demo citizen's face that blinks, another person's face, a printed photo moved by hand (devices/face/demo.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
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
        self._sequence: tuple[list[np.ndarray], float] | None = None
        self._sequence_index = 0
        self._lock = threading.Lock()

    def show(self, image: np.ndarray | str | Path) -> None:
        """Hold ``image`` (BGR array or an image file) up to the camera, centred, scaled to fit."""
        if not isinstance(image, np.ndarray):
            loaded = cv2.imread(str(image), cv2.IMREAD_COLOR)
            if loaded is None:
                raise OSError(f"camera simulator: {image} is not a readable image")
            image = loaded
        frame = self.compose(image, fill=0.8, enlarge=False)
        with self._lock:
            self._sequence = None
            self._shown = frame

    def play(self, frames: Sequence[np.ndarray], fill: float = 0.95) -> None:
        """Hold up a moving picture: ``frames`` (BGR) in turn, one per camera frame, looping; each is
        enlarged to ``fill`` of the frame height (a face a little way from a kiosk's face camera)."""
        if not frames:
            raise ValueError("camera simulator: play() needs at least one frame")
        with self._lock:
            self._shown = None
            self._sequence = (list(frames), fill)
            self._sequence_index = 0

    def compose(self, image: np.ndarray, fill: float = 0.95, enlarge: bool = True) -> np.ndarray:
        """The frame the camera sees with ``image`` held up in the middle, ``fill`` of the frame high."""
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        frame = self._background.copy()
        height, width = frame.shape[:2]
        scale = min(fill * height / image.shape[0], fill * width / image.shape[1])
        if not enlarge:
            scale = min(1.0, scale)
        if scale != 1.0:
            interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)
        top = (height - image.shape[0]) // 2
        left = (width - image.shape[1]) // 2
        frame[top:top + image.shape[0], left:left + image.shape[1]] = image
        return frame

    def hide(self) -> None:
        with self._lock:
            self._shown = None
            self._sequence = None

    def open(self) -> None:
        self._pacer.start()

    def read(self) -> np.ndarray | None:
        if not self._pacer.wait_for_frame():
            return None
        with self._lock:
            shown = self._shown
            sequence = self._sequence
            if sequence is not None:
                picture = sequence[0][self._sequence_index % len(sequence[0])]
                self._sequence_index += 1
        if sequence is not None:
            return self.compose(picture, fill=sequence[1], enlarge=True)
        return (shown if shown is not None else self._background).copy()

    def close(self) -> None:
        self._pacer.stop()
