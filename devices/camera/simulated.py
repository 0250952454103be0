"""A simulated camera: replays image files from a directory (sorted by name), or a video file, in a loop at a
set frame rate (``sim://path/to/dir?fps=15``), so the decode path runs on real pixels without hardware."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from devices.camera.pacing import FramePacer

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


class SimGrabber:
    def __init__(self, source: str, fps: float = 15.0, loop: bool = True) -> None:
        self.location = f"simulator ({source})"
        self._source = Path(source)
        self._pacer = FramePacer(fps)
        self._loop = loop
        self._frames: list[np.ndarray] = []
        self._video: cv2.VideoCapture | None = None
        self._index = 0

    def open(self) -> None:
        if self._source.is_dir():
            files = sorted(p for p in self._source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            frames = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in files]
            self._frames = [f for f in frames if f is not None]
            if not self._frames:
                raise OSError(f"no readable images ({', '.join(IMAGE_SUFFIXES)}) in {self._source}")
        elif self._source.is_file():
            video = cv2.VideoCapture(str(self._source))
            if not video.isOpened():
                raise OSError(f"{self._source} is neither an image directory nor a readable video file")
            self._video = video
        else:
            raise OSError(f"{self._source} does not exist")
        self._index = 0
        self._pacer.start()

    def read(self) -> np.ndarray | None:
        # Pace like a real camera: the capture thread blocks until the next frame is due.
        if not self._pacer.wait_for_frame():
            return None
        if self._video is not None:
            ok, frame = self._video.read()
            if not ok and self._loop:
                self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._video.read()
            return frame if ok else None
        if self._index >= len(self._frames):
            if not self._loop:
                return None
            self._index = 0
        frame = self._frames[self._index]
        self._index += 1
        return frame

    def close(self) -> None:
        self._pacer.stop()
        if self._video is not None:
            self._video.release()
            self._video = None
