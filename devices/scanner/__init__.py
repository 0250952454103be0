"""Barcode/QR scanners that are not the camera: HID keyboard wedges (evdev), serial scanners, and the
``keyboard`` fallback where the UI feeds key events to ``KeystrokeBurstDetector``.

    scanner = open_scanner("serial:///dev/ttyACM0?baudrate=9600")   # or "evdev:///dev/input/by-id/...-kbd"
    scanner.start(on_code); scanner.status; scanner.stop()
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from devices.scanner.burst import KeystrokeBurstDetector

if TYPE_CHECKING:
    from devices.scanner.evdev_scanner import EvdevScanner
    from devices.scanner.serial_scanner import SerialScanner

__all__ = ["EvdevScanner", "KeystrokeBurstDetector", "SerialScanner", "open_scanner"]


# The drivers (pyserial, termios) load when a scanner is opened, not with the burst detector, which the UI
# imports before its first frame (issue #16: ~8 ms of the cold start).
_DRIVERS = {"EvdevScanner": "devices.scanner.evdev_scanner", "SerialScanner": "devices.scanner.serial_scanner"}


def __getattr__(name: str) -> Any:
    if name in _DRIVERS:
        return getattr(importlib.import_module(_DRIVERS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_scanner(url: str) -> SerialScanner | EvdevScanner:
    """A scanner for ``url``; "keyboard" and "none" are handled by the UI (burst detector / nothing)."""
    from devices.scanner.evdev_scanner import EvdevScanner
    from devices.scanner.serial_scanner import SerialScanner
    from devices.urls import DeviceUrlError, parse_device_url

    parsed = parse_device_url(url, ("serial", "evdev"))
    if not parsed.path:
        raise DeviceUrlError(f"{url!r}: name the device, e.g. serial:///dev/ttyACM0")
    if parsed.scheme == "serial":
        return SerialScanner(parsed.path, baudrate=parsed.int_param("baudrate", 9600))
    return EvdevScanner(parsed.path)
