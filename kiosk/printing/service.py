"""PrintService: one worker thread owns the printer; the UI submits documents and gets a PrintResult back.

The promise it keeps (DESIGN.md): a print job is either confirmed complete for its session or cleared from the
printer before the next session prints; a printer that cannot report status is "status unknown", never
"printed". How:

- Before each job: the real-time status (DLE EOT). A printer that cannot print gets nothing: a printer that is
  out of paper keeps what it receives and prints it after the refill, in front of the next person.
- After each job: the completion marker (GS ( H process ID), which the printer answers only once the whole job
  is on paper, while polling the real-time status. Marker answered: PRINTED, the only outcome with ``ok``.
  Paper end, cover open or another stop before it: FAILED, and the printer's buffer is cleared at once
  (DLE DC4 fn=8, or a reconnect where the model lacks it), so the unprinted rest of the job cannot come out
  after the refill. No answer (silence, or the marker never came): UNKNOWN, and the buffer is cleared too.
- A printer that cannot report (file://, a profile without real-time status): the job is sent and the outcome is
  UNKNOWN; the citizen is asked to check whether the paper came out.
- A printer that reports status but not completion (``completion=none`` in its URL): a job with no fault seen
  is UNKNOWN, and the buffer is cleared when that session ends (not at once: it may still be printing).
- A clear that cannot be confirmed (a clone without DLE DC4 fn=8, a printer switched off) is retried at the
  session's end and before the next job, and until then the device status tells the technician to switch the
  printer off and on before loading paper: only that empties such a printer. Once the printer reports it can
  print again, whatever it held is gone one way or the other, and printing resumes.
- A job belongs to a session. ``end_session`` drops every job of that session not yet sent. ``on_done`` runs on
  the worker thread (the App marshals it to the UI thread) and is not called for dropped jobs: the next citizen
  must not see a message about someone else's receipt.
"""

from __future__ import annotations

import enum
import itertools
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devices.printer.connection import Printer, PrinterConnectionError
from devices.printer.protocol import process_id
from devices.printer.status import PrinterProblem, PrinterStatusReport
from devices.status import DeviceStatus
from kiosk.printing.document import Document
from kiosk.printing.escpos import render
from kiosk.printing.profiles import PrinterProfile

log = logging.getLogger(__name__)

# What the citizen is told when nothing was sent; each ends with "note the receipt number".
_REASON_KEYS = {
    PrinterProblem.PAPER_OUT: "printing.error.paper_out",
    PrinterProblem.COVER_OPEN: "printing.error.cover_open",
    PrinterProblem.NO_ANSWER: "printing.error.no_answer",
}
# What the citizen is told when the printer stopped part-way: a partial slip (with their data) may be in the tray.
_STOPPED_KEYS = {
    PrinterProblem.PAPER_OUT: "printing.status.stopped_paper_out",
    PrinterProblem.COVER_OPEN: "printing.status.stopped_cover_open",
}
STOPPED_KEY = "printing.status.stopped"
UNKNOWN_KEY = "printing.status.unknown"  # "请检查是否已出纸"
NOT_CONNECTED_KEY = "printing.error.not_connected"
FAULT_KEY = "printing.error.fault"
_ENDED_MEMORY = 256  # session ids remembered as ended, so a late submit for one is refused
COMPLETION_TIMEOUT_S = 10.0  # plus the job's transmission time; a 2 KB receipt prints in under 3 s
_SLOWEST_LINK_BYTES_PER_S = 960  # 9600 baud serial, 10 bits a byte
_POLL_S = 0.05


class PrintOutcome(enum.StrEnum):
    PRINTED = "printed"  # the printer confirmed the whole job is on paper
    FAILED = "failed"  # not printed, or stopped part-way and the rest cleared from the printer
    UNKNOWN = "unknown"  # sent, but nothing confirms it came out: the citizen should check the tray


@dataclass(frozen=True, slots=True)
class PrintResult:
    session_id: str
    document_name: str
    ok: bool  # True only for a CONFIRMED print (outcome PRINTED)
    reason_key: str  # i18n key for the citizen ("" when ok)
    device_status: DeviceStatus  # for technicians and diagnostics
    data: bytes  # the rendered ESC/POS job (sent or not)
    png_path: Path | None = None  # virtual printer only: the printed paper
    outcome: PrintOutcome | None = None  # None at construction means "from ok": PRINTED or FAILED

    def __post_init__(self) -> None:
        outcome = self.outcome or (PrintOutcome.PRINTED if self.ok else PrintOutcome.FAILED)
        if self.ok != (outcome is PrintOutcome.PRINTED):
            raise ValueError(f"PrintResult: ok={self.ok} contradicts outcome {outcome}")
        object.__setattr__(self, "outcome", outcome)


OnDone = Callable[[PrintResult], None]


@dataclass(slots=True)
class _Job:
    session_id: str
    document: Document
    on_done: OnDone


@dataclass(frozen=True, slots=True)
class _SessionEnded:
    session_id: str


