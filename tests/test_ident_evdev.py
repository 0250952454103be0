"""The evdev:// scanner with the real python-evdev (a Linux dependency of the package): key events as the
kernel delivers them become codes; a missing or wrong device is a fault that names it. No uinput device can
be created in this sandbox, so the reading loop is tested up to opening the device."""

from __future__ import annotations

import time

import pytest

evdev = pytest.importorskip("evdev", reason="python-evdev is a Linux-only dependency")

from devices.scanner import open_scanner  # noqa: E402
from devices.scanner.evdev_scanner import KeyEventDecoder, key_name  # noqa: E402
from devices.status import DeviceState  # noqa: E402

E = evdev.ecodes


def events(text: str) -> list:
    """What a US-layout keyboard wedge sends for ``text`` and Enter: key down/up, shift around capitals."""
    shifted = {":": "KEY_SEMICOLON", "_": "KEY_MINUS"}
    plain = {"-": "KEY_MINUS", ".": "KEY_DOT", "/": "KEY_SLASH", " ": "KEY_SPACE"}
    out = []

    def key(name: str, value: int) -> None:
        out.append(evdev.InputEvent(0, 0, E.EV_KEY, getattr(E, name), value))
        out.append(evdev.InputEvent(0, 0, E.EV_SYN, E.SYN_REPORT, 0))

    for char in text:
        shift = char.isupper() or char in shifted
        name = shifted.get(char) or plain.get(char) or f"KEY_{char.upper()}"
        if shift:
            key("KEY_LEFTSHIFT", 1)
        key(name, 1)
        key(name, 0)
        if shift:
            key("KEY_LEFTSHIFT", 0)
    key("KEY_ENTER", 1)
    key("KEY_ENTER", 0)
    return out


def test_key_events_become_the_scanned_code() -> None:
    decoder = KeyEventDecoder()
    codes = [code for event in events("GOVKIOSK:R:ZZ-20250601-0042") if (code := decoder.feed(event))]
    assert codes == ["GOVKIOSK:R:ZZ-20250601-0042"]
    codes = [code for event in events("410105195003152015") if (code := decoder.feed(event))]
    assert codes == ["410105195003152015"]


def test_enter_alone_gives_no_code() -> None:
    decoder = KeyEventDecoder()
    assert [decoder.feed(event) for event in events("")] == [None] * 4


def test_aliased_key_codes_are_named() -> None:
    assert key_name(E.KEY_MUTE) in ("KEY_MIN_INTERESTING", "KEY_MUTE")  # a tuple in python-evdev 2.x
    assert key_name(E.KEY_A) == "KEY_A"


@pytest.mark.parametrize("path", ["/dev/input/by-id/usb-no-such-scanner-event-kbd", "/dev/null"])
def test_a_missing_or_wrong_device_is_a_fault_naming_it(path: str) -> None:
    scanner = open_scanner(f"evdev://{path}")
    scanner.start(lambda code: None)
    try:
        deadline = time.monotonic() + 5
        while scanner.status.state is not DeviceState.FAULT and time.monotonic() < deadline:
            time.sleep(0.02)
        assert scanner.status.state is DeviceState.FAULT
        assert path in scanner.status.reason and "cannot open" in scanner.status.reason
    finally:
        scanner.stop()
