"""Open a printer by URL and talk to it: send a job, ask its real-time status.

    usb://0x0416:0x5011[?in_ep=0x82&out_ep=0x01]     serial:///dev/ttyS0?baudrate=9600[&flow=dsrdtr|none]
    tcp://192.0.2.10:9100[?timeout=5]                 file:///dev/usb/lp0 (write only, no status)
    sim://[DIR][?width=384&paper_mm=120&simulate=paper_out,...&lacks=clear_command,process_id]
                                                      the virtual printer (DIR keeps each run's .bin and .png)

Every readable URL also takes ``completion=process_id|none`` (does the model answer GS ( H after a job?) and
``clear=dle_dc4|reconnect|none`` (how to empty its buffer after a fault: the DLE DC4 fn=8 command, else closing
and reopening the connection), for models that lack the Epson commands; see devices.printer.protocol.

python-escpos does the connections (Usb/Serial/Network/File); we only use their ``open``/``_raw``/``_read``,
because the document bytes are ours (see kiosk.printing.escpos) and python-escpos's status helpers read only two
of the four status bytes.
"""

from __future__ import annotations

import contextlib
import re
import threading
from pathlib import Path
from typing import Any, Protocol

from devices.printer.protocol import (
    CLEAR_BUFFERS,
    CLEAR_RESPONSE,
    ReplyParser,
    process_id_request,
    process_id_response,
)
from devices.printer.status import PrinterStatusReport, query_status
from devices.printer.virtual import VirtualPrinter
from devices.status import DeviceStatus
from devices.urls import DeviceUrl, DeviceUrlError, parse_device_url

SCHEMES = ("usb", "serial", "tcp", "file", "sim")
STATUS_TIMEOUT_S = 1.0  # a printer answers DLE EOT within milliseconds; a second means it is not there
COMPLETION_MODES = ("process_id", "none")
CLEAR_MODES = ("dle_dc4", "reconnect", "none")
_READS_PER_REPLY = 4  # reads that may bring other replies (a late process ID) before the one we asked for
_USB_IDS = re.compile(r"^(0x[0-9a-fA-F]{1,4}):(0x[0-9a-fA-F]{1,4})$")


class PrinterConnectionError(RuntimeError):
    """The printer cannot be reached; the message names the URL, what failed and the fix."""


class Transport(Protocol):
    def open(self) -> Any: ...
    def _raw(self, msg: bytes) -> None: ...
    def _read(self) -> bytes: ...
    def close(self) -> None: ...


_FIXES = {
    "usb": "not found; is it plugged in and is the udev rule installed?",
    "serial": "cannot open the port; check the device name and that the kiosk user is in the dialout group",
    "tcp": "no connection; is the printer switched on, on the network, and is the address right?",
    "file": "cannot open the file for writing; check the path and permissions (for /dev/usb/lp*: group lp)",
    "sim": "cannot write to the output folder; check the path and permissions",
}


