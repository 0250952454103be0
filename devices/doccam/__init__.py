"""The document camera (高拍仪): find the page, wait until it is still, photograph it, straighten it, clean it
up and compress it to a size a village line uploads in seconds (issue #17, material capture).

    camera = open_doc_camera("v4l2:///dev/video1?width=1920&height=1080")   # or "sim://" (demo papers)
    worker = CaptureWorker(camera, on_preview=..., on_page=...).start()   # a thread; callbacks off the UI thread
    analyse(frame) -> Outline | None; rectify(frame, outline) -> page; clean(page); encode_page(page) -> Page

No Kivy, no kiosk imports: a library with its own tests (tests/test_doccam.py).
"""

from __future__ import annotations

from devices.camera import Camera, open_camera
from devices.doccam.autocapture import StillnessGate
from devices.doccam.encode import PAGE_BUDGET_BYTES, Page, encode_page
from devices.doccam.outline import Outline, find_outline
from devices.doccam.rectify import clean, rectify
from devices.doccam.status import doc_camera_status
from devices.doccam.worker import CaptureWorker, Preview
from devices.priority import yield_cpu_to_the_ui
from devices.urls import parse_device_url

__all__ = ["PAGE_BUDGET_BYTES", "CaptureWorker", "Outline", "Page", "Preview", "StillnessGate", "clean",
           "doc_camera_status", "encode_page", "find_outline", "open_doc_camera", "rectify"]


def open_doc_camera(url: str) -> Camera:
    """The document camera for ``url`` (not started). ``sim://`` shows the demo papers on a desk, a hand
    putting each one down and moving away (devices/doccam/papers.py); ``sim://dir`` replays image files;
    ``v4l2://…`` is a real 高拍仪 (a UVC camera looking down at the mat). ``sim://?fault=REASON`` starts the
    simulated one failed (its ``simulator.fault()`` / ``heal()`` switch it at run time)."""
    parsed = parse_device_url(url, ("v4l2", "sim"))
    if parsed.scheme == "sim" and not parsed.path:
        from devices.doccam.papers import PaperDesk

        desk = PaperDesk(fps=parsed.int_param("fps", 10))
        if parsed.params.get("fault"):  # sim://?fault=unplugged: a 高拍仪 that fails (diagnostics tests)
            desk.fault(parsed.params["fault"])
        camera = Camera(desk, stall_timeout=2.0)
        camera.simulator = desk
        return camera
    camera = open_camera(url)
    camera.grabber = BackgroundGrabber(camera.grabber)  # a real 高拍仪's grabbing yields to the UI too
    return camera


class BackgroundGrabber:
    """Wraps a grabber so that the camera thread that opens it runs at background priority."""

    def __init__(self, grabber) -> None:  # noqa: ANN001 - devices.camera.source.Grabber
        self._grabber = grabber
        self.location = grabber.location

    def open(self) -> None:
        yield_cpu_to_the_ui()
        self._grabber.open()

    def read(self):  # noqa: ANN201 - np.ndarray | None
        return self._grabber.read()

    def close(self) -> None:
        self._grabber.close()
