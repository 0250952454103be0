"""Real-time printer status: the four DLE EOT bytes, decoded to named flags and to a DeviceStatus.

Bit meanings follow the Epson ESC/POS reference for ``DLE EOT n`` (n = 1..4). In every one of the four replies
bit 0 is 0, bit 1 is 1, bit 4 is 1 and bit 7 is 0; a byte that breaks that pattern is not a status reply
(line noise, a stale byte of another answer, a printer in another emulation) and is reported as
"unexpected reply" rather than guessed at. A printer that says nothing is "no answer", never "paper out":
the two need different fixes (cable/power versus a new roll).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from devices.status import DeviceStatus

DLE_EOT = b"\x10\x04"
QUERIES = (1, 2, 3, 4)  # printer, offline cause, error cause, roll paper sensor
FIXED_MASK = 0b1001_0011  # bits 0, 1, 4, 7
FIXED_VALUE = 0b0001_0010  # bit 1 and bit 4 set


def status_request(n: int) -> bytes:
    if n not in QUERIES:
        raise ValueError(f"DLE EOT {n}: only 1-4 are standard real-time status requests")
    return DLE_EOT + bytes([n])


def is_status_byte(value: int) -> bool:
    return value & FIXED_MASK == FIXED_VALUE


class PrinterProblem(enum.StrEnum):
    """The one thing to tell a technician first, most serious first in ``_PRIORITY``."""

    NONE = "none"
    NO_ANSWER = "no_answer"
    UNEXPECTED_REPLY = "unexpected_reply"
    COVER_OPEN = "cover_open"
    PAPER_OUT = "paper_out"
    CUTTER_ERROR = "cutter_error"
    UNRECOVERABLE_ERROR = "unrecoverable_error"
    AUTO_RECOVERABLE_ERROR = "auto_recoverable_error"
    RECOVERABLE_ERROR = "recoverable_error"
    OFFLINE = "offline"
    PAPER_NEAR_END = "paper_near_end"  # the only problem that still prints (degraded)


_REASONS: dict[PrinterProblem, str] = {
    PrinterProblem.NO_ANSWER: "printer does not answer status requests; check power, cable and the URL "
    "(打印机无应答：检查电源、线缆和地址)",
    PrinterProblem.UNEXPECTED_REPLY: "printer answered with bytes that are not ESC/POS status; check the "
    "emulation mode and the baud rate (应答异常：检查仿真模式和波特率)",
    PrinterProblem.COVER_OPEN: "cover is open; close it (纸仓盖打开)",
    PrinterProblem.PAPER_OUT: "paper roll is empty; load a new roll (缺纸)",
    PrinterProblem.CUTTER_ERROR: "autocutter error; clear the jam and power-cycle (切刀故障)",
    PrinterProblem.UNRECOVERABLE_ERROR: "unrecoverable error; power-cycle, then call service (不可恢复故障)",
    PrinterProblem.AUTO_RECOVERABLE_ERROR: "auto-recoverable error, e.g. print head too hot; wait (打印头过热等)",
    PrinterProblem.RECOVERABLE_ERROR: "recoverable error; power-cycle or send the recovery command (可恢复故障)",
    PrinterProblem.OFFLINE: "printer is offline (打印机离线)",
    PrinterProblem.PAPER_NEAR_END: "paper roll is nearly used up; replace it soon (纸将尽)",
}

_PRIORITY = (
    PrinterProblem.NO_ANSWER,
    PrinterProblem.UNEXPECTED_REPLY,
    PrinterProblem.COVER_OPEN,
    PrinterProblem.PAPER_OUT,
    PrinterProblem.CUTTER_ERROR,
    PrinterProblem.UNRECOVERABLE_ERROR,
    PrinterProblem.AUTO_RECOVERABLE_ERROR,
    PrinterProblem.RECOVERABLE_ERROR,
    PrinterProblem.OFFLINE,
    PrinterProblem.PAPER_NEAR_END,
)


@dataclass(frozen=True, slots=True)
class PrinterFlags:
    # DLE EOT 1: printer status
    drawer_pin3_high: bool = False  # bit 2
    offline: bool = False  # bit 3
    waiting_online_recovery: bool = False  # bit 5
    feed_button_pressed: bool = False  # bit 6
    # DLE EOT 2: offline cause
    cover_open: bool = False  # bit 2
    paper_fed_by_button: bool = False  # bit 3
    stopped_by_paper_end: bool = False  # bit 5
    error_occurred: bool = False  # bit 6
    # DLE EOT 3: error cause
    recoverable_error: bool = False  # bit 2
    cutter_error: bool = False  # bit 3
    unrecoverable_error: bool = False  # bit 5
    auto_recoverable_error: bool = False  # bit 6
    # DLE EOT 4: roll paper sensor
    paper_near_end: bool = False  # bits 2 and 3
    paper_out: bool = False  # bits 5 and 6

    @property
    def online(self) -> bool:
        return not self.offline


def _bit(value: int, n: int) -> bool:
    return bool(value >> n & 1)


def _flags(raw: Mapping[int, int]) -> PrinterFlags:
    printer, offline, error, paper = raw[1], raw[2], raw[3], raw[4]
    return PrinterFlags(
        drawer_pin3_high=_bit(printer, 2),
        offline=_bit(printer, 3),
        waiting_online_recovery=_bit(printer, 5),
        feed_button_pressed=_bit(printer, 6),
        cover_open=_bit(offline, 2),
        paper_fed_by_button=_bit(offline, 3),
        stopped_by_paper_end=_bit(offline, 5),
        error_occurred=_bit(offline, 6),
        recoverable_error=_bit(error, 2),
        cutter_error=_bit(error, 3),
        unrecoverable_error=_bit(error, 5),
        auto_recoverable_error=_bit(error, 6),
        # The sensors are reported on two bits each; some models set only one of the pair, so either counts.
        paper_near_end=bool(paper & 0b0000_1100),
        paper_out=bool(paper & 0b0110_0000) or _bit(offline, 5),
    )


@dataclass(frozen=True, slots=True)
class PrinterStatusReport:
    """What the four queries returned. ``raw[n]`` is the reply byte to DLE EOT n, or None if none came."""

    raw: dict[int, int | None] = field(default_factory=dict)
    flags: PrinterFlags = field(default_factory=PrinterFlags)
    problems: tuple[PrinterProblem, ...] = ()

    @property
    def problem(self) -> PrinterProblem:
        return self.problems[0] if self.problems else PrinterProblem.NONE

    @property
    def can_print(self) -> bool:
        return self.problem in (PrinterProblem.NONE, PrinterProblem.PAPER_NEAR_END)

    def raw_text(self) -> str:
        return " ".join(f"{n}:{'--' if v is None else f'{v:08b}'}" for n, v in sorted(self.raw.items()))

    def device_status(self) -> DeviceStatus:
        problem = self.problem
        if problem is PrinterProblem.NONE:
            return DeviceStatus.ok()
        reason = "; ".join(_REASONS[p] for p in self.problems) + f" [DLE EOT {self.raw_text()}]"
        if problem is PrinterProblem.PAPER_NEAR_END:
            return DeviceStatus.degraded(reason)
        return DeviceStatus.fault(reason)


def decode_status(raw: Mapping[int, int | None]) -> PrinterStatusReport:
    """Decode replies to DLE EOT 1-4 (missing or None = no answer to that query)."""
    replies = {n: raw.get(n) for n in QUERIES}
    if any(v is None for v in replies.values()):
        return PrinterStatusReport(replies, PrinterFlags(), (PrinterProblem.NO_ANSWER,))
    if not all(is_status_byte(v) for v in replies.values() if v is not None):
        return PrinterStatusReport(replies, PrinterFlags(), (PrinterProblem.UNEXPECTED_REPLY,))
    flags = _flags({n: v for n, v in replies.items() if v is not None})
    found = {
        PrinterProblem.COVER_OPEN: flags.cover_open,
        PrinterProblem.PAPER_OUT: flags.paper_out,
        PrinterProblem.CUTTER_ERROR: flags.cutter_error,
        PrinterProblem.UNRECOVERABLE_ERROR: flags.unrecoverable_error,
        PrinterProblem.AUTO_RECOVERABLE_ERROR: flags.auto_recoverable_error,
        PrinterProblem.RECOVERABLE_ERROR: flags.recoverable_error,
        # Offline with no named cause still stops printing (e.g. waiting for online recovery).
        PrinterProblem.OFFLINE: flags.offline or flags.waiting_online_recovery or flags.error_occurred,
        PrinterProblem.PAPER_NEAR_END: flags.paper_near_end,
    }
    problems = tuple(p for p in _PRIORITY if found.get(p))
    # "Offline" is only worth naming when nothing more specific explains it.
    if len(problems) > 1 and PrinterProblem.OFFLINE in problems:
        specific = [p for p in problems if p not in (PrinterProblem.OFFLINE, PrinterProblem.PAPER_NEAR_END)]
        if specific:
            problems = tuple(p for p in problems if p is not PrinterProblem.OFFLINE)
    return PrinterStatusReport(replies, flags, problems)


def query_status(send: Callable[[bytes], None], read: Callable[[], bytes]) -> PrinterStatusReport:
    """Ask DLE EOT 1-4 one at a time, so each reply belongs to its question.

    ``read`` returns b"" (or raises OSError/TimeoutError) when nothing arrives within the connection's timeout.
    After the first silence we stop asking: a printer that is off would otherwise cost four timeouts.
    """
    raw: dict[int, int | None] = dict.fromkeys(QUERIES)
    for n in QUERIES:
        send(status_request(n))
        try:
            reply = read()
        except (OSError, TimeoutError):
            reply = b""
        if not reply:
            break
        raw[n] = reply[-1]  # the last byte is the fresh answer; earlier ones may be stale
    return decode_status(raw)