class Printer:
    """One printer. Thread-safe: the print worker and the diagnostics screen may both use it."""

    def __init__(self, url: str, scheme: str, transport: Transport, *, readable: bool,
                 virtual: VirtualPrinter | None = None, completion: str = "process_id",
                 clear: str = "dle_dc4") -> None:
        self.url = url
        self.scheme = scheme
        self.virtual = virtual  # set for sim://: tests and the demo reach the simulated hardware through it
        self._transport = transport
        self._readable = readable
        self.completion = completion if readable else "none"
        self.clear_mode = clear if readable else "none"
        self._connected = False
        self._lock = threading.RLock()
        self._replies = ReplyParser()  # block replies (process ID, clear) kept apart from DLE EOT bytes

    @property
    def supports_status(self) -> bool:
        return self._readable

    @property
    def supports_completion(self) -> bool:
        """True if the printer answers GS ( H after a job has printed (the only proof a job came out)."""
        return self.completion == "process_id"

    def connect(self) -> None:
        """Open the connection now (otherwise the first write does); raises PrinterConnectionError."""
        with self._lock:
            if self._connected:
                return
            try:
                self._transport.open()
            except Exception as exc:  # python-escpos wraps every cause differently; the URL and fix matter
                raise self._error(exc) from exc
            if getattr(self._transport, "_device", True) is None:  # python-escpos "opened" but found nothing
                raise self._error(None)
            self._connected = True

    def write(self, data: bytes) -> Path | None:
        """Send one job. Returns the PNG of the job for the virtual printer (None otherwise or if held)."""
        with self._lock:
            self.connect()
            jobs_before = self.virtual.job_count if self.virtual else 0
            try:
                self._transport._raw(data)
                flush = getattr(self._transport, "flush", None)
                if callable(flush):
                    flush()
            except Exception as exc:
                self._drop_connection()
                raise PrinterConnectionError(f"printer {self.url}: sending failed ({exc}); "
                                             "check the cable/network and power") from exc
            if self.virtual and self.virtual.job_count > jobs_before:
                return self.virtual.jobs[-1].png_path
            return None

    def status(self) -> PrinterStatusReport | None:
        """Ask DLE EOT 1-4; None if this connection cannot read (file://). Raises PrinterConnectionError."""
        if not self._readable:
            return None
        with self._lock:
            self.connect()
            try:
                return query_status(self._transport._raw, self._read_status_byte)
            except PrinterConnectionError:
                raise
            except OSError as exc:
                self._drop_connection()
                raise PrinterConnectionError(f"printer {self.url}: status request failed ({exc}); "
                                             "check the cable/network and power") from exc

    def request_completion(self, pid: bytes) -> None:
        """Queue GS ( H behind the job just sent: the printer answers ``pid`` once all of it has printed."""
        with self._lock:
            self._send(process_id_request(pid))

    def completed(self, pid: bytes) -> bool:
        """Read what the printer sent back; True once it answered ``pid`` (see request_completion)."""
        if not self._readable:
            return False
        with self._lock:
            if self._replies.take(process_id_response(pid)):
                return True
            self._receive()
            return self._replies.take(process_id_response(pid))  # one read per call: the caller paces polling

    def discard_replies(self) -> None:
        """Forget replies that belong to earlier jobs, so a late answer is never taken for a new job's."""
        with self._lock:
            self._replies.reset()

    def clear_buffer(self) -> bool:
        """Empty the printer's receive and print buffers (the unprinted rest of a job). True if done.

        ``dle_dc4``: send DLE DC4 fn=8 and wait for its clear response; without one, fall back to reopening the
        connection and report False (not confirmed). ``reconnect``: close and reopen the connection (True: the
        best this model allows). ``none`` (file://): nothing can be done, False. Raises PrinterConnectionError.
        """
        with self._lock:
            if self.clear_mode == "none":
                return False
            if self.clear_mode == "dle_dc4":
                self._send(CLEAR_BUFFERS)
                for _ in range(_READS_PER_REPLY):
                    if self._replies.take(CLEAR_RESPONSE):
                        return True
                    if not self._receive()[0]:
                        break
                if self._replies.take(CLEAR_RESPONSE):
                    return True
            self._reconnect()
            return self.clear_mode == "reconnect"

    def device_status(self) -> DeviceStatus:
        """For diagnostics and the UI: never raises."""
        try:
            report = self.status()
        except PrinterConnectionError as exc:
            return DeviceStatus.fault(str(exc))
        if report is None:
            return DeviceStatus.ok(f"{self.scheme}:// cannot report paper or cover status")
        return report.device_status()

    def close(self) -> None:
        with self._lock:
            self._drop_connection()
            if self.virtual is not None:
                self.virtual.close()

    def _send(self, data: bytes) -> None:
        self.connect()
        try:
            self._transport._raw(data)
        except Exception as exc:
            self._drop_connection()
            raise PrinterConnectionError(f"printer {self.url}: sending failed ({exc}); "
                                         "check the cable/network and power") from exc

    def _receive(self) -> tuple[bool, bytes]:
        """One read: (did anything arrive, the DLE EOT status bytes in it); block replies go to ``_replies``."""
        try:
            data = self._read()
        except Exception:  # OSError, timeouts, usb.core.USBTimeoutError …: nothing came
            return False, b""
        if not data:
            return False, b""
        return True, self._replies.feed(data)

    def _read_status_byte(self) -> bytes:
        """For query_status: the status bytes of the next read(s), skipping block replies that came first."""
        for _ in range(_READS_PER_REPLY):
            arrived, status = self._receive()
            if not arrived:
                return b""
            if status:
                return status
        return b""

    def _reconnect(self) -> None:
        if self.virtual is None:
            self._drop_connection()
        self._replies.reset()
        self.connect()

    def _read(self) -> bytes:
        reader = self._transport._read
        device = getattr(self._transport, "_device", None)
        settimeout = getattr(device, "settimeout", None)  # a TCP socket: status reads must not wait 60 s
        if callable(settimeout):
            settimeout(STATUS_TIMEOUT_S)
        try:
            return bytes(reader())
        finally:
            if callable(settimeout):
                settimeout(getattr(self._transport, "timeout", None))

    def _drop_connection(self) -> None:
        if self._connected and self.virtual is None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail again; nothing to do
                self._transport.close()
        self._connected = False

    def _error(self, exc: BaseException | None) -> PrinterConnectionError:
        text = " ".join(str(exc or "").split())  # python-escpos messages span lines; ours are one line
        detail = f" ({text})" if text else ""
        if isinstance(self._transport, _Unavailable):
            return PrinterConnectionError(f"printer {self.url}: {self._transport.reason}")
        if self.scheme in ("usb", "serial", "file") and "ermission" in text:
            return PrinterConnectionError(f"printer {self.url}: permission denied{detail}; install the udev rule "
                                          "or add the kiosk user to the lp/dialout group")
        return PrinterConnectionError(f"printer {self.url}: {_FIXES[self.scheme]}{detail}")

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_printer(url: str, *, status_timeout: float = STATUS_TIMEOUT_S) -> Printer:
    """Build the Printer for ``url`` without any I/O (the kiosk starts even if the printer is off).

    Raises PrinterConnectionError for a URL that cannot name a printer.
    """
    text = url.strip()
    try:
        parsed = parse_device_url(text, SCHEMES)
    except DeviceUrlError as exc:
        raise PrinterConnectionError(f"printer {exc}") from None
    try:
        return _BUILDERS[parsed.scheme](parsed, status_timeout)
    except DeviceUrlError as exc:
        raise PrinterConnectionError(f"printer {exc}") from None


