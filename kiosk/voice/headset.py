"""Is a headset plugged in? For "voice starts automatically when a headset is plugged in" (issue #13).

What is checked, in this order (all read-only, no ALSA library, works as the unprivileged kiosk user when the
udev rule gives it the input group):

1. USB headsets: any USB interface of class 01 (Audio) under ``/sys/bus/usb/devices/*/bInterfaceClass``
   with subclass 02 (AudioStreaming). A USB speaker counts too: it is also a private way to hear the kiosk.
2. The analogue 3.5 mm jack: the sound card's jack switch is an input device (``/sys/class/input/inputN``,
   named e.g. "HDA Intel PCH Headphone") whose ``capabilities/sw`` bitmap has SW_HEADPHONE_INSERT (bit 2);
   its current state is read from ``/dev/input/eventN`` with the EVIOCGSW ioctl.

``HeadsetMonitor`` polls once a second and calls back on a change (plug in: enable voice; pull out: the
App may keep voice on the speaker or turn it off, as configured).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SW_HEADPHONE_INSERT = 0x02
SW_LINEOUT_INSERT = 0x06
_SW_MAX = 0x10
_IOC_READ = 2


def _eviocgsw(length: int) -> int:
    # _IOC(_IOC_READ, 'E', 0x1b, len) from linux/input.h
    return (_IOC_READ << 30) | (length << 16) | (ord("E") << 8) | 0x1B


@dataclass(frozen=True)
class HeadsetStatus:
    present: bool
    how: str  # "usb: <product>", "jack: <input name>", or "" when absent


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def usb_audio_devices(sysfs: Path = Path("/sys")) -> list[str]:
    """Products of USB devices that have an audio streaming interface."""
    found: list[str] = []
    for interface in sorted((sysfs / "bus/usb/devices").glob("*:*")):
        if _read(interface / "bInterfaceClass") == "01" and _read(interface / "bInterfaceSubClass") == "02":
            device = interface.parent if (interface.parent / "product").exists() else \
                interface.with_name(interface.name.split(":")[0])
            product = _read(device / "product") or interface.name
            if product not in found:
                found.append(product)
    return found


def _switch_bits(capabilities_sw: str) -> int:
    """The sysfs capability bitmap is hex words, most significant first ("0 14")."""
    value = 0
    for word in capabilities_sw.split():
        value = (value << 64) | int(word, 16)
    return value


def read_switch_state(event_device: Path) -> int:
    """Current switch bitmap of an input device (EVIOCGSW)."""
    buffer = bytearray(_SW_MAX // 8 + 1)
    fd = os.open(event_device, os.O_RDONLY | os.O_NONBLOCK)
    try:
        fcntl.ioctl(fd, _eviocgsw(len(buffer)), buffer, True)
    finally:
        os.close(fd)
    return int.from_bytes(buffer, "little")


def jack_inputs(sysfs: Path = Path("/sys")) -> list[tuple[str, str]]:
    """(input name, event node name) of input devices that can report a headphone or line-out jack."""
    found = []
    for device in sorted((sysfs / "class/input").glob("input*")):
        bits = _switch_bits(_read(device / "capabilities/sw") or "0")
        if not bits & ((1 << SW_HEADPHONE_INSERT) | (1 << SW_LINEOUT_INSERT)):
            continue
        events = sorted(p.name for p in device.glob("event*"))
        if events:
            found.append((_read(device / "name"), events[0]))
    return found


def headset_present(sysfs: Path = Path("/sys"), dev: Path = Path("/dev"),
                    read_switches: Callable[[Path], int] = read_switch_state) -> HeadsetStatus:
    usb = usb_audio_devices(sysfs)
    if usb:
        return HeadsetStatus(True, f"usb: {usb[0]}")
    for name, event in jack_inputs(sysfs):
        try:
            state = read_switches(dev / "input" / event)
        except OSError:
            continue  # no permission on the node: the udev rule puts it in the kiosk's input group
        if state & ((1 << SW_HEADPHONE_INSERT) | (1 << SW_LINEOUT_INSERT)):
            return HeadsetStatus(True, f"jack: {name}")
    return HeadsetStatus(False, "")


class HeadsetMonitor:
    """Polls ``headset_present`` on its own thread and calls ``on_change(status)`` when it changes."""

    def __init__(self, on_change: Callable[[HeadsetStatus], None], poll_s: float = 1.0,
                 probe: Callable[[], HeadsetStatus] = headset_present) -> None:
        self.on_change = on_change
        self.poll_s = poll_s
        self.probe = probe
        self.status = HeadsetStatus(False, "")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HeadsetMonitor:
        self.status = self.probe()
        self._thread = threading.Thread(target=self._run, name="headset", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            status = self.probe()
            if status.present != self.status.present:
                self.status = status
                self.on_change(status)
