"""HID keyboard-wedge scanners read directly from /dev/input (python-evdev, a Linux dependency of the package),
grabbed so their keystrokes do not also land in whatever text field has focus. Without python-evdev (another
OS, or a broken install) this reports a clear fault."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from devices.status import DeviceStatus

log = logging.getLogger(__name__)

# US layout, which scanners emulate by default: key code name -> (plain, shifted).
_KEYS: dict[str, tuple[str, str]] = {
    **{f"KEY_{c}": (c.lower(), c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
    **{f"KEY_{d}": (d, s) for d, s in zip("1234567890", "!@#$%^&*()", strict=True)},
    "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'),
    "KEY_COMMA": (",", "<"), "KEY_DOT": (".", ">"), "KEY_SLASH": ("/", "?"), "KEY_SPACE": (" ", " "),
    "KEY_LEFTBRACE": ("[", "{"), "KEY_RIGHTBRACE": ("]", "}"), "KEY_BACKSLASH": ("\\", "|"),
    "KEY_GRAVE": ("`", "~"),
}  # fmt: skip


def key_name(code: int) -> str | None:
    """evdev's name for a key code; for codes with aliases python-evdev gives a tuple (2.x) or list (1.x)."""
    import evdev

    name = evdev.ecodes.KEY.get(code)
    if isinstance(name, tuple | list):
        return name[0] if name else None
    return name


class KeyEventDecoder:
    """Turns a keyboard wedge's key events into codes: characters on key-down (shift held or not), a code
    on Enter. Pure: fed ``evdev.InputEvent``s by the reading thread and by the tests."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._shift = False

    def feed(self, event) -> str | None:  # event: evdev.InputEvent (type, code, value)
        import evdev

        if event.type != evdev.ecodes.EV_KEY:
            return None
        name = key_name(event.code)
        if name in ("KEY_LEFTSHIFT", "KEY_RIGHTSHIFT"):
            self._shift = event.value != 0  # 1 down, 2 auto-repeat, 0 up
        elif event.value == 1 and name in ("KEY_ENTER", "KEY_KPENTER"):
            code = "".join(self._text)
            self._text.clear()
            return code or None
        elif event.value == 1 and name in _KEYS:
            self._text.append(_KEYS[name][1 if self._shift else 0])
        return None


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
            decoder = KeyEventDecoder()
            try:
                while not self._stop.is_set():
                    ready, _, _ = select.select([device.fd], [], [], 0.2)
                    if not ready:
                        continue
                    for event in device.read():
                        code = decoder.feed(event)
                        if code is None:
                            continue
                        try:
                            on_code(code)
                        except Exception as exc:  # a broken callback must not end scanning
                            log.error("scanner callback raised %s", type(exc).__name__)
            except OSError as exc:
                self._status = DeviceStatus.fault(f"scanner {self.path}: lost ({exc}); reconnecting")
            finally:
                try:
                    device.ungrab()
                    device.close()
                except OSError:
                    pass
            self._stop.wait(1.0)