def _usb(url: DeviceUrl, status_timeout: float) -> Printer:
    text = url.raw
    match = _USB_IDS.match(url.host)
    if not match or url.path.strip("/"):
        raise PrinterConnectionError(f"printer {text!r}: write a USB printer as usb://0xVID:0xPID, "
                                     "e.g. usb://0x0416:0x5011 (see lsusb)")
    extra = {k: url.int_param(k, 0) for k in ("in_ep", "out_ep") if k in url.params}
    from escpos.printer import Usb
    from escpos.printer.usb import is_usable

    if not is_usable():
        # Without pyusb, python-escpos's Usb raises even from its destructor; do not build one at all.
        return Printer(text, "usb", _Unavailable("pyusb is not installed; install it with pip install pyusb"),
                       readable=True)
    transport = Usb(int(match.group(1), 16), int(match.group(2), 16), timeout=int(status_timeout * 1000), **extra)
    return Printer(text, "usb", transport, readable=True, **_capabilities(url))


def _serial(url: DeviceUrl, status_timeout: float) -> Printer:
    from escpos.printer import Serial

    if not url.path:
        raise PrinterConnectionError(f"printer {url.raw}: name the port, e.g. serial:///dev/ttyS0?baudrate=9600")
    flow = url.params.get("flow", "dsrdtr")
    if flow not in ("dsrdtr", "xonxoff", "none"):
        raise PrinterConnectionError(f"printer {url.raw}: flow={flow!r}; use dsrdtr, xonxoff or none")
    transport = Serial(devfile=url.path, baudrate=url.int_param("baudrate", 9600), timeout=status_timeout,
                       dsrdtr=flow == "dsrdtr", xonxoff=flow == "xonxoff")
    return Printer(url.raw, "serial", transport, readable=True, **_capabilities(url))