_STATUS_CHECK = object()  # a queue marker: query the status now, print nothing


def reason_key(report: PrinterStatusReport) -> str:
    return _REASON_KEYS.get(report.problem, FAULT_KEY)


def stopped_key(report: PrinterStatusReport) -> str:
    return _STOPPED_KEYS.get(report.problem, STOPPED_KEY)


class PrintService:
    def __init__(self, printer: Printer, profile: PrinterProfile, *,
                 completion_timeout_s: float = COMPLETION_TIMEOUT_S) -> None:
        self.printer = printer
        self.profile = profile
        self.completion_timeout_s = completion_timeout_s
        self._queue: queue.Queue[_Job | _SessionEnded | object | None] = queue.Queue()
        # Guards _ended only. Never held during I/O: end_session runs on the UI thread and must not wait.
        self._lock = threading.Lock()
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._last_status = DeviceStatus.ok()
        self._process_ids = itertools.count(1)
        # Worker-thread state: may the printer hold the unprinted rest of a job?
        self._must_clear = False  # yes, after a fault or silence: clear before anything else is sent
        self._leftover_session: str | None = None  # maybe, from this session's unconfirmed job: clear at its end
        self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
        self._thread.start()

    # -- called from the UI thread ------------------------------------------------------------------------
    def submit(self, session_id: str, document: Document, on_done: OnDone) -> None:
        with self._lock:
            if session_id in self._ended:
                log.info("print job %s for an ended session refused", document.name)
                return
        self._queue.put(_Job(session_id, document, on_done))

    def end_session(self, session_id: str) -> None:
        """Drop the session's unsent jobs; a job already being sent finishes (paper cannot be un-printed).
        The worker then clears whatever of that session's jobs the printer may still hold."""
        with self._lock:
            self._ended[session_id] = None
            while len(self._ended) > _ENDED_MEMORY:
                self._ended.popitem(last=False)
        self._queue.put(_SessionEnded(session_id))

    @property
    def last_status(self) -> DeviceStatus:
        return self._last_status

    def check_status(self) -> None:
        """Ask the worker to query the printer between jobs (never concurrently with one), so paper near end
        or a cover left open is known before a citizen's receipt needs the printer."""
        self._queue.put(_STATUS_CHECK)

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)
        self.printer.close()

    def __enter__(self) -> PrintService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker thread ------------------------------------------------------------------------------------
    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if job is _STATUS_CHECK:
                if self._must_clear:  # retry an owed clear at every chance: the printer may be back
                    self._clear_leftovers("periodic status check")
                self._last_status = self._cleared_status() or self.printer.device_status()  # never raises
                continue
            if isinstance(job, _SessionEnded):
                if self._must_clear or job.session_id == self._leftover_session:
                    self._clear_leftovers(f"session {job.session_id} ended")  # before anyone loads paper
                continue
            assert isinstance(job, _Job)
            try:
                result = self._print(job)
            except Exception:  # a bug here must not kill the worker and silently stop all printing
                log.exception("print job %s failed unexpectedly", job.document.name)
                self._must_clear = self._can_clear()  # it may have been sent: do not trust it
                result = PrintResult(job.session_id, job.document.name, False, FAULT_KEY,
                                     DeviceStatus.fault("internal error while printing; see the log"), b"")
            if result is None:
                continue
            self._last_status = self._cleared_status() or result.device_status
            try:
                job.on_done(result)
            except Exception:
                log.exception("on_done callback for %s raised", job.document.name)

    def _alive(self, session_id: str) -> bool:
        with self._lock:
            return session_id not in self._ended

    def _print(self, job: _Job) -> PrintResult | None:
        if not self._alive(job.session_id):
            return None
        data = render(job.document, self.profile)

        def result(outcome: PrintOutcome, key: str, status: DeviceStatus, png: Path | None = None) -> PrintResult:
            return PrintResult(job.session_id, job.document.name, outcome is PrintOutcome.PRINTED, key, status,
                               data, png, outcome)

        try:
            if self._leftover_session not in (None, job.session_id):
                self._clear_leftovers(f"before session {job.session_id} prints")
            if self._must_clear:
                self._clear_leftovers("before the next job")
            if not (self.printer.supports_status and self.profile.realtime_status):
                png = self.printer.write(data)
                return result(PrintOutcome.UNKNOWN, UNKNOWN_KEY, DeviceStatus.degraded(
                    f"printer {self.printer.url}: cannot report paper or cover status, so no job is known to have "
                    "printed; use a USB, serial or network connection that reads DLE EOT status"), png)
            self.printer.discard_replies()
            before = self.printer.status()
            if before is not None and not before.can_print:
                log.warning("printer %s not ready: %s", self.printer.url, before.device_status())
                return result(PrintOutcome.FAILED, reason_key(before), before.device_status())
            if self._must_clear:
                # The clear failed, yet the printer prints again: whatever it held has come out or was lost
                # when it was switched off. Holding this job back would protect nobody now.
                log.warning("printer %s: resumed without a confirmed buffer clear; an earlier job's rest may "
                            "have printed", self.printer.url)
                self._must_clear = False
            if not self._alive(job.session_id):  # the status query took time; the citizen may have left
                return None
            png = self.printer.write(data)
            return self._after_sending(job, data, png, result)
        except PrinterConnectionError as exc:
            log.warning("%s", exc)
            self._must_clear = self._can_clear()  # a job may be half-way in: do not trust it
            return result(PrintOutcome.FAILED, NOT_CONNECTED_KEY, DeviceStatus.fault(str(exc)))

    def _after_sending(self, job: _Job, data: bytes, png: Path | None,
                       result: Callable[..., PrintResult]) -> PrintResult:
        if self.printer.supports_completion:
            pid = process_id(next(self._process_ids))
            self.printer.request_completion(pid)
            confirmed, report = self._await_completion(pid, len(data))
            if confirmed:
                status = report.device_status() if report is not None else DeviceStatus.ok()
                return result(PrintOutcome.PRINTED, "", status, png)
            self._must_clear = True
            if report is not None and report.problem not in (PrinterProblem.NO_ANSWER,
                                                             PrinterProblem.UNEXPECTED_REPLY, PrinterProblem.NONE):
                log.warning("printer %s stopped during %s: %s", self.printer.url, job.document.name,
                            report.device_status())
                self._clear_leftovers(f"{job.document.name} stopped part-way")
                return result(PrintOutcome.FAILED, stopped_key(report), report.device_status(), png)
            self._clear_leftovers(f"{job.document.name} not confirmed")
            if report is not None and not report.can_print:  # the printer went silent or babbles mid-job
                return result(PrintOutcome.UNKNOWN, UNKNOWN_KEY, report.device_status(), png)
            return result(PrintOutcome.UNKNOWN, UNKNOWN_KEY, DeviceStatus.degraded(
                f"printer {self.printer.url}: {job.document.name} not confirmed: no answer to the completion "
                f"request (GS ( H) within {self._completion_deadline(len(data)):.0f} s; if this model does not "
                "answer it, add completion=none to the printer URL"), png)
        # Status, but no completion marker: a fault seen now is certain; no fault proves nothing.
        after = self.printer.status()
        if after is not None and not after.can_print:
            self._must_clear = True
            self._clear_leftovers(f"{job.document.name} stopped part-way")
            key = UNKNOWN_KEY if after.problem is PrinterProblem.NO_ANSWER else stopped_key(after)
            outcome = PrintOutcome.UNKNOWN if key == UNKNOWN_KEY else PrintOutcome.FAILED
            return result(outcome, key, after.device_status(), png)
        self._leftover_session = job.session_id
        status = after.device_status() if after is not None else DeviceStatus.ok()
        return result(PrintOutcome.UNKNOWN, UNKNOWN_KEY, status, png)

    def _completion_deadline(self, size: int) -> float:
        return self.completion_timeout_s + size / _SLOWEST_LINK_BYTES_PER_S

    def _await_completion(self, pid: bytes, size: int) -> tuple[bool, PrinterStatusReport | None]:
        """Wait for the printer's answer to ``pid``. (True, status) once answered; (False, status) if the
        printer reports it stopped (paper end, cover, silence) or the deadline passes."""
        deadline = time.monotonic() + self._completion_deadline(size)
        report: PrinterStatusReport | None = None
        while True:
            if self.printer.completed(pid):
                return True, self.printer.status()
            report = self.printer.status()
            if report is not None and not report.can_print:
                # The answer may have come in between: a job that finished before the roll ended is printed.
                return self.printer.completed(pid), report
            if time.monotonic() >= deadline:
                return False, report
            time.sleep(_POLL_S)

    def _clear_leftovers(self, why: str) -> bool:
        """Empty the printer's buffer; True if done. On failure ``_must_clear`` stays set: retried when the
        session ends and before the next job, and the device status asks the technician to power-cycle."""
        try:
            cleared = self.printer.clear_buffer()
        except PrinterConnectionError as exc:
            log.warning("printer %s: clearing the buffer failed (%s): %s", self.printer.url, why, exc)
            cleared = False
        if cleared:
            log.info("printer %s: buffer cleared (%s)", self.printer.url, why)
            self._must_clear = False
            self._leftover_session = None
        else:
            self._must_clear = self._can_clear()
        return cleared

    def _can_clear(self) -> bool:
        """A printer we can talk to and that has some way to empty its buffer (not file://)."""
        return self.printer.clear_mode != "none" and self.printer.supports_status and self.profile.realtime_status

    def _cleared_status(self) -> DeviceStatus | None:
        """While a clear is owed, the technician must know: a refill would print someone's leftover job."""
        if not self._must_clear:
            return None
        return DeviceStatus.fault(
            f"printer {self.printer.url}: the unprinted rest of an earlier job could not be cleared from the "
            "printer (no answer to DLE DC4 fn=8); switch the printer off and on before loading paper or closing "
            "the cover; if this model lacks the command, add clear=reconnect to the printer URL")
