"""The frame decoding pipeline: cheap passes first, expensive ones only when the cheap ones find nothing.

On a 1920x1080 camera frame a full-resolution scan costs several times a half-resolution one, and most codes
held up to a kiosk camera are large enough to read at half resolution. So, per frame:

1. grayscale (the camera delivers BGR; decoders want one channel),
2. the region where a code was last seen, at full resolution (a citizen holds a phone still for a moment),
3. the whole frame at half resolution (INTER_AREA also averages away sensor noise),
4. the whole frame at full resolution (small or dense codes),
5. the half-resolution frame inverted (light-on-dark codes on phone screens in dark mode).

The first pass that finds something wins. Not thread-safe (decoders keep state): one pipeline per thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from devices.decode.types import Detection, bounding_rect


class Decoder(Protocol):
    name: str

    def decode(self, gray: np.ndarray) -> list[Detection]: ...


def _zxing() -> Decoder:
    from devices.decode.zxing import ZxingDecoder

    # zxing's own downscaling builds a 1/2, 1/3, 1/4 pyramid: it costs time on the full-resolution pass but
    # reads blurred, noisy codes that no single scale reads (measured in benchmarks/decode_bench.py).
    return ZxingDecoder(try_downscale=True)


def _zbar() -> Decoder:
    from devices.decode.zbar import ZBarDecoder

    return ZBarDecoder()


# zxing-cpp is the default: in benchmarks/decode_bench.py it is several times faster than ZBar per pass and
# reads more of the hard frames (blur, perspective, glare).
BACKENDS: dict[str, Callable[[], Decoder]] = {"zxing": _zxing, "zbar": _zbar}
DEFAULT_BACKEND = "zxing"


def make_decoder(name: str = DEFAULT_BACKEND) -> Decoder:
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown decoder backend {name!r}; use one of {', '.join(BACKENDS)}") from None
    return factory()


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def _shift(detection: Detection, dx: int, dy: int, scale: float) -> Detection:
    polygon = tuple((int(x * scale) + dx, int(y * scale) + dy) for x, y in detection.polygon)
    return Detection(detection.format, detection.text, detection.raw, polygon, bounding_rect(polygon))


class DecodePipeline:
    def __init__(self, backend: str = DEFAULT_BACKEND, downscale_width: int = 960) -> None:
        self.backend = backend
        self._decoder = make_decoder(backend)
        self._downscale_width = downscale_width
        self._last_rect: tuple[int, int, int, int] | None = None
        self.last_pass = ""  # which pass found the code, for the benchmark and diagnostics

    def reset(self) -> None:
        self._last_rect = None

    def decode(self, frame: np.ndarray) -> list[Detection]:
        gray = to_gray(frame)
        height, width = gray.shape[:2]
        found = self._roi_pass(gray)
        if found:
            return self._remember(found, "roi")
        small, scale = gray, 1.0
        if width > self._downscale_width:
            scale = width / self._downscale_width
            small = cv2.resize(
                gray, (self._downscale_width, round(height / scale)), interpolation=cv2.INTER_AREA
            )
            found = self._decoder.decode(small)
            if found:
                return self._remember([_shift(d, 0, 0, scale) for d in found], "half")
        found = self._decoder.decode(gray)
        if found:
            return self._remember(found, "full")
        found = self._decoder.decode(cv2.bitwise_not(small))
        if found:
            return self._remember([_shift(d, 0, 0, scale) for d in found], "inverted")
        self._last_rect = None
        self.last_pass = ""
        return []

    def _roi_pass(self, gray: np.ndarray) -> list[Detection]:
        if self._last_rect is None:
            return []
        x, y, w, h = self._last_rect
        # Half a code's size of margin on each side: a hand-held phone drifts between frames.
        margin = max(w, h) // 2 + 16
        height, width = gray.shape[:2]
        x0, y0 = max(0, x - margin), max(0, y - margin)
        x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
        if x1 - x0 < 32 or y1 - y0 < 32:
            return []
        roi = gray[y0:y1, x0:x1]
        found = self._decoder.decode(roi)
        if not found:
            found = self._decoder.decode(cv2.bitwise_not(roi))
        return [_shift(d, x0, y0, 1.0) for d in found]

    def _remember(self, found: list[Detection], which: str) -> list[Detection]:
        self._last_rect = found[0].rect
        self.last_pass = which
        return found
