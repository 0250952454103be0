"""The virtual printer behind ``sim://``: takes ESC/POS bytes, answers DLE EOT like a real printer, renders PNGs.

It behaves like the hardware in the way that matters for citizens: a job sent while the paper is out (or the
cover open) is not lost, it waits in the printer and comes out when paper is loaded, i.e. in front of whoever
stands at the kiosk then. The print service must therefore never send a job to a printer that reports a fault;
tests prove that against this behaviour.

Status queries are recognised only as a whole write of exactly ``DLE EOT n``; inside a job those bytes could be
part of raster data, and a real printer's misreading of them is not something to imitate.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from devices.printer.status import DLE_EOT, QUERIES


@dataclass(frozen=True, slots=True)
class VirtualJob:
    index: int
    data: bytes
    png_path: Path | None
    bin_path: Path | None


@dataclass(slots=True)
class _Faults:
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    no_answer: bool = False
    garbage: bool = False  # answer 0xFF, which no status byte can be
    paper_runs_out_during_next_job: bool = False


class VirtualPrinter:
    """A transport with python-escpos's ``_raw``/``_read`` interface, so the real Printer code drives it."""

    def __init__(self, out_dir: Path | str | None = None, dots_width: int = 576, render: bool = True) -> None:
        self.dots_width = dots_width
        self._render = render
        self._own_dir = out_dir is None
        self._out_dir = Path(out_dir) if out_dir is not None else None
        self._lock = threading.Lock()
        self._faults = _Faults()
        self._replies: list[bytes] = []
        self._file_offset: int | None = None  # continue numbering after files an earlier run left in out_dir
        self.jobs: list[VirtualJob] = []
        self.held: list[bytes] = []  # received while unable to print; printed when the fault clears

    # -- python-escpos transport interface ---------------------------------------------------------------
    def open(self) -> None:
        pass

    def _raw(self, msg: bytes) -> None:
        with self._lock:
            if len(msg) == 3 and msg[:2] == DLE_EOT and msg[2] in QUERIES:
                if not self._faults.no_answer:
                    self._replies.append(self._status_byte(msg[2]))
                return
            if self._faults.no_answer:
                return  # switched off / unplugged: the bytes go nowhere
            if self._cannot_print():
                self.held.append(bytes(msg))
                return
            self._print(bytes(msg))
            if self._faults.paper_runs_out_during_next_job:
                self._faults.paper_runs_out_during_next_job = False
                self._faults.paper_out = True

    def _read(self) -> bytes:
        with self._lock:
            if not self._replies:
                return b""
            return self._replies.pop(0)

    def close(self) -> None:
        if self._own_dir and self._out_dir is not None:
            shutil.rmtree(self._out_dir, ignore_errors=True)
            self._out_dir = None

    # -- what a technician (or a test) does to the printer ------------------------------------------------
    def simulate(
        self,
        *,
        paper_out: bool | None = None,
        paper_near_end: bool | None = None,
        cover_open: bool | None = None,
        cutter_error: bool | None = None,
        unrecoverable_error: bool | None = None,
        no_answer: bool | None = None,
        garbage: bool | None = None,
        paper_runs_out_during_next_job: bool | None = None,
    ) -> None:
        """Set the given conditions; the ones left as None keep their current value."""
        changes = {k: v for k, v in locals().items() if k != "self" and v is not None}
        with self._lock:
            for name, value in changes.items():
                setattr(self._faults, name, value)
            self._release_held()

    def clear(self) -> None:
        """Paper loaded, cover closed, errors reset: like a real printer, it now prints what it was holding."""
        with self._lock:
            self._faults = _Faults()
            self._release_held()

    @property
    def printed(self) -> list[bytes]:
        with self._lock:
            return [job.data for job in self.jobs]

    @property
    def out_dir(self) -> Path | None:
        return self._out_dir

    # -- internals ----------------------------------------------------------------------------------------
    def _cannot_print(self) -> bool:
        f = self._faults
        return f.paper_out or f.cover_open or f.cutter_error or f.unrecoverable_error

    def _release_held(self) -> None:
        if self._cannot_print() or self._faults.no_answer:
            return
        held, self.held = self.held, []
        for data in held:
            self._print(data)

    def _status_byte(self, n: int) -> bytes:
        f = self._faults
        if f.garbage:
            return b"\xff"
        value = 0x12  # fixed bits: bit 1 and bit 4 set
        if n == 1 and self._cannot_print():
            value |= 0x08  # offline
        elif n == 2:
            value |= (0x04 if f.cover_open else 0) | (0x20 if f.paper_out else 0)
            value |= 0x40 if (f.cutter_error or f.unrecoverable_error) else 0
        elif n == 3:
            value |= (0x08 if f.cutter_error else 0) | (0x20 if f.unrecoverable_error else 0)
        elif n == 4:
            value |= (0x0C if f.paper_near_end else 0) | (0x60 if f.paper_out else 0)
        return bytes([value])

    def _print(self, data: bytes) -> None:
        index = len(self.jobs) + 1
        png_path = bin_path = None
        if self._render:
            directory = self._directory()
            stem = f"job-{index + (self._file_offset or 0):04d}"
            bin_path = directory / f"{stem}.bin"
            png_path = directory / f"{stem}.png"
            bin_path.write_bytes(data)
            from devices.printer.interpreter import render_escpos

            render_escpos(data, self.dots_width).save(png_path)
        self.jobs.append(VirtualJob(index, data, png_path, bin_path))

    def _directory(self) -> Path:
        if self._out_dir is None:
            # Private (0700) temporary folder, removed on close: receipts are masked, but still personal.
            self._out_dir = Path(tempfile.mkdtemp(prefix="kiosk-printer-"))
        self._out_dir.mkdir(parents=True, exist_ok=True)
        if self._file_offset is None:
            self._file_offset = len(list(self._out_dir.glob("job-*.bin")))
        return self._out_dir
