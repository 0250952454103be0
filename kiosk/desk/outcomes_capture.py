"""What the capture step answers (kiosk/desk/capture.py): the capture screen with the material being
photographed and its pages, an update of it, or a refusal; when every paper material has its pages, the
step answers what came after the materials (the form or the confirm screen: kiosk/desk/outcomes.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.desk.outcomes import Message


@dataclass(frozen=True, slots=True)
class CaptureView:
    materials: tuple[str, ...]  # the materials the citizen has on paper, in the guide's order
    current: int  # the one being photographed (index into materials)
    counts: tuple[int, ...]  # pages held per material
    pages: tuple[Any, ...]  # devices.doccam.Page of the current material, in order (for the thumbnails)
    message: Message  # what to tell the citizen now
    camera_down: bool = False  # the 高拍仪 failed: no preview; the citizen may go on without photos
    shown_materials: tuple[str, ...] = ()  # the materials' names in the citizen's language, for the screen

    @property
    def material(self) -> str:
        return self.materials[self.current]

    @property
    def shown_material(self) -> str:
        return self.shown_materials[self.current] if self.shown_materials else self.material

    @property
    def is_last(self) -> bool:
        return self.current == len(self.materials) - 1

    def __repr__(self) -> str:  # never the page bytes
        return f"CaptureView({self.current + 1}/{len(self.materials)}, pages={self.counts})"


@dataclass(frozen=True, slots=True)
class ShowCapture:
    """Open the capture screen (and the document camera) on ``view``."""

    view: CaptureView


@dataclass(frozen=True, slots=True)
class CaptureUpdated:
    """The capture screen stays; show ``view`` (a page added, deleted, or the next material)."""

    view: CaptureView
    rearm: bool = False  # the page in view may be captured again (重拍)


@dataclass(frozen=True, slots=True)
class CaptureRefused:
    message: Message
