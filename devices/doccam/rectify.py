"""From the page's outline to a flat, clean page: perspective correction to a standard size, then the look of
a scanner's document mode (greyscale, even white paper, dark text), which also compresses best."""

from __future__ import annotations

import cv2
import numpy as np

from devices.doccam.outline import Outline, refine_corners

# A4's 1:√2 at ~120 dpi: text stays legible for staff while a page compresses to ~100 KB.
PORTRAIT_SIZE = (990, 1400)
LANDSCAPE_SIZE = (1400, 990)


def rectify(frame: np.ndarray, outline: Outline | None) -> np.ndarray:
    """The page straightened to the standard size (portrait or landscape as it lies); without an outline
    (a manual capture of something the finder could not outline) the whole frame, scaled to fit."""
    if outline is None:
        height, width = frame.shape[:2]
        target = LANDSCAPE_SIZE if width >= height else PORTRAIT_SIZE
        return cv2.resize(frame, target, interpolation=cv2.INTER_AREA)
    outline = refine_corners(frame, outline)
    tl, tr, br, bl = outline.corners
    width = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    target = PORTRAIT_SIZE if height >= width else LANDSCAPE_SIZE
    destination = np.array([(0, 0), (target[0] - 1, 0), (target[0] - 1, target[1] - 1), (0, target[1] - 1)],
                           np.float32)
    matrix = cv2.getPerspectiveTransform(outline.corners, destination)
    return cv2.warpPerspective(frame, matrix, target, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# Levels after flattening: at or below INK is black, at or above PAPER is white.
INK, PAPER = 70, 225


def clean(page: np.ndarray) -> np.ndarray:
    """Greyscale with the lighting flattened: divide by the page's own background (estimated by closing away
    the text, on a quarter-size copy for speed), then stretch the levels so paper is white and ink dark. A
    stamp or a photo stays as grey tones, unlike a hard black-and-white threshold."""
    grey = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    small = cv2.resize(grey, (width // 4, height // 4), interpolation=cv2.INTER_AREA)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), 5)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    lut = np.clip((np.arange(256, dtype=np.float32) - INK) * 255.0 / (PAPER - INK), 0, 255).astype(np.uint8)
    return cv2.LUT(flat, lut)
