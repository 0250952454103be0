"""The virtual printer behind ``sim://``: a model of a real ESC/POS thermal printer, at the byte level.

What it models, because each of these decides whether a citizen's receipt reaches the next person:

- A receive buffer. Bytes are printed command by command while the printer can print; what it cannot print yet
  stays in the buffer. A job sent while the paper is out (or the cover open) waits there.
- A roll of paper of a given length (``paper_mm``; None = endless). Printing uses 8 dots per mm of the rendered
  strip; when the roll ends part-way through a job the printer stops there — the line being printed is cut off
  — and the unprinted rest of the job stays in the buffer. Loading paper (or closing the cover) resumes: the rest
  comes out, in front of whoever stands at the kiosk then. That is the leak the print service must prevent.
- DLE EOT 1-4 real-time status (paper end, near end, cover open, offline, errors), answered at once even while
  offline, as real printers do.
- DLE DC4 fn=8 "clear buffer(s)", real-time: discards the receive and print buffers and answers ``37 25 00``
  (see devices.printer.protocol for the Epson reference). ``has_clear_command=False`` models a clone without it.
- GS ( H fn=48, the process-ID response: answered only when everything before it has printed, so a job that
  stopped at paper end is never answered (``answers_process_id=False`` models a printer without it).

Real-time commands are recognised as a whole write (``DLE EOT n``, the ten clear bytes): inside a job the same
bytes could be raster data, and a real printer's misreading of them is not something to imitate.
Every stretch of printing is one ``VirtualJob`` (the bytes that went onto paper and the PNG of that strip): a run
of the print engine, split again at each ESC @ (every kiosk job starts with it), so a test can see exactly which
bytes came out after a refill.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from devices.printer.interpreter import TOP_MARGIN_DOTS, EscposError, Interpreter, TruncatedError
from devices.printer.protocol import (
    CLEAR_BUFFERS,
    CLEAR_RESPONSE,
    PROCESS_ID_PREFIX,
    process_id_response,
)
from devices.printer.status import DLE_EOT, QUERIES

DOTS_PER_MM = 8
_PROCESS_ID_LENGTH = len(PROCESS_ID_PREFIX) + 4
RUNS_OUT_DURING_NEXT_JOB_MM = 20  # a receipt is 100-200 mm long: 20 mm ends it part-way
_KEEP_CLEARED = 16  # cleared bytes are someone's receipt: keep only the last few, for tests and the demo
# The demo kiosk prints for weeks: keep only the last jobs in memory (tests and the demo look at the latest;
# job_count counts them all). Every job kept forever was lasting growth per citizen (issue #16).
KEEP_JOBS = 256


@dataclass(frozen=True, slots=True)
class VirtualJob:
    index: int
    data: bytes  # the bytes that went onto paper in this run of the print engine
    png_path: Path | None
    bin_path: Path | None


@dataclass(slots=True)
class _Faults:
    paper_near_end: bool = False  # forced near-end sensor (besides the one ``near_end_mm`` drives)
    cover_open: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    no_answer: bool = False  # switched off / unplugged: nothing is received, nothing answered
    garbage: bool = False  # answer 0xFF, which no status byte can be


class VirtualPrinter:
    """A transport with python-escpos's ``_raw``/``_read`` interface, so the real Printer code drives it."""

    def __init__(self, out_dir: Path | str | None = None, dots_width: int = 576, render: bool = True, *,
                 paper_mm: float | None = None, near_end_mm: float = 0.0, answers_process_id: bool = True,
                 has_clear_command: bool = True) -> None:
        self.dots_width = dots_width
        self.answers_process_id = answers_process_id
        self.has_clear_command = has_clear_command
        self.near_end_mm = near_end_mm
        self._render = render
        self._own_dir = out_dir is None
        self._out_dir = Path(out_dir) if out_dir is not None else None
        self._lock = threading.Lock()
        self._faults = _Faults()
        self._paper_dots: float | None = None if paper_mm is None else paper_mm * DOTS_PER_MM
        self._fault_ahead: tuple[float, str] | None = None  # (dots of paper until it happens, which fault)
        self._buffer = bytearray()  # receive buffer: bytes not yet printed
        self._engine = Interpreter(dots_width)  # the print buffer and modes persist between writes, as in a printer
        self._replies = bytearray()
        self._file_offset: int | None = None  # continue numbering after files an earlier run left in out_dir
        self.jobs: list[VirtualJob] = []  # the last KEEP_JOBS jobs
        self.job_count = 0  # every job since the printer was made
        self.cleared: list[bytes] = []  # what each buffer clear discarded (tests: the unprinted rest of a job)
        self.errors: list[EscposError] = []  # bytes the engine refused (the rest of that buffer was dropped)

    # -- python-escpos transport interface ---------------------------------------------------------------
    def open(self) -> None:
        pass

    def _raw(self, msg: bytes) -> None:
        with self._lock:
            if self._faults.no_answer:
                return  # switched off / unplugged: the bytes go nowhere
            if len(msg) == 3 and msg[:2] == DLE_EOT and msg[2] in QUERIES:
                self._replies += self._status_byte(msg[2])
                return
            if msg == CLEAR_BUFFERS and self.has_clear_command:
                self._clear_buffers()
                return
            self._buffer += msg
            self._run()

    def _read(self) -> bytes:
        with self._lock:
            replies, self._replies = bytes(self._replies), bytearray()
            return replies

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
        """Set the given conditions; the ones left as None keep their current value. Clearing a condition lets
        the printer carry on with what it holds, as a real one does."""
        with self._lock:
            if paper_out is not None:
                self._paper_dots = 0 if paper_out else None
            if paper_runs_out_during_next_job:
                self._paper_dots = RUNS_OUT_DURING_NEXT_JOB_MM * DOTS_PER_MM
            for name in ("paper_near_end", "cover_open", "cutter_error", "unrecoverable_error", "no_answer",
                         "garbage"):
                value = locals()[name]
                if value is not None:
                    setattr(self._faults, name, value)
            self._run()

    def load_paper(self, mm: float | None = None) -> None:
        """A new roll (``mm`` long; None = endless). The printer resumes with whatever is in its buffer."""
        with self._lock:
            self._paper_dots = None if mm is None else mm * DOTS_PER_MM
            self._run()

    def open_cover_after(self, mm: float) -> None:
        """The cover will be opened once ``mm`` more of paper has been printed (mid-job, if a job is running)."""
        with self._lock:
            self._fault_ahead = (mm * DOTS_PER_MM, "cover_open")

    def unplug_after(self, mm: float) -> None:
        """The cable is pulled (or the power) once ``mm`` more of paper has been printed: silence from then on."""
        with self._lock:
            self._fault_ahead = (mm * DOTS_PER_MM, "no_answer")

    def power_cycle(self) -> None:
        """Switched off and on: buffers, modes and unsent replies are gone (paper and cover as they were)."""
        with self._lock:
            self._buffer.clear()
            self._replies.clear()
            self._engine = Interpreter(self.dots_width)
            self._faults.no_answer = False

    def clear(self) -> None:
        """Endless paper loaded, cover closed, errors reset: like a real printer, it now prints what it holds."""
        with self._lock:
            self._faults = _Faults()
            self._paper_dots = None
            self._fault_ahead = None
            self._run()

    @property
    def printed(self) -> list[bytes]:
        with self._lock:
            return [job.data for job in self.jobs]

    @property
    def printed_bytes(self) -> bytes:
        """Everything that ever went onto paper, in order."""
        with self._lock:
            return b"".join(job.data for job in self.jobs)

    @property
    def buffered(self) -> bytes:
        """The receive buffer: bytes received but not printed."""
        with self._lock:
            return bytes(self._buffer)

    @property
    def held(self) -> list[bytes]:
        """Kept for older callers: the buffered bytes as a one-element list, or empty."""
        buffered = self.buffered
        return [buffered] if buffered else []

    @property
    def paper_left_mm(self) -> float | None:
        with self._lock:
            return None if self._paper_dots is None else self._paper_dots / DOTS_PER_MM

    @property
    def out_dir(self) -> Path | None:
        return self._out_dir

    # -- internals ----------------------------------------------------------------------------------------
    def _paper_out(self) -> bool:
        return self._paper_dots is not None and self._paper_dots <= 0

    def _near_end(self) -> bool:
        if self._faults.paper_near_end:
            return True
        return self._paper_dots is not None and 0 < self._paper_dots <= self.near_end_mm * DOTS_PER_MM

    def _cannot_print(self) -> bool:
        f = self._faults
        return self._paper_out() or f.cover_open or f.cutter_error or f.unrecoverable_error or f.no_answer

    def _clear_buffers(self) -> None:
        """DLE DC4 fn=8: the receive buffer and the print buffer (a half-received line) are discarded."""
        self.cleared.append(bytes(self._buffer))
        del self.cleared[:-_KEEP_CLEARED]
        self._buffer.clear()
        self._engine.line, self._engine.line_x = [], 0
        self._replies += CLEAR_RESPONSE

    def _run(self) -> None:
        """The print engine: take commands from the buffer while the printer can print."""
        data = bytes(self._buffer)
        i = 0
        printed = bytearray()
        while i < len(data):
            if data.startswith(PROCESS_ID_PREFIX, i):
                # Not real-time: reached only once everything before it has printed, so answer it even if the
                # roll ended on the very last line of that job.
                if len(data) - i < _PROCESS_ID_LENGTH:
                    break  # the rest is still on its way
                if self.answers_process_id:
                    self._replies += process_id_response(data[i + len(PROCESS_ID_PREFIX):i + _PROCESS_ID_LENGTH])
                i += _PROCESS_ID_LENGTH
                continue
            if self._cannot_print():
                break
            if data.startswith(b"\x1b@", i):  # ESC @ opens each kiosk job: its own strip and per-job limits
                if printed:
                    self._record(bytes(printed), self._engine.paper.take())
                    printed.clear()
                self._engine.new_job()
            height_before = self._engine.paper.height
            try:
                after = self._engine.step(data, i)
            except TruncatedError:
                break  # the command's remaining bytes have not arrived yet
            except EscposError as exc:
                self.errors.append(exc)  # a real printer would print garbage; we drop the rest of the buffer
                del self.errors[:-_KEEP_CLEARED]
                i = len(data)
                break
            printed += data[i:after]
            i = after
            self._use_paper(self._engine.paper.height - height_before)
        self._buffer = bytearray(data[i:])
        if printed:
            self._record(bytes(printed), self._engine.paper.take())

    def _use_paper(self, dots: int) -> None:
        if dots <= 0:
            return
        if self._fault_ahead is not None:
            left, fault = self._fault_ahead[0] - dots, self._fault_ahead[1]
            self._fault_ahead = None if left <= 0 else (left, fault)
            if left <= 0:
                setattr(self._faults, fault, True)
        if self._paper_dots is None:
            return
        self._paper_dots -= dots
        if self._paper_dots < 0:  # the roll ended inside this band: only its top part is on paper
            paper = self._engine.paper
            last = paper.bands[-1]
            keep = max(0, last.height + int(self._paper_dots))
            paper.bands[-1] = last.crop((0, 0, last.width, keep))
            paper.height -= last.height - keep
            self._paper_dots = 0

    def _status_byte(self, n: int) -> bytes:
        f = self._faults
        if f.garbage:
            return b"\xff"
        value = 0x12  # fixed bits: bit 1 and bit 4 set
        if n == 1 and self._cannot_print():
            value |= 0x08  # offline
        elif n == 2:
            value |= (0x04 if f.cover_open else 0) | (0x20 if self._paper_out() else 0)
            value |= 0x40 if (f.cutter_error or f.unrecoverable_error) else 0
        elif n == 3:
            value |= (0x08 if f.cutter_error else 0) | (0x20 if f.unrecoverable_error else 0)
        elif n == 4:
            value |= (0x0C if self._near_end() else 0) | (0x60 if self._paper_out() else 0)
        return bytes([value])

    def _record(self, data: bytes, bands: list[Image.Image]) -> None:
        self.job_count += 1
        index = self.job_count
        png_path = bin_path = None
        if self._render:
            directory = self._directory()
            stem = f"job-{index + (self._file_offset or 0):04d}"
            bin_path = directory / f"{stem}.bin"
            png_path = directory / f"{stem}.png"
            bin_path.write_bytes(data)
            _strip(bands, self.dots_width).save(png_path)
        self.jobs.append(VirtualJob(index, data, png_path, bin_path))
        del self.jobs[:-KEEP_JOBS]

    def _directory(self) -> Path:
        if self._out_dir is None:
            # Private (0700) temporary folder, removed on close: receipts are masked, but still personal.
            self._out_dir = Path(tempfile.mkdtemp(prefix="kiosk-printer-"))
        self._out_dir.mkdir(parents=True, exist_ok=True)
        if self._file_offset is None:
            self._file_offset = len(list(self._out_dir.glob("job-*.bin")))
        return self._out_dir


def _strip(bands: list[Image.Image], width: int) -> Image.Image:
    out = Image.new("L", (width, TOP_MARGIN_DOTS + sum(b.height for b in bands)), 255)
    y = TOP_MARGIN_DOTS  # the blank above the first line that a real slip has
    for band in bands:
        out.paste(band, (0, y))
        y += band.height
    return out
