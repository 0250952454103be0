"""Serial (or USB CDC-ACM) scanners: each code arrives as one line ended by CR, LF or CR LF."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import serial

from devices.status import DeviceStatus

log = logging.getLogger(__name__)

MAX_LINE = 4096  # longer without an end of line is noise (or a wrong baud rate), not a code


class SerialScanner:
    def __init__(self, port: str, baudrate: int = 9600, reopen_delay: float = 1.0) -> None:
        self.port = port
        self.baudrate = baudrate
        self._reopen_delay = reopen_delay
        self._status = DeviceStatus.degraded(f"scanner on {port}: not started")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_code: Callable[[bytes], None] | None = None

    @property
    def status(self) -> DeviceStatus:
        return self._status

    def start(self, on_code: Callable[[bytes], None]) -> None:
        """``on_code`` gets each code's raw bytes (the caller decodes: UTF-8, then GB18030) on this thread."""
        self._on_code = on_code
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scanner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = serial.Serial(self.port, self.baudrate, timeout=0.1)
            except (serial.SerialException, OSError) as exc:
                self._status = DeviceStatus.fault(
                    f"scanner on {self.port}: cannot open ({exc}); is it plugged in (dialout group / udev rule)?"
                )
                self._stop.wait(self._reopen_delay)
                continue
            self._status = DeviceStatus.ok()
            try:
                self._read_lines(port)
            except (serial.SerialException, OSError) as exc:
                self._status = DeviceStatus.fault(f"scanner on {self.port}: connection lost ({exc})")
            finally:
                with contextlib.suppress(serial.SerialException, OSError):
                    port.close()
            self._stop.wait(self._reopen_delay)

    def _read_lines(self, port: serial.Serial) -> None:
        buffer = b""
        while not self._stop.is_set():
            chunk = port.read(port.in_waiting or 1)
            if not chunk:
                continue
            buffer += chunk
            while True:
                cut = min((i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0), default=-1)
                if cut < 0:
                    break
                line, buffer = buffer[:cut], buffer[cut + 1 :]
                if line and self._on_code is not None:
                    try:
                        self._on_code(line)
                    except Exception as exc:
                        log.error("scanner callback raised %s", type(exc).__name__)
            if len(buffer) > MAX_LINE:
                self._status = DeviceStatus.degraded(
                    f"scanner on {self.port}: {len(buffer)} bytes without an end of line; set the scanner to "
                    f"send CR or LF after each code, and check the baud rate ({self.baudrate})"
                )
                buffer = b""
