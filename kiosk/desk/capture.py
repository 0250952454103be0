"""Photographing the paper materials (issue #17): after the materials check, each material the citizen has
on paper is put under the document camera (高拍仪) and photographed, one or more pages, with retake and
delete; then the journey goes on to the form or the confirm screen.

What the platform fetches by data sharing, or takes as an electronic certificate (电子证照) the citizen chose,
is never photographed. Without a document camera (``devices.doc_camera = "none"``) the step is skipped, as
before. A 高拍仪 that failed to open, or fails while the citizen photographs, is said in plain words and the
citizen may go on without photos: the materials not photographed are then handed in on paper at a counter,
exactly as on a kiosk without a document camera (the pages already taken still go with the application).
The pages live in ``session.pages`` (material, page) until the application is submitted with them as its
images (kiosk/desk/application.py); they go with the session.
Instant steps: the camera and the image work run on the capture worker (devices/doccam), not here.
"""

from __future__ import annotations

from typing import Any

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message
from kiosk.desk.outcomes_capture import CaptureRefused, CaptureUpdated, CaptureView, ShowCapture

MAX_PAGES_PER_MATERIAL = 12  # a household register has many pages; more than this is a mistake


class CaptureDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context
        self._then: Any = None  # the outcome that follows the capture (ShowForm / ShowConfirm)
        self._materials: tuple[str, ...] = ()
        self._current = 0
        self._session_id = ""
        self._camera_down = False

    @property
    def session(self):  # noqa: ANN201 - kiosk.session.Session
        return self.context.session

    @property
    def camera_available(self) -> bool:
        # The runtime opened one (devices.doc_camera is not "none" and it could be opened).
        return getattr(self.context.services, "doc_camera", None) is not None

    def paper_materials(self) -> tuple[str, ...]:
        """The ticked materials the citizen has on paper: not fetched by data sharing, not an e-certificate."""
        item = self.context.item()
        if item is None:
            return ()
        fetched = self.context.flow.fetched_materials()
        certificates = {use["material"] for use in self.session.service.get("certificates", [])}
        return tuple(
            material.name for material in item.guide.materials
            if material.name in self.session.materials_present
            and not (material.shared if fetched is None else material.name in fetched)
            and material.name not in certificates
        )

    @property
    def camera_fault(self) -> Any:
        """The fault recorded when the configured document camera could not be opened, else None."""
        return (getattr(self.context.services, "device_status", None) or {}).get("doc_camera")

    def begin(self, then: Any) -> Any:
        """The materials are settled and ``then`` comes next: the capture screen first when something is on
        paper and a document camera is there (or was meant to be, and failed: the citizen is told), else
        ``then`` itself."""
        materials = self.paper_materials()
        broken = not self.camera_available and self.camera_fault is not None
        if not materials or not (self.camera_available or broken):
            return then
        self._camera_down = broken  # a camera that is there is tried again each time
        if self._session_id != self.session.id:
            self._session_id, self._current = self.session.id, 0
        # Coming back after changing the ticks: keep the pages of materials still on paper, drop the others.
        self.session.pages[:] = [(m, page) for m, page in self.session.pages if m in materials]
        self._then, self._materials = then, materials
        self._current = min(self._current, len(materials) - 1)
        return ShowCapture(self._view(self._place()))

    def camera_failed(self) -> CaptureUpdated | None:
        """The document camera failed while the capture screen was up (no frames, a fault): say so and let
        the citizen go on without photos. None when no capture is under way (the session ended)."""
        if not self._materials or self._session_id != self.session.id:
            return None
        self._camera_down = True
        return CaptureUpdated(self._view(Message("capture.camera_failed")))

    def without_photos(self) -> Any:
        """不拍照，继续办理 (only once the camera failed): on to what follows the materials; the materials not
        photographed go to a counter on paper, as without a document camera."""
        if not self._camera_down or not self._materials:
            return None
        return self._then

    def page_taken(self, page: Any) -> CaptureUpdated | CaptureRefused | None:
        """A page came from the camera (automatically or by 拍照) for the material being photographed."""
        if not self._materials or self._session_id != self.session.id:
            return None  # the session ended while the camera worked: the page is dropped
        material = self._materials[self._current]
        if self._count(material) >= MAX_PAGES_PER_MATERIAL:
            return CaptureRefused(Message("capture.too_many", {"limit": MAX_PAGES_PER_MATERIAL}))
        self.session.pages.append((material, page))
        return CaptureUpdated(self._view(Message("capture.taken", {"count": self._count(material)})))

    def delete(self, index: int, retake: bool = False) -> CaptureUpdated:
        """Delete the ``index``-th page of the current material; ``retake``: photograph it again."""
        material = self._materials[self._current]
        owned = [i for i, (m, _page) in enumerate(self.session.pages) if m == material]
        if 0 <= index < len(owned):
            del self.session.pages[owned[index]]
        key = "capture.retake" if retake else "capture.deleted"
        return CaptureUpdated(self._view(Message(key, {"material": self._shown(material)})), rearm=retake)

    def next(self) -> Any:
        """下一份 / 完成: on to the next material, or, after the last, what follows the materials."""
        material = self._materials[self._current]
        if self._count(material) == 0 and not self._camera_down:
            return CaptureRefused(Message("capture.need_page", {"material": self._shown(material)}))
        if self._current + 1 < len(self._materials):
            self._current += 1
            # Not re-armed: the page lying there belongs to the material before; the next is captured once
            # the citizen has put it down (the hand, or the page changing, re-arms the camera).
            return CaptureUpdated(self._view(self._place()))
        return self._then

    def previous(self) -> CaptureUpdated | None:
        """上一份: back to the material before (None on the first: the screen goes back to the materials)."""
        if self._current == 0:
            return None
        self._current -= 1
        return CaptureUpdated(self._view(self._place()))

    def forget(self) -> None:
        """The session ended: drop what came after the materials (it may hold the form's values)."""
        self._then, self._materials, self._current, self._session_id = None, (), 0, ""
        self._camera_down = False

    def _place(self) -> Message:
        if self._camera_down:
            return Message("capture.camera_failed")
        material = self._materials[self._current]
        # An electronic material (a newborn's ID photo) is on the citizen's phone or a print of it: either goes
        # under the document camera; "text up" would make no sense for it.
        key = "capture.place_electronic" if self._is_electronic(material) else "capture.place"
        return Message(key, {"material": self._shown(material)})

    def _is_electronic(self, material: str) -> bool:
        item = self.context.item()
        return item is not None and any(m.name == material and m.form == "electronic" for m in item.guide.materials)

    def _shown(self, material: str) -> str:
        """The material's name in the citizen's language, for the screen (the pages keep the catalog's name)."""
        return self._shown_all((material,))[0]

    def _shown_all(self, materials: tuple[str, ...]) -> tuple[str, ...]:
        from kiosk.shown_names import shown_names

        item = self.context.item()
        if item is None:
            return materials
        names = shown_names(item)
        return tuple(names.material(material) for material in materials)

    def _count(self, material: str) -> int:
        return sum(1 for m, _page in self.session.pages if m == material)

    def _view(self, message: Message) -> CaptureView:
        material = self._materials[self._current]
        return CaptureView(self._materials, self._current, tuple(self._count(m) for m in self._materials),
                           tuple(page for m, page in self.session.pages if m == material), message,
                           self._camera_down, self._shown_all(self._materials))