def _tcp(url: DeviceUrl, status_timeout: float) -> Printer:
    from escpos.printer import Network

    if not url.host:
        raise PrinterConnectionError(f"printer {url.raw}: name the host, e.g. tcp://192.0.2.10:9100")
    transport = Network(host=url.host, port=url.port or 9100, timeout=url.int_param("timeout", 10))
    return Printer(url.raw, "tcp", transport, readable=True, **_capabilities(url))


def _file(url: DeviceUrl, status_timeout: float) -> Printer:
    from escpos.printer import File

    if not url.path:
        raise PrinterConnectionError(f"printer {url.raw}: name the file, e.g. file:///dev/usb/lp0")
    return Printer(url.raw, "file", File(devfile=url.path), readable=False)


_LACKABLE = ("process_id", "clear_command")  # sim://?lacks=…: a clone without GS ( H answers or DLE DC4 fn=8
_SIMULATABLE = ("paper_out", "paper_near_end", "cover_open", "cutter_error", "no_answer", "garbage")


def _capabilities(url: DeviceUrl) -> dict[str, str]:
    """``completion=`` and ``clear=``: what this printer model can do beyond DLE EOT (see the module doc)."""
    completion = url.params.get("completion", "process_id")
    clear = url.params.get("clear", "dle_dc4")
    if completion not in COMPLETION_MODES:
        raise PrinterConnectionError(f"printer {url.raw}: completion={completion!r}; use "
                                     f"{' or '.join(COMPLETION_MODES)} (none: the model does not answer GS ( H)")
    if clear not in CLEAR_MODES:
        raise PrinterConnectionError(f"printer {url.raw}: clear={clear!r}; use {', '.join(CLEAR_MODES)}")
    return {"completion": completion, "clear": clear}


def _sim(url: DeviceUrl, status_timeout: float) -> Printer:
    width = url.int_param("width", 576)
    if not 128 <= width <= 2048 or width % 8:
        raise PrinterConnectionError(f"printer {url.raw}: width={width}; use the paper's printable dots, "
                                     "a multiple of 8 such as 384 (58 mm) or 576 (80 mm)")
    paper_mm = url.int_param("paper_mm", 0) or None  # the roll length left; unset = endless
    capabilities = _capabilities(url)  # what the kiosk is told the model can do …
    lacks = [c for c in url.params.get("lacks", "").split(",") if c]  # … and what the simulated model lacks
    if unknown := [c for c in lacks if c not in _LACKABLE]:
        raise PrinterConnectionError(f"printer {url.raw}: lacks={','.join(unknown)}; use {', '.join(_LACKABLE)}")
    virtual = VirtualPrinter(url.path or None, dots_width=width, paper_mm=paper_mm,
                             near_end_mm=url.int_param("near_end_mm", 0),
                             answers_process_id="process_id" not in lacks,
                             has_clear_command="clear_command" not in lacks)
    # sim://DIR?simulate=paper_out,cover_open starts the virtual printer in that state (demos, CLI tests).
    conditions = [c for c in url.params.get("simulate", "").split(",") if c]
    unknown = [c for c in conditions if c not in _SIMULATABLE]
    if unknown:
        raise PrinterConnectionError(f"printer {url.raw}: cannot simulate {', '.join(unknown)}; "
                                     f"use {', '.join(_SIMULATABLE)}")
    if conditions:
        virtual.simulate(**dict.fromkeys(conditions, True))
    return Printer(url.raw, "sim", virtual, readable=True, virtual=virtual, **capabilities)


class _Unavailable:
    """A transport whose driver library is missing: every use says which library and how to get it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def open(self) -> None:
        raise RuntimeError(self.reason)

    def _raw(self, msg: bytes) -> None:
        raise OSError(self.reason)

    def _read(self) -> bytes:
        raise OSError(self.reason)

    def close(self) -> None:
        pass


_BUILDERS = {"usb": _usb, "serial": _serial, "tcp": _tcp, "file": _file, "sim": _sim}
