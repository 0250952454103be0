"""Scanners: the keystroke burst detector, a serial scanner over a real pty, and evdev without python-evdev."""

from __future__ import annotations

import os
import queue
import time
import tty
from collections.abc import Callable

import pytest

from devices.scanner import EvdevScanner, KeystrokeBurstDetector, open_scanner
from devices.status import DeviceState


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def feed(detector: KeystrokeBurstDetector, text: str, start: float, gap: float) -> list[str]:
    results = []
    for i, char in enumerate(text):
        result = detector.feed(char, start + i * gap)
        if result is not None:
            results.append(result)
    return results


def test_scanner_burst_is_a_scan() -> None:
    assert feed(KeystrokeBurstDetector(), "410105195003152015\r", 10.0, 0.004) == ["410105195003152015"]


def test_person_typing_is_not_a_scan() -> None:
    assert feed(KeystrokeBurstDetector(), "410105195003152015\r", 10.0, 0.15) == []


def test_typing_then_a_scan() -> None:
    detector = KeystrokeBurstDetector()
    assert feed(detector, "12", 1.0, 0.2) == []
    assert feed(detector, "GOVKIOSK:R:ABC123\n", 2.0, 0.003) == ["GOVKIOSK:R:ABC123"]


def test_slow_enter_after_a_burst_is_typing() -> None:
    detector = KeystrokeBurstDetector()
    feed(detector, "ABCDEFG", 1.0, 0.003)
    assert detector.feed("\r", 2.0) is None


def test_short_burst_is_key_chatter() -> None:
    assert feed(KeystrokeBurstDetector(), "ab\r", 1.0, 0.002) == []


def test_serial_scanner_over_a_pty() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    scanner = open_scanner(f"serial://{os.ttyname(slave)}?baudrate=9600")
    codes: queue.Queue[bytes] = queue.Queue()
    scanner.start(codes.put)
    try:
        wait_for(lambda: scanner.status.state is DeviceState.OK)  # pyserial flushes input when it opens
        os.write(master, "GOVKIOSK:R:ABC123\r\n张建国".encode() + b"\r" + "李秀英".encode("gb18030") + b"\n")
        assert codes.get(timeout=5) == b"GOVKIOSK:R:ABC123"
        assert codes.get(timeout=5).decode() == "张建国"
        assert codes.get(timeout=5).decode("gb18030") == "李秀英"
        assert codes.empty()
        assert scanner.status.state is DeviceState.OK
    finally:
        scanner.stop()
        os.close(master)
        os.close(slave)


def test_missing_serial_scanner_is_a_fault() -> None:
    scanner = open_scanner("serial:///dev/ttyNOPE0")
    scanner.start(lambda code: None)
    try:
        wait_for(lambda: scanner.status.state is DeviceState.FAULT)
        assert "/dev/ttyNOPE0" in scanner.status.reason
    finally:
        scanner.stop()


def test_evdev_scanner_without_python_evdev_says_so() -> None:
    try:
        import evdev  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("python-evdev is installed here")
    scanner = EvdevScanner("/dev/input/by-id/usb-scanner-event-kbd")
    scanner.start(lambda code: None)
    assert scanner.status.state is DeviceState.FAULT and "python-evdev" in scanner.status.reason
