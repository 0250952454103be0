"""Where the page lies in a document-camera frame: the largest bright four-cornered shape.

A 高拍仪 looks down at a dark mat or desk; a sheet of paper is the largest bright region. We find it on a
small copy of the frame (a few milliseconds at 1080p): blur, Otsu threshold, close small gaps, take the
largest outer contour and simplify it; four convex corners covering enough of the frame make a page. A hand
on the page merges with it into a shape that is not four-cornered, so no page is seen while a hand is on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_WIDTH = 480  # analysed on a copy this wide: the outline needs no more detail
MIN_AREA_FRACTION = 0.12  # smaller than this is a receipt or a card, not a page held under the camera
MAX_AREA_FRACTION = 0.95  # a "page" filling the whole view has no edges to find
MIN_CONTRAST = 40  # grey levels between the page and the mat: less is noise on an empty mat
APPROX_EPSILON = 0.02  # of the contour's perimeter: how far a corner may be from a straight side


@dataclass(frozen=True, slots=True)
class Outline:
    corners: np.ndarray  # 4 x 2 float32, in frame pixels: top-left, top-right, bottom-right, bottom-left
    frame_size: tuple[int, int]  # width, height of the frame it was found in

    def normalised(self) -> tuple[float, ...]:
        """x0, y0, x1, y1, … as fractions of the frame, y downwards (the preview scales them to its size)."""
        width, height = self.frame_size
        return tuple(float(v) for corner in self.corners for v in (corner[0] / width, corner[1] / height))

    @property
    def diagonal(self) -> float:
        return float(np.hypot(*self.frame_size))

    def moved_from(self, other: Outline) -> float:
        """The largest distance any corner moved, as a fraction of the frame diagonal."""
        return float(np.max(np.linalg.norm(self.corners - other.corners, axis=1))) / self.diagonal


def order_corners(points: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left, whatever order the contour gave them in."""
    points = points.reshape(4, 2).astype(np.float32)
    by_sum = points.sum(axis=1)
    by_diff = np.diff(points, axis=1).ravel()  # y - x
    return np.array([points[np.argmin(by_sum)], points[np.argmin(by_diff)], points[np.argmax(by_sum)],
                     points[np.argmax(by_diff)]], np.float32)


def grey_thumbnail(frame: np.ndarray, width: int = WORK_WIDTH) -> np.ndarray:
    height = max(1, round(frame.shape[0] * width / frame.shape[1]))
    # Linear, not area: area averaging at a non-integer ratio costs ~20 ms a 720p frame on a kiosk's CPU,
    # and the blur that follows removes the aliasing linear leaves.
    small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR)
    return small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)


def find_outline(frame: np.ndarray, grey_small: np.ndarray | None = None) -> Outline | None:
    """The page in ``frame`` (BGR or grey), or None when no page-sized four-cornered shape is in view.
    ``grey_small`` is the frame's ``grey_thumbnail`` when the caller already made one."""
    small = grey_thumbnail(frame) if grey_small is None else grey_small
    scale = frame.shape[1] / small.shape[1]
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _level, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    covered = cv2.countNonZero(mask) / mask.size
    if covered > MAX_AREA_FRACTION:  # an empty mat (Otsu splits even a plain surface) or a sheet filling the view
        return None
    if float(cv2.mean(blurred, mask)[0]) - float(cv2.mean(blurred, cv2.bitwise_not(mask))[0]) < MIN_CONTRAST:
        return None
    contours, _hierarchy = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(largest) < MIN_AREA_FRACTION * small.shape[0] * small.shape[1]:
        return None
    approx = cv2.approxPolyDP(largest, APPROX_EPSILON * cv2.arcLength(largest, True), True)
    if len(approx) != 4 or not cv2.isContourConvex(approx):
        return None
    return Outline(order_corners(approx) * np.float32(scale), (frame.shape[1], frame.shape[0]))


def refine_corners(frame: np.ndarray, outline: Outline) -> Outline:
    """The corners to a fraction of a pixel on the full frame (the coarse ones come from a small copy and are
    off by a few pixels, which shows as a strip of desk along the straightened page's edge)."""
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    corners = outline.corners.copy().reshape(-1, 1, 2)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.01)
    cv2.cornerSubPix(grey, corners, (9, 9), (-1, -1), criteria)
    refined = corners.reshape(4, 2)
    # A corner hidden under a thumb or in a shadow can be pulled elsewhere: keep the coarse one then.
    far = np.linalg.norm(refined - outline.corners, axis=1) > 12
    refined[far] = outline.corners[far]
    return Outline(refined.astype(np.float32), outline.frame_size)
