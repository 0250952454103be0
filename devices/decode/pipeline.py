"""The frame decoding pipeline: cheap passes first, expensive ones only when the cheap ones find nothing.

On a 1920x1080 camera frame a full-resolution scan costs several times a half-resolution one, and most codes
held up to a kiosk camera are large enough to read at half resolution. So, per frame:

1. grayscale (the camera delivers BGR; decoders want one channel),
2. the region where a code was last seen, at full resolution, both polarities (a citizen holds a phone still
   for a moment),
3. the whole frame at half resolution (INTER_AREA also averages away sensor noise),
4. the half-resolution frame inverted (light-on-dark codes on phone screens in dark mode),
5. full resolution (small or dense codes),
6. a second look where zxing-cpp located a symbol (finder patterns and grid) but could not decode it: that
   region alone, enlarged 2x (cubic) and sharpened, read once without zxing's downscaling pyramid (~0.3 ms),
   which reads tiny blurred modules that no pass over the whole frame reads (``SECOND_LOOK_*``; on the
   benchmark's hard set it read 4 more small+blurred codes' frames than bare zxing-cpp). It runs only in frames
   where such a symbol was seen, so it costs nothing on frames without one.

The first pass that finds something wins, so a frame in which nothing is found (most frames: nobody is
holding up a code) pays for every pass. The inverted pass comes before full resolution because it costs a
quarter as much. The full-resolution pass costs ~1.3 ms on a clean frame but ~6.5 ms on a grainy one (sensor
noise in dim light; see ``grain``), which used to put such frames over the 8 ms budget. So:

- a still image (``kiosk scan``, the maintenance screen) always gets the whole frame at full resolution;
- a camera stream (``stream=True``, what ``DecodeWorker`` uses) gets the whole frame when it is clean, and one
  of ``tiles`` overlapping vertical strips per frame, in turn, when it is grainy. A code held in front of a
  30 fps camera stays for many frames: every strip has been searched within ``tiles`` frames (100 ms at 3),
  and once a strip finds the code the region pass (2.) reads it at full resolution in the following frames.
  Strips overlap by ``tile_overlap`` pixels, more than a small code is wide, so a code lies whole in one of
  them. ``reset()`` does not restart the rotation: a code can appear whichever strip is due.

Not thread-safe (decoders keep state): one pipeline per thread.
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


Rect = tuple[int, int, int, int]  # x, y, width, height

SECOND_LOOK_MAX_SIDE = 240  # located symbols larger than this have modules big enough: enlarging won't help
SECOND_LOOK_REGIONS = 1  # at most this many located-but-unread symbols get a second look per frame


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


def strips(width: int, count: int, overlap: int) -> list[tuple[int, int]]:
    """``count`` column ranges [x0, x1) covering 0..width, neighbours overlapping by at least ``overlap``."""
    if count <= 1 or width <= overlap:
        return [(0, width)]
    strip = min(width, -(-(width + (count - 1) * overlap) // count))  # ceiling division
    starts = (round(i * (width - strip) / (count - 1)) for i in range(count))
    return [(x0, x0 + strip) for x0 in starts]


def grain(gray: np.ndarray) -> float:
    """Share of neighbouring pixels (every 8th row) differing by more than 4 grey levels: about 0 for a clean
    image, whatever its content (edges are a small share of the pixels), 0.6 and more under sensor noise. The
    full-resolution pass costs ~1.3 ms on a clean 1920x1080 frame and ~6.5 ms on a grainy one (zxing's finder
    search chases the speckles), so this decides whether a frame of a stream can afford it whole."""
    rows = gray[4::8].astype(np.int16)
    return np.count_nonzero(np.abs(np.diff(rows, axis=1)) > 4) / max(1, rows.size)


def _shift(detection: Detection, dx: int, dy: int, scale: float) -> Detection:
    polygon = tuple((int(x * scale) + dx, int(y * scale) + dy) for x, y in detection.polygon)
    return Detection(
        detection.format, detection.text, detection.raw, polygon, bounding_rect(polygon), detection.charset
    )


class DecodePipeline:
    def __init__(
        self,
        backend: str = DEFAULT_BACKEND,
        downscale_width: int = 960,
        *,
        stream: bool = False,
        tiles: int = 3,
        tile_overlap: int = 256,
        grain_threshold: float = 0.1,
    ) -> None:
        self.backend = backend
        self._decoder = make_decoder(backend)
        self._downscale_width = downscale_width
        self._stream = stream
        self._tiles = max(1, tiles)
        self._tile_overlap = tile_overlap
        self._next_tile = 0
        self._last_rect: tuple[int, int, int, int] | None = None
        self._grain_threshold = grain_threshold  # below it a frame counts as clean (see ``grain``)
        self.last_pass = ""  # which pass found the code, for the benchmark and diagnostics
        self._misses: list[Rect] = []  # this frame's symbols located but not decoded, in frame pixels

    def reset(self) -> None:
        """Forget where the last code was (the strip rotation goes on)."""
        self._last_rect = None

    def decode(self, frame: np.ndarray) -> list[Detection]:
        gray = to_gray(frame)
        height, width = gray.shape[:2]
        self._misses = []
        found = self._roi_pass(gray)
        if found:
            return self._remember(found, "roi")
        if width <= self._downscale_width:  # already small: this is the full resolution
            for image, which in ((gray, "full"), (cv2.bitwise_not(gray), "inverted")):
                found = self._look(image)
                if found:
                    return self._remember(found, which)
        else:
            scale = width / self._downscale_width
            small = cv2.resize(gray, (self._downscale_width, round(height / scale)), interpolation=cv2.INTER_AREA)
            for image, which in ((small, "half"), (cv2.bitwise_not(small), "inverted")):
                found = self._look(image, scale=scale)
                if found:
                    return self._remember(found, which)
            found = self._full_pass(gray)
            if found:
                return self._remember(found, "full")
        found = self._second_look(gray)
        if found:
            return self._remember(found, "second")
        return self._nothing()

    def _look(self, image: np.ndarray, dx: int = 0, scale: float = 1.0) -> list[Detection]:
        """Decode ``image`` (a part of the frame at ``dx``, or the frame scaled down by ``scale``); remember
        where a symbol was located but not read."""
        with_misses = getattr(self._decoder, "decode_with_misses", None)
        if with_misses is None:
            found, misses = self._decoder.decode(image), []
        else:
            found, misses = with_misses(image)
        for x, y, w, h in misses:
            self._misses.append((int(x * scale) + dx, int(y * scale), int(w * scale) + 1, int(h * scale) + 1))
        return [_shift(d, dx, 0, scale) for d in found]

    def _full_pass(self, gray: np.ndarray) -> list[Detection]:
        if not self._stream or grain(gray) < self._grain_threshold:
            return self._look(gray)
        columns = strips(gray.shape[1], self._tiles, self._tile_overlap)
        x0, x1 = columns[self._next_tile % len(columns)]
        self._next_tile = (self._next_tile + 1) % len(columns)
        return self._look(gray[:, x0:x1], dx=x0)

    def _second_look(self, gray: np.ndarray) -> list[Detection]:
        """The regions where a symbol was located but not decoded, enlarged, then enlarged and sharpened."""
        height, width = gray.shape[:2]
        for x, y, w, h in self._misses[:SECOND_LOOK_REGIONS]:
            side = max(w, h)
            if side > SECOND_LOOK_MAX_SIDE or side < 8:
                continue
            margin = side // 2 + 8
            x0, y0 = max(0, x - margin), max(0, y - margin)
            x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
            enlarged = cv2.resize(gray[y0:y1, x0:x1], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            # Unsharp mask: undoes some of the blur that merged the small modules.
            sharpened = cv2.addWeighted(enlarged, 2.0, cv2.GaussianBlur(enlarged, (0, 0), 4.0), -1.0, 0)
            decode_region = getattr(self._decoder, "decode_region", self._decoder.decode)
            found = decode_region(sharpened)
            if found:
                return [_shift(d, x0, y0, 0.5) for d in found]
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

    def _nothing(self) -> list[Detection]:
        self._last_rect = None
        self.last_pass = ""
        return []

    def _remember(self, found: list[Detection], which: str) -> list[Detection]:
        self._last_rect = found[0].rect
        self.last_pass = which
        return found
