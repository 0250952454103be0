"""A captured page as bytes that upload in seconds on a village line: JPEG (every platform reads it; WebP
saves ~20 % more, see benchmarks/capture_bench.py), the quality stepped down until it fits the budget."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# 150 KB: about 1.2 s of a 1 Mbit/s village line per page (benchmarks/results/capture.json has the figures).
PAGE_BUDGET_BYTES = 150_000
QUALITIES = (80, 70, 60, 50, 40, 30)
THUMB_WIDTH = 150


@dataclass(frozen=True, slots=True)
class Page:
    jpeg: bytes  # what is uploaded (personal data: never logged, encrypted in the outbox, erased after ack)
    size: tuple[int, int]  # width, height in pixels
    quality: int  # the JPEG quality that met the budget
    thumb: bytes  # greyscale pixels, bottom row first (a Kivy texture's order), for the page strip
    thumb_size: tuple[int, int]

    def __repr__(self) -> str:  # never the bytes
        return f"Page({self.size[0]}x{self.size[1]}, {len(self.jpeg)} bytes, q{self.quality})"


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    if not ok:
        raise ValueError("document camera: the page could not be encoded as JPEG")
    return data.tobytes()


def encode_page(page: np.ndarray, budget: int = PAGE_BUDGET_BYTES) -> Page:
    """The cleaned page as JPEG at the best quality within ``budget`` bytes (the lowest tried if none fits,
    or the page scaled down until it does)."""
    image = page
    while True:
        for quality in QUALITIES:
            data = encode_jpeg(image, quality)
            if len(data) <= budget:
                return _page(data, image, quality)
        if image.shape[1] < 400:  # a page this small is all noise; keep what we have
            return _page(data, image, QUALITIES[-1])
        image = cv2.resize(image, (image.shape[1] * 3 // 4, image.shape[0] * 3 // 4), interpolation=cv2.INTER_AREA)


def _page(data: bytes, image: np.ndarray, quality: int) -> Page:
    height, width = image.shape[:2]
    thumb_height = max(1, round(height * THUMB_WIDTH / width))
    thumb = cv2.resize(image, (THUMB_WIDTH, thumb_height), interpolation=cv2.INTER_AREA)
    if thumb.ndim == 3:
        thumb = cv2.cvtColor(thumb, cv2.COLOR_BGR2GRAY)
    return Page(data, (width, height), quality, cv2.flip(thumb, 0).tobytes(), (THUMB_WIDTH, thumb_height))
