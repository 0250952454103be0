"""Cameras for QR scanning: V4L2 through OpenCV, or a simulator replaying image files / a video.

camera = open_camera("v4l2:///dev/video0?width=1920&height=1080")   # or "sim://dir?fps=15"
camera = open_camera("sim://")     # an empty scene: camera.simulator.show(image) / .hide()
camera.start(); camera.latest() -> (frame_id, ndarray) | None; camera.status; camera.stop()
"""

from __future__ import annotations

from devices.camera.scene import SceneGrabber
from devices.camera.simulated import SimGrabber
from devices.camera.source import Camera
from devices.camera.v4l2 import V4l2Grabber
from devices.urls import DeviceUrlError, parse_device_url

__all__ = ["Camera", "open_camera"]


def open_camera(url: str) -> Camera:
    """A camera for ``url`` (not started). ``none`` is not a camera: the caller checks for it first."""
    parsed = parse_device_url(url, ("v4l2", "sim"))
    if parsed.scheme == "sim" and not parsed.path:
        scene = SceneGrabber(fps=parsed.int_param("fps", 10))
        camera = Camera(scene, stall_timeout=2.0)
        camera.simulator = scene
        return camera
    if not parsed.path:
        raise DeviceUrlError(f"{url!r}: name the device or the image directory, e.g. v4l2:///dev/video0")
    if parsed.scheme == "v4l2":
        grabber = V4l2Grabber(
            parsed.path,
            width=parsed.int_param("width", 1920),
            height=parsed.int_param("height", 1080),
            fps=parsed.int_param("fps", 30),
        )
        return Camera(grabber)
    fps = parsed.int_param("fps", 15)
    if not 1 <= fps <= 120:
        raise DeviceUrlError(f"{url!r}: fps must be between 1 and 120")
    loop = parsed.params.get("loop", "1") not in ("0", "false", "no")
    return Camera(SimGrabber(parsed.path, fps=fps, loop=loop), stall_timeout=max(2.0, 3.0 / fps))
