"""Headset detection reads sysfs; here a sysfs tree laid out as the kernel does shows each case."""

from __future__ import annotations

import threading
from pathlib import Path

from kiosk.voice.headset import (
    SW_HEADPHONE_INSERT,
    HeadsetMonitor,
    HeadsetStatus,
    _switch_bits,
    headset_present,
    read_switch_state,
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def usb_headset(sysfs: Path) -> None:
    device = sysfs / "bus/usb/devices/1-1"
    write(device / "product", "USB Audio Headset")
    write(sysfs / "bus/usb/devices/1-1:1.0/bInterfaceClass", "01")
    write(sysfs / "bus/usb/devices/1-1:1.0/bInterfaceSubClass", "01")  # control: not enough alone
    write(sysfs / "bus/usb/devices/1-1:1.1/bInterfaceClass", "01")
    write(sysfs / "bus/usb/devices/1-1:1.1/bInterfaceSubClass", "02")  # streaming


def jack(sysfs: Path) -> None:
    node = sysfs / "class/input/input7"
    write(node / "name", "HDA Intel PCH Headphone")
    write(node / "capabilities/sw", "14")  # bits 2 (headphone) and 4 (microphone)
    (node / "event7").mkdir(parents=True)
    keyboard = sysfs / "class/input/input3"
    write(keyboard / "name", "USB Keyboard")
    write(keyboard / "capabilities/sw", "0")
    (keyboard / "event3").mkdir()


def test_nothing_plugged_in(tmp_path: Path) -> None:
    jack(tmp_path)
    assert headset_present(tmp_path, tmp_path / "dev", read_switches=lambda node: 0) == HeadsetStatus(False, "")


def test_a_usb_headset_is_found_by_its_audio_streaming_interface(tmp_path: Path) -> None:
    usb_headset(tmp_path)
    status = headset_present(tmp_path, tmp_path / "dev")
    assert status.present and status.how == "usb: USB Audio Headset"


def test_the_headphone_jack_switch_is_read_from_the_right_event_node(tmp_path: Path) -> None:
    jack(tmp_path)
    asked: list[Path] = []

    def switches(node: Path) -> int:
        asked.append(node)
        return 1 << SW_HEADPHONE_INSERT

    status = headset_present(tmp_path, tmp_path / "dev", read_switches=switches)
    assert status == HeadsetStatus(True, "jack: HDA Intel PCH Headphone")
    assert asked == [tmp_path / "dev/input/event7"]  # the keyboard without switches is not asked


def test_an_unreadable_event_node_counts_as_no_headset(tmp_path: Path) -> None:
    jack(tmp_path)
    # The real ioctl on a node that does not exist: an OSError, handled.
    assert headset_present(tmp_path, tmp_path / "dev", read_switches=read_switch_state).present is False


def test_capability_bitmaps_are_read_as_the_kernel_writes_them() -> None:
    assert _switch_bits("14") == 0x14
    assert _switch_bits("1 0") == 1 << 64


def test_the_monitor_reports_plugging_in_and_out() -> None:
    states = iter([False, False, True, True, False] + [False] * 1000)
    changes: list[bool] = []
    done = threading.Event()

    def probe() -> HeadsetStatus:
        present = next(states)
        return HeadsetStatus(present, "usb: test" if present else "")

    def on_change(status: HeadsetStatus) -> None:
        changes.append(status.present)
        if len(changes) == 2:
            done.set()

    monitor = HeadsetMonitor(on_change, poll_s=0.01, probe=probe).start()
    try:
        assert done.wait(5)
    finally:
        monitor.stop()
    assert changes == [True, False]
