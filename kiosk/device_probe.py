"""Asking a device how it is, with a deadline: from the app's open device objects, or by opening the device from
its config URL for a moment (``kiosk diagnose`` on a box where the app is stopped).

Every check runs on a daemon thread and is given up after a deadline: a USB printer whose driver hangs, or a
camera whose capture call never returns, must not hang ``kiosk diagnose`` (a monitoring system runs it and
needs an answer). A check that is given up is reported as a fault naming the device and the wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from devices.status import DeviceState, DeviceStatus

# What the app may pass for a device: a status, a callable returning one, or the device object itself
# (Printer.device_status(), IdCardReader.status, Camera.status, scanners' .status).
StatusSource = DeviceStatus | Callable[[], DeviceStatus] | Any

_POLL_S = 0.05


def status_of(source: StatusSource) -> DeviceStatus:
    """The current DeviceStatus of whatever the app handed us (see StatusSource)."""
    if isinstance(source, DeviceStatus):
        return source
    device_status = getattr(source, "device_status", None)
    if callable(device_status):  # Printer: .status() is the raw DLE EOT report, device_status() the verdict
        return device_status()
    status = getattr(source, "status", None)
    if isinstance(status, DeviceStatus):
        return status
    if callable(status):
        result = status()
        if isinstance(result, DeviceStatus):
            return result
    if callable(source):
        result = source()
        if isinstance(result, DeviceStatus):
            return result
    raise TypeError(f"cannot read a device status from {type(source).__name__}; pass a DeviceStatus, a "
                    "callable returning one, or a device object with .status / .device_status()")


def run_with_deadline(check: Callable[[], DeviceStatus], timeout: float, what: str) -> DeviceStatus:
    """Run ``check`` on a daemon thread; a fault naming ``what`` if it raises or outlives ``timeout``."""
    started = threading.Event()
    box: list[DeviceStatus] = []

    def target() -> None:
        started.set()
        try:
            box.append(check())
        except Exception as exc:  # a driver's exception is a finding about the device, not a crash of ours
            text = " ".join(str(exc).split()) or type(exc).__name__
            box.append(DeviceStatus.fault(text if what in text else f"{what}: {text}"))

    thread = threading.Thread(target=target, name=f"probe {what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        return DeviceStatus.fault(
            f"{what}: no result within {timeout:g} s (the device or its driver hangs); check its cable and "
            "power, then restart the kiosk"
        )
    return box[0]


def _wait_for_change(read: Callable[[], DeviceStatus], initial: DeviceStatus, seconds: float) -> DeviceStatus:
    """Poll until the status is no longer ``initial`` ("not started") or time is up."""
    deadline = time.monotonic() + seconds
    status = read()
    while status == initial and time.monotonic() < deadline:
        time.sleep(_POLL_S)
        status = read()
    return status


def _not_settled(what: str, seconds: float) -> DeviceStatus:
    return DeviceStatus.fault(f"{what}: no answer within {seconds:g} s; check power, the cable and the URL")


def probe_printer(url: str, seconds: float) -> DeviceStatus:
    from devices.printer import open_printer

    printer = open_printer(url, status_timeout=min(1.0, seconds))
    try:
        return printer.device_status()
    finally:
        printer.close()


def probe_id_reader(url: str, seconds: float) -> DeviceStatus:
    from devices.idreader import open_id_reader

    reader = open_id_reader(url)
    initial = reader.status
    # One poll answers the question; a card lying on the reader is read and dropped (never kept or logged).
    reader.start(on_card=lambda _card: None)
    try:
        status = _wait_for_change(lambda: reader.status, initial, min(seconds, reader.timeout + 1.0))
    finally:
        reader.stop()
    return _not_settled(f"ID card reader {url}", seconds) if status == initial else status


def probe_camera(url: str, seconds: float) -> DeviceStatus:
    from devices.camera import open_camera

    camera = open_camera(url)
    initial = camera.status
    camera.start()
    try:
        status = _wait_for_change(lambda: camera.status, initial, seconds)
    finally:
        camera.stop()
    if status == initial:
        return DeviceStatus.fault(f"camera {url}: no frame within {seconds:g} s; check the cable, or whether "
                                  "another program holds the camera")
    return status


def probe_doc_camera(url: str, seconds: float) -> DeviceStatus:
    """The document camera (高拍仪) opened for a moment: its state and the age of its newest frame."""
    from devices.doccam import doc_camera_status, open_doc_camera
    from devices.doccam.status import FIX

    camera = open_doc_camera(url)
    initial = camera.status
    camera.start()
    try:
        status = _wait_for_change(lambda: camera.status, initial, seconds)
        if status != initial:
            status = doc_camera_status(camera)  # while it runs: the last frame's age, or the fault and its fix
    finally:
        camera.stop()
    if status == initial:
        return DeviceStatus.fault(f"document camera {url}: no frame within {seconds:g} s; {FIX}")
    return status


def probe_scanner(url: str, seconds: float) -> DeviceStatus:
    if url == "keyboard":
        return DeviceStatus.ok("keyboard-wedge scanner: its keystrokes arrive through the window; "
                               "test it by scanning a code on the identify screen")
    from devices.scanner import open_scanner

    scanner = open_scanner(url)
    initial = scanner.status
    scanner.start(lambda _code: None)
    try:
        status = _wait_for_change(lambda: scanner.status, initial, seconds)
    finally:
        scanner.stop()
    return _not_settled(f"scanner {url}", seconds) if status == initial else status


PROBES: dict[str, Callable[[str, float], DeviceStatus]] = {
    "printer": probe_printer,
    "camera": probe_camera,
    "doc_camera": probe_doc_camera,
    "idreader": probe_id_reader,
    "scanner": probe_scanner,
}
LABELS = {"printer": "printer", "camera": "camera", "doc_camera": "document camera", "idreader": "ID card reader",
          "scanner": "scanner"}


def check_devices(
    urls: Mapping[str, str], given: Mapping[str, StatusSource], timeout: float, probe: bool = True
) -> dict[str, DeviceStatus | None]:
    """Status of every configured device, in parallel, each within ``timeout``. None means disabled ("none").

    Devices in ``given`` (the app's open objects) are asked; the others are opened from their URL for the
    check when ``probe`` is true, else reported as not checked.
    """
    results: dict[str, DeviceStatus | None] = {}
    threads: dict[str, tuple[threading.Thread, list[DeviceStatus]]] = {}
    for name, url in urls.items():
        what = f"{LABELS.get(name, name)} {url}"
        if url == "none" and name not in given:
            results[name] = None
            continue
        if name in given:
            source = given[name]
            check: Callable[[], DeviceStatus] = lambda source=source: status_of(source)  # noqa: E731
        elif probe:
            check = lambda name=name, url=url: PROBES[name](url, max(0.5, timeout - 0.5))  # noqa: E731
        else:
            results[name] = DeviceStatus.degraded(f"{what}: not checked (device checks were switched off)")
            continue
        box: list[DeviceStatus] = []
        thread = threading.Thread(
            target=lambda check=check, box=box, what=what: box.append(run_with_deadline(check, timeout, what)),
            name=f"check {name}", daemon=True,
        )
        thread.start()
        threads[name] = (thread, box)
    for name, (thread, box) in threads.items():
        thread.join(timeout + 1.0)
        results[name] = box[0] if box else _not_settled(f"{LABELS.get(name, name)} {urls[name]}", timeout)
    return {name: results[name] for name in urls}


def state_name(status: DeviceStatus | None) -> str:
    """ok / degraded / fault, or disabled for a device configured as "none"."""
    return "disabled" if status is None else DeviceState(status.state).value
