"""Measurements on a face's 5 landmarks (dlib's 5-point layout) and on the pixels around them.

Indices: 0/1 the outer/inner corner of the eye on the image's right, 2/3 the outer/inner corner of the eye on
the image's left, 4 the base of the nose. Five points are enough to find the eyes, the nose and the face's
pose; the eyes' openness is judged on the pixels (see capture.py), not on lid landmarks.
"""

from __future__ import annotations

import cv2
import numpy as np

IMAGE_RIGHT_EYE = (0, 1)
IMAGE_LEFT_EYE = (2, 3)
NOSE_BASE = 4

CANONICAL_SIZE = 96  # the aligned face is CANONICAL_SIZE x CANONICAL_SIZE pixels, eyes 40 px apart


def eye_centres(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the eye on the image's left and the one on its right."""
    return points[list(IMAGE_LEFT_EYE)].mean(axis=0), points[list(IMAGE_RIGHT_EYE)].mean(axis=0)


def eye_distance(points: np.ndarray) -> float:
    left, right = eye_centres(points)
    return float(np.linalg.norm(right - left))


def yaw_ratio(points: np.ndarray) -> float:
    """How far the nose sits sideways from the middle of the eyes, in eye distances (0 = facing the camera).

    A turned head moves the nose (it stands out of the face) against the eyes; a flat photo held at an angle
    only squeezes the picture, which keeps this ratio, so it measures a real turn.
    """
    left, right = eye_centres(points)
    axis = right - left
    middle = (left + right) / 2.0
    return float(np.dot(points[NOSE_BASE] - middle, axis) / (float(np.dot(axis, axis)) + 1e-9))


def roll_degrees(points: np.ndarray) -> float:
    """Tilt of the line through the eyes, in degrees (0 = level)."""
    left, right = eye_centres(points)
    return float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))


def canonical_reference(points: np.ndarray) -> np.ndarray:
    """Where this face's landmarks go on the aligned grid (eyes level, 40 px apart, centred)."""
    left, right = eye_centres(points)
    angle = np.arctan2(right[1] - left[1], right[0] - left[0])
    scale = 40.0 / (float(np.linalg.norm(right - left)) + 1e-9)
    cos, sin = scale * np.cos(-angle), scale * np.sin(-angle)
    rotation = np.array([[cos, -sin], [sin, cos]])
    return (points - (left + right) / 2) @ rotation.T + [CANONICAL_SIZE / 2, CANONICAL_SIZE * 0.38]


def aligned_face(gray: np.ndarray, points: np.ndarray, reference: np.ndarray) -> np.ndarray | None:
    """The face warped so its landmarks land on ``reference`` (a least-squares similarity fit on all five,
    so one jittery point cannot shift the picture much)."""
    # A threshold far above any jitter makes every point an inlier: a plain least-squares fit.
    matrix, _ = cv2.estimateAffinePartial2D(
        points.astype(np.float32), reference.astype(np.float32), ransacReprojThreshold=1000.0
    )
    if matrix is None:
        return None
    return cv2.warpAffine(gray, matrix, (CANONICAL_SIZE, CANONICAL_SIZE), flags=cv2.INTER_LINEAR).astype(np.float32)


def face_regions(reference: np.ndarray) -> dict[str, tuple[slice, slice]]:
    """Rectangles of the aligned face: each eye (lids, lashes, a little skin) and the nose (the control)."""
    left_eye, right_eye = eye_centres(reference)
    nose = (left_eye + right_eye) / 2 * 0.45 + reference[NOSE_BASE] * 0.55

    def box(centre: np.ndarray, half_w: float, half_h: float) -> tuple[slice, slice]:
        x, y = float(centre[0]), float(centre[1])
        return slice(max(0, int(y - half_h)), int(y + half_h)), slice(max(0, int(x - half_w)), int(x + half_w))

    return {"left_eye": box(left_eye, 13, 8), "right_eye": box(right_eye, 13, 8), "nose": box(nose, 10, 14)}


def region_similarity(aligned: np.ndarray, template: np.ndarray, region: tuple[slice, slice], slack: int = 4) -> float:
    """How well ``template``'s region is found in ``aligned`` within ``slack`` pixels of its place.

    The landmark fit wobbles by a few pixels from frame to frame (it depends on the detector's box); searching
    a little around the place absorbs that, while a closed eye matches an open one nowhere.
    """
    rows, cols = region
    patch = template[rows, cols]
    top, left = max(0, rows.start - slack), max(0, cols.start - slack)
    window = aligned[top : rows.stop + slack, left : cols.stop + slack]
    if window.shape[0] < patch.shape[0] or window.shape[1] < patch.shape[1] or float(patch.std()) < 1e-3:
        return 0.0
    return float(cv2.matchTemplate(window, patch, cv2.TM_CCOEFF_NORMED).max())


def sharpness(gray_face: np.ndarray) -> float:
    """Variance of the Laplacian: higher is sharper (motion blur and defocus lower it)."""
    return float(cv2.Laplacian(gray_face, cv2.CV_64F).var())
