"""How the document camera (高拍仪) is, for diagnostics, the heartbeat and the capture screen.

It runs only while a citizen photographs materials, so the plain camera status would say "not started" most
of the day; an idle 高拍仪 that has not failed is ``ok`` ("idle"). A fault seen while it ran stays until it
runs well again. Running, the reason gives the age of the newest frame. A fault carries the fix in words a
technician can act on, and says what citizens meanwhile do (go on without photos, papers to a counter).
"""

from __future__ import annotations

from devices.camera import Camera
from devices.status import DeviceState, DeviceStatus

FIX = ("fix: check the document camera's USB cable and power, and that its URL names its video device "
       "(v4l2-ctl --list-devices); meanwhile citizens go on without photos and hand the papers in at a counter")


def doc_camera_status(camera: Camera, *, frame_age: bool = True) -> DeviceStatus:
    """``frame_age``: say how old the newest frame is (diagnostics); off for the state the runtime publishes,
    whose reason must not change every second while nothing else does."""
    status = camera.status
    if status == DeviceStatus.degraded(f"camera {camera.location}: not started"):  # never run, or opening now
        return DeviceStatus.ok("starting" if camera.running else "idle (opened only while materials are photographed)")
    if not camera.running and status.state is DeviceState.OK:
        return DeviceStatus.ok("idle (worked the last time materials were photographed)")
    age = camera.frame_age_s
    if status.state is DeviceState.FAULT:
        return DeviceStatus.fault(f"{status.reason}; {FIX}")
    if frame_age and camera.running and age is not None:
        return DeviceStatus(status.state, "; ".join(filter(None, (status.reason, f"last frame {age:.1f} s ago"))))
    return status
