"""HID keyboard-wedge scanners read directly from /dev/input (python-evdev), grabbed so their keystrokes do not
also land in whatever text field has focus. Without python-evdev installed this reports a clear fault."""

from __future__ import annotations

import threading
from collections.abc import Callable

from devices.status import DeviceStatus

# US layout, which scanners emulate by default: key code name -> (plain, shifted).
_KEYS: dict[str, tuple[str, str]] = {
    **{f"KEY_{c}": (c.lower(), c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    **{f"KEY_{d}": (d, s) for d, s in zip("1234567890", "!@#$%^&*()", strict=True)},
    "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'),
    "KEY_COMMA": (",", "<"), "KEY_DOT": (".", ">"), "KEY_SLASH": ("/", "?"), "KEY_SPACE": (" ", " "),
    "KEY_LEFTBRACE": ("[", "{"), "KEY_RIGHTBRACE": ("]", "}"), "KEY_BACKSLASH": ("\\", "|"),
    "KEY_GRAVE": ("`", "~"),
}  # fmt: skip


class EvdevScanner:
    def __init__(self, path: str) -> None:
        self.path = path
        self._status = DeviceStatus.degraded(f"scanner {path}: not started")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def start(self, on_code: Callable[[str], None]) -> None:
        try:
            import evdev  # noqa: F401  (optional dependency)
        except ImportError:
            self._status = DeviceStatus.fault(
                f'scanner {self.path}: python-evdev is not installed; install it, or set scanner = "keyboard"'
            )
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(on_code,), name="scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _run(self, on_code: Callable[[str], None]) -> None:
        import select

        import evdev

        while not self._stop.is_set():
            try:
                device = evdev.InputDevice(self.path)
                device.grab()
            except OSError as exc:
                self._status = DeviceStatus.fault(
                    f"scanner {self.path}: cannot open ({exc}); plugged in, and may the kiosk user read it (input group)?"
                )
                self._stop.wait(1.0)
                continue
            self._status = DeviceStatus.ok()
            text: list[str] = []
            shift = False
            try:
                while not self._stop.is_set():
                    ready, _, _ = select.select([device.fd], [], [], 0.2)
                    if not ready:
                        continue
                    for event in device.read():
                        if event.type != evdev.ecodes.EV_KEY:
                            continue
                        name = evdev.ecodes.KEY.get(event.code)
                        name = name[0] if isinstance(name, list) else name
                        if name in ("KEY_LEFTSHIFT", "KEY_RIGHTSHIFT"):
                            shift = event.value != 0
                        elif event.value == 1 and name in ("KEY_ENTER", "KEY_KPENTER"):
                            if text:
                                on_code("".join(text))
                            text.clear()
                        elif event.value == 1 and name in _KEYS:
                            text.append(_KEYS[name][1 if shift else 0])
            except OSError as exc:
                self._status = DeviceStatus.fault(f"scanner {self.path}: lost ({exc}); reconnecting")
            finally:
                try:
                    device.ungrab()
                    device.close()
                except OSError:
                    pass
            self._stop.wait(1.0)
