"""Face capture for identity verification (人证比对): guidance, a blink liveness check, the best frame.

The screen feeds camera frames (BGR numpy arrays) to ``FaceCapture.feed``; each call answers with a
``CaptureUpdate``: the stage, the i18n key of the one thing to tell the citizen now, a progress fraction and
the face box for the on-screen outline. When the citizen has blinked on request the stage is ``passed`` and
the update carries the best frame as JPEG bytes (in memory only: never written, never logged), which the
kiosk sends to the platform for matching. A printed photo, however it is moved, never blinks: the stage
turns ``failed`` when the challenge times out.

How the blink is judged: while the citizen holds still facing the camera, the controller warps the face onto
a small canonical grid fitted on dlib's 5 landmarks (eye corners, nose base: a blink moves none of them) and
keeps it as the "open" template. An eye that closes stops looking like its template (its region's correlation
falls); when it opens again it looks like the template once more. The nose region must keep
looking like itself on the closed frames: motion blur, a bent or tilted photo or a lighting change lower every
region, a blink only the eyes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import cv2
import numpy as np

from devices.face import geometry
from devices.face.models import FaceBox, FaceModels


class Stage(StrEnum):
    GUIDING = "guiding"  # finding one frontal, steady, well-lit face
    BLINK = "blink"  # the citizen is asked to blink
    PASSED = "passed"  # live face captured: ``jpeg`` is set
    FAILED = "failed"  # no live face in time: ``message_key`` says why


class Message:
    """The i18n keys a screen shows (and speaks); texts in kiosk/locale/*/face.toml."""

    LOOK = "face.guide.look"  # start: "please look at the camera"
    NO_FACE = "face.guide.no_face"
    MANY_FACES = "face.guide.many_faces"
    CLOSER = "face.guide.closer"
    FARTHER = "face.guide.farther"
    CENTER = "face.guide.center"
    FACE_CAMERA = "face.guide.face_camera"
    TOO_DARK = "face.guide.too_dark"
    HOLD_STILL = "face.guide.hold_still"
    BLINK = "face.guide.blink"
    PASSED = "face.result.captured"
    FAIL_NO_BLINK = "face.fail.no_blink"
    FAIL_TIMEOUT = "face.fail.timeout"


@dataclass(frozen=True)
class CaptureSettings:
    min_face_fraction: float = 0.17  # face width / frame width under this: "come closer"
    max_face_fraction: float = 0.50  # over this: "move back a little" (HOG misses faces much larger)
    max_yaw: float = 0.22  # nose off the eyes' middle, in inter-eye distances: "face the camera"
    max_roll_degrees: float = 15.0
    min_brightness: float = 60.0  # mean grey level of the face box: "too dark"
    max_motion: float = 0.08  # face-centre move between frames, in face widths: "hold still"
    steady_frames: int = 3  # good frames in a row before asking for the blink
    eyes_closed_below: float = 0.70  # both eyes' correlation with the open template under this: closed
    closed_gap: float = 0.25  # ... and this much under the nose's (a blink changes the eyes, not the nose)
    eyes_open_above: float = 0.85
    control_min: float = 0.85  # the nose region must still look like itself on a closed frame
    lost_face_s: float = 0.6  # face gone longer than this during the blink: start over
    challenge_timeout_s: float = 8.0
    overall_timeout_s: float = 30.0
    jpeg_max_side: int = 480
    jpeg_quality: int = 90


@dataclass(frozen=True)
class CaptureUpdate:
    stage: Stage
    message_key: str
    progress: float  # 0..1, for a progress ring
    face_box: FaceBox | None = None  # in frame pixels, for the outline on screen
    frame_size: tuple[int, int] = (0, 0)  # width, height of the frame the box refers to
    jpeg: bytes | None = field(default=None, repr=False)  # the best frame, only when stage is PASSED
    # The steady face, on the update that asks for the blink: the kiosk may send it for matching while the
    # citizen blinks, and uses the answer only once liveness passed. The blink is judged against a template
    # of this same steady face (the nose must keep matching it), so the live face is the matched one.
    match_jpeg: bytes | None = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        return self.stage in (Stage.PASSED, Stage.FAILED)

    def __repr__(self) -> str:  # the photo never reaches a log line, only its size
        size = f"{len(self.jpeg)} B" if self.jpeg else "none"
        return f"CaptureUpdate(stage={self.stage}, message_key={self.message_key}, progress={self.progress:.2f}, jpeg={size})"


@dataclass
class _EyeState:
    reference: np.ndarray | None = None  # where the stable landmarks go on the canonical grid
    template: np.ndarray | None = None  # the open-eyed face on that grid
    closed_seen: bool = False
    samples: list[np.ndarray] = field(default_factory=list)


class FaceCapture:
    def __init__(
        self,
        models: FaceModels | None = None,
        settings: CaptureSettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.models = models or FaceModels.shared()
        self.settings = settings or CaptureSettings()
        self._clock = clock
        self.reset()

    # --- public API -----------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: templates, the best frame, the photo. Call at the end of a session."""
        self.stage = Stage.GUIDING
        self.started_at: float | None = None
        self._challenge_at = 0.0
        self._last_seen_at = 0.0
        self._previous_center: tuple[float, float] | None = None
        self._steady = 0
        self._eyes = _EyeState()
        self._best_crop: np.ndarray | None = None
        self._best_score = -1.0
        self._final: CaptureUpdate | None = None

    def start(self, now: float | None = None) -> CaptureUpdate:
        """The moment the screen says "look at the camera"; timeouts count from here."""
        self.reset()
        self.started_at = self._clock() if now is None else now
        return CaptureUpdate(Stage.GUIDING, Message.LOOK, 0.0)

    def feed(self, frame_bgr: np.ndarray, now: float | None = None) -> CaptureUpdate:
        """Judge one camera frame and say what to tell the citizen."""
        if self._final is not None:
            return self._final
        now = self._clock() if now is None else now
        if self.started_at is None:
            self.start(now)
        assert self.started_at is not None
        settings = self.settings
        if self.stage is Stage.BLINK and now - self._challenge_at > settings.challenge_timeout_s:
            return self._finish(Stage.FAILED, Message.FAIL_NO_BLINK)
        if self.stage is Stage.GUIDING and now - self.started_at > settings.overall_timeout_s:
            return self._finish(Stage.FAILED, Message.FAIL_TIMEOUT)

        frame_size = (frame_bgr.shape[1], frame_bgr.shape[0])
        gray = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY)
        boxes = self.models.detect(gray)
        if not boxes:
            return self._problem(Message.NO_FACE, None, frame_size, now, face_lost=True)
        box = boxes[0]
        if any(other.width >= 0.5 * box.width for other in boxes[1:]):
            # Somebody else is in view: their blink must not count for this citizen.
            self._restart_challenge()
            return self._problem(Message.MANY_FACES, box, frame_size, now)
        self._last_seen_at = now

        width, height = frame_size
        fraction = box.width / width
        center_x, center_y = box.center
        if fraction < settings.min_face_fraction:
            return self._problem(Message.CLOSER, box, frame_size, now)
        if fraction > settings.max_face_fraction:
            return self._problem(Message.FARTHER, box, frame_size, now)
        if not (0.2 * width < center_x < 0.8 * width and 0.15 * height < center_y < 0.85 * height):
            return self._problem(Message.CENTER, box, frame_size, now)

        points = self.models.landmarks(gray, box)
        face_pixels = gray[max(box.top, 0) : box.top + box.height, max(box.left, 0) : box.left + box.width]
        moved = self._moved(points)
        if face_pixels.size == 0 or float(face_pixels.mean()) < settings.min_brightness:
            return self._problem(Message.TOO_DARK, box, frame_size, now)
        if abs(geometry.yaw_ratio(points)) > settings.max_yaw or abs(geometry.roll_degrees(points)) > settings.max_roll_degrees:
            return self._problem(Message.FACE_CAMERA, box, frame_size, now)
        if moved:
            return self._problem(Message.HOLD_STILL, box, frame_size, now)

        state = self._eyes
        if state.reference is None:
            state.reference = geometry.canonical_reference(points)
        aligned = geometry.aligned_face(gray, points, state.reference)
        if aligned is None:
            return self._problem(Message.HOLD_STILL, box, frame_size, now)
        if self.stage is Stage.GUIDING:
            return self._steady_frame(frame_bgr, gray, box, aligned, frame_size, now)
        return self._challenge_frame(frame_bgr, gray, box, aligned, frame_size)

    # --- stages ---------------------------------------------------------------------------------------------

    def _steady_frame(self, frame_bgr, gray, box, aligned, frame_size, now) -> CaptureUpdate:
        state = self._eyes
        state.samples.append(aligned)
        self._consider_best(frame_bgr, gray, box)
        self._steady += 1
        if self._steady < self.settings.steady_frames:
            return CaptureUpdate(
                Stage.GUIDING, Message.HOLD_STILL, 0.5 * self._steady / self.settings.steady_frames, box, frame_size
            )
        samples = state.samples[-self.settings.steady_frames :]
        state.template = np.mean(samples, axis=0)
        state.samples.clear()
        self.stage = Stage.BLINK
        self._challenge_at = now
        return CaptureUpdate(Stage.BLINK, Message.BLINK, 0.5, box, frame_size, match_jpeg=self._encode_best())

    def _challenge_frame(self, frame_bgr, gray, box, aligned, frame_size) -> CaptureUpdate:
        state = self._eyes
        assert state.template is not None and state.reference is not None
        settings = self.settings
        regions = geometry.face_regions(state.reference)
        right_eye = geometry.region_similarity(aligned, state.template, regions["right_eye"])
        left_eye = geometry.region_similarity(aligned, state.template, regions["left_eye"])
        nose = geometry.region_similarity(aligned, state.template, regions["nose"])
        eyes = max(right_eye, left_eye)  # both eyes must change: one eye's glint or glare is not a blink
        looks_closed = eyes < settings.eyes_closed_below and eyes < nose - settings.closed_gap
        looks_open = min(right_eye, left_eye) >= settings.eyes_open_above
        if looks_closed and nose >= settings.control_min:
            state.closed_seen = True
            return CaptureUpdate(Stage.BLINK, Message.BLINK, 0.75, box, frame_size)
        if looks_open:
            self._consider_best(frame_bgr, gray, box)
            if state.closed_seen:
                return self._finish(Stage.PASSED, Message.PASSED, box, frame_size)
        return CaptureUpdate(Stage.BLINK, Message.BLINK, 0.75 if state.closed_seen else 0.5, box, frame_size)

    # --- helpers --------------------------------------------------------------------------------------------

    def _problem(
        self,
        message: str,
        box: FaceBox | None,
        frame_size: tuple[int, int],
        now: float,
        face_lost: bool = False,
    ) -> CaptureUpdate:
        self._steady = 0
        self._eyes.samples.clear()
        if self.stage is Stage.GUIDING:
            self._eyes.reference = None  # the next steady run fits its own grid
        if box is None:
            self._previous_center = None
        if self.stage is Stage.BLINK:
            # Short trouble (a detection miss, a moment's turn) keeps the challenge; a face gone for longer
            # may have been swapped for another (or a photo): start again from a steady face.
            if face_lost and now - self._last_seen_at > self.settings.lost_face_s:
                self._restart_challenge()
                return CaptureUpdate(Stage.GUIDING, message, 0.0, box, frame_size)
            return CaptureUpdate(Stage.BLINK, message, 0.5, box, frame_size)
        return CaptureUpdate(Stage.GUIDING, message, 0.0, box, frame_size)

    def _restart_challenge(self) -> None:
        if self.stage is Stage.BLINK:
            self.stage = Stage.GUIDING
            self._eyes = _EyeState()

    def _moved(self, points: np.ndarray) -> bool:
        # Judged on landmarks (the eyes' middle, in inter-eye distances): the detector's box jumps by whole
        # scale steps from frame to frame even on a perfectly still face.
        left, right = geometry.eye_centres(points)
        center = tuple((right + left) / 2)
        eye_distance = float(np.linalg.norm(right - left))
        previous, self._previous_center = self._previous_center, center
        if previous is None:
            return False
        shift = float(np.hypot(center[0] - previous[0], center[1] - previous[1]))
        return shift > self.settings.max_motion * 2.5 * eye_distance

    def _consider_best(self, frame_bgr: np.ndarray, gray: np.ndarray, box: FaceBox) -> None:
        face = gray[max(box.top, 0) : box.top + box.height, max(box.left, 0) : box.left + box.width]
        score = geometry.sharpness(face) * min(1.0, box.width / 200.0)
        if score > self._best_score:
            self._best_score = score
            self._best_crop = _portrait_crop(frame_bgr, box, self.settings.jpeg_max_side)

    def _encode_best(self) -> bytes | None:
        if self._best_crop is None:
            return None
        ok, encoded = cv2.imencode(".jpg", self._best_crop, [cv2.IMWRITE_JPEG_QUALITY, self.settings.jpeg_quality])
        return encoded.tobytes() if ok else None

    def _finish(
        self,
        stage: Stage,
        message: str,
        box: FaceBox | None = None,
        frame_size: tuple[int, int] = (0, 0),
    ) -> CaptureUpdate:
        jpeg = None
        if stage is Stage.PASSED:
            jpeg = self._encode_best()
            if jpeg is None:
                stage, message = Stage.FAILED, Message.FAIL_TIMEOUT
        self.stage = stage
        self._best_crop = None
        self._eyes = _EyeState()
        self._final = CaptureUpdate(stage, message, 1.0 if stage is Stage.PASSED else 0.0, box, frame_size, jpeg)
        return self._final


def _portrait_crop(frame_bgr: np.ndarray, box: FaceBox, max_side: int) -> np.ndarray:
    # Head and shoulders, not the whole frame: the platform needs the face, not the room behind it.
    height, width = frame_bgr.shape[:2]
    center_x, center_y = box.center
    half_w = box.width * 0.9
    half_h = box.height * 1.15
    left, right = int(max(0, center_x - half_w)), int(min(width, center_x + half_w))
    top, bottom = int(max(0, center_y - half_h)), int(min(height, center_y + half_h))
    crop = frame_bgr[top:bottom, left:right]
    scale = min(1.0, max_side / max(crop.shape[:2]))
    if scale < 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return crop.copy()
