"""PrintService: one worker thread owns the printer; the UI submits documents and gets a PrintResult back.

Rules it enforces (DESIGN.md):
- A job belongs to a session. ``end_session`` drops every job of that session not yet sent. A job is sent only
  while its session lasts, and never to a printer that reports a fault: a printer that is out of paper keeps
  what it receives and prints it after the refill, in front of the next person.
- Status is checked before sending (do not send into a fault) and after (the roll may run out mid-job).
- ``on_done`` runs on the worker thread; the App marshals it to the UI thread (Clock.schedule_once). It is not
  called for jobs dropped by ``end_session``: that session's screens are gone, and the next citizen must not
  see a message about someone else's receipt.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devices.printer.connection import Printer, PrinterConnectionError
from devices.printer.status import PrinterProblem, PrinterStatusReport
from devices.status import DeviceStatus
from kiosk.printing.document import Document
from kiosk.printing.escpos import render
from kiosk.printing.profiles import PrinterProfile

log = logging.getLogger(__name__)

# What the citizen is told; every key ends with "note the receipt number, reprint it under progress query".
_REASON_KEYS = {
    PrinterProblem.PAPER_OUT: "printing.error.paper_out",
    PrinterProblem.COVER_OPEN: "printing.error.cover_open",
    PrinterProblem.NO_ANSWER: "printing.error.no_answer",
}
NOT_CONNECTED_KEY = "printing.error.not_connected"
FAULT_KEY = "printing.error.fault"
_ENDED_MEMORY = 256  # session ids remembered as ended, so a late submit for one is refused


@dataclass(frozen=True, slots=True)
class PrintResult:
    session_id: str
    document_name: str
    ok: bool
    reason_key: str  # i18n key for the citizen ("" when ok)
    device_status: DeviceStatus  # for technicians and diagnostics
    data: bytes  # the rendered ESC/POS job (sent or not)
    png_path: Path | None = None  # virtual printer only: the printed paper


OnDone = Callable[[PrintResult], None]


@dataclass(slots=True)
class _Job:
    session_id: str
    document: Document
    on_done: OnDone


_STATUS_CHECK = object()  # a queue marker: query the status now, print nothing


def reason_key(report: PrinterStatusReport) -> str:
    return _REASON_KEYS.get(report.problem, FAULT_KEY)


class PrintService:
    def __init__(self, printer: Printer, profile: PrinterProfile) -> None:
        self.printer = printer
        self.profile = profile
        self._queue: queue.Queue[_Job | object | None] = queue.Queue()
        # Guards _ended only. Never held during I/O: end_session runs on the UI thread and must not wait.
        self._lock = threading.Lock()
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._last_status = DeviceStatus.ok()
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
        """Drop the session's unsent jobs; a job already being sent finishes (paper cannot be un-printed)."""
        with self._lock:
            self._ended[session_id] = None
            while len(self._ended) > _ENDED_MEMORY:
                self._ended.popitem(last=False)

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
                self._last_status = self.printer.device_status()  # never raises
                continue
            try:
                result = self._print(job)
            except Exception:  # a bug here must not kill the worker and silently stop all printing
                log.exception("print job %s failed unexpectedly", job.document.name)
                result = PrintResult(job.session_id, job.document.name, False, FAULT_KEY,
                                     DeviceStatus.fault("internal error while printing; see the log"), b"")
            if result is None:
                continue
            self._last_status = result.device_status
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

        def failed(key: str, status: DeviceStatus) -> PrintResult:
            return PrintResult(job.session_id, job.document.name, False, key, status, data)

        try:
            before = self.printer.status()
            if before is not None and not before.can_print:
                log.warning("printer %s not ready: %s", self.printer.url, before.device_status())
                return failed(reason_key(before), before.device_status())
            if not self._alive(job.session_id):  # the status query took time; the citizen may have left
                return None
            png_path = self.printer.write(data)
            after = self.printer.status()
        except PrinterConnectionError as exc:
            log.warning("%s", exc)
            return failed(NOT_CONNECTED_KEY, DeviceStatus.fault(str(exc)))
        if after is not None and not after.can_print:
            # The job went out but the printer stopped during it (e.g. the roll ran out): the slip is
            # incomplete or still inside, so tell the citizen it did not print.
            return PrintResult(job.session_id, job.document.name, False, reason_key(after),
                               after.device_status(), data, png_path)
        status = after.device_status() if after is not None else self.printer.device_status()
        return PrintResult(job.session_id, job.document.name, True, "", status, data, png_path)
