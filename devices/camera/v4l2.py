"""A real camera through OpenCV's V4L2 backend (``v4l2:///dev/video0?width=1920&height=1080&fps=30``)."""

from __future__ import annotations

import os

import cv2
import numpy as np


class V4l2Grabber:
    def __init__(self, device: str, width: int = 1920, height: int = 1080, fps: int = 30) -> None:
        self.location = device
        self._size = (width, height)
        self._fps = fps
        self._cap: cv2.VideoCapture | None = None

    def open(self) -> None:
        if not os.path.exists(self.location):
            raise OSError(f"{self.location} does not exist (camera unplugged, or a wrong device path)")
        cap = cv2.VideoCapture(self.location, cv2.CAP_V4L2)
        if not cap.isOpened():
            raise OSError(
                f"cannot open {self.location} (in use by another program, or no permission: video group)"
            )
        # MJPG: at 1080p, raw YUYV does not fit USB 2.0 bandwidth beyond a few fps.
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
        cap.set(cv2.CAP_PROP_FPS, self._fps)
        # One buffer: the driver keeps only the newest frame, so what we read is what is in front of the lens.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self._cap = cap

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            return None
        ok, frame = self._cap.read()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
