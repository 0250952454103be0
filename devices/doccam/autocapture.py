"""When to take the picture: the page has been in view and still for a few frames, and nothing moves.

Still means the outline's corners stay put and the picture as a whole hardly changes (a hand moving over or
beside the page changes it). After a capture the gate waits for a change (the page taken away, turned, or
covered by a hand) before it captures again, so one page lying there is photographed once.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.doccam.outline import Outline

STILL_FRAMES = 6  # at 10-15 fps about half a second: long enough to settle, short enough not to wait
CORNER_TOLERANCE = 0.006  # of the frame diagonal: sensor noise moves a corner less than this
MOTION_LEVEL = 3.0  # mean absolute grey difference between frames; a moving hand is well above it
REARM_MOVE = 0.03  # the page moved this far: a new page (or the same one placed again) may be captured


@dataclass(frozen=True, slots=True)
class GateState:
    still: int  # frames the page has been still
    needed: int  # frames it must be still
    armed: bool  # a capture may happen (False right after one, until the scene changes)
    capture: bool  # take the picture now

    @property
    def progress(self) -> float:
        return min(1.0, self.still / self.needed) if self.armed else 0.0


class StillnessGate:
    def __init__(self, still_frames: int = STILL_FRAMES, corner_tolerance: float = CORNER_TOLERANCE,
                 motion_level: float = MOTION_LEVEL) -> None:
        self.still_frames = still_frames
        self.corner_tolerance = corner_tolerance
        self.motion_level = motion_level
        self._outline: Outline | None = None
        self._captured_at: Outline | None = None
        self._thumb: np.ndarray | None = None
        self._still = 0
        self._armed = True

    def rearm(self) -> None:
        """Capture the page in view again (the citizen asked to retake it)."""
        self._armed = True
        self._still = 0

    def update(self, outline: Outline | None, grey_small: np.ndarray) -> GateState:
        """Feed one analysed frame: its outline (None: no page in view) and its small grey copy."""
        motion = 255.0 if self._thumb is None or self._thumb.shape != grey_small.shape else \
            float(cv2.absdiff(grey_small, self._thumb).mean())
        self._thumb = grey_small
        previous, self._outline = self._outline, outline
        if outline is None:
            self._still = 0
            self._armed = True  # the page was taken away or covered: the next one is new
            return GateState(0, self.still_frames, True, False)
        if self._captured_at is not None and outline.moved_from(self._captured_at) > REARM_MOVE:
            self._armed = True
        steady = previous is not None and outline.moved_from(previous) <= self.corner_tolerance
        self._still = self._still + 1 if steady and motion <= self.motion_level else 0
        capture = self._armed and self._still >= self.still_frames
        if capture:
            self._armed = False
            self._captured_at = outline
        return GateState(self._still, self.still_frames, self._armed or capture, capture)
