"""DLE EOT status decoding: every documented bit, silence, and replies that cannot be status bytes."""

from __future__ import annotations

import pytest

from devices.printer.status import (
    PrinterProblem,
    decode_status,
    is_status_byte,
    query_status,
    status_request,
)
from devices.status import DeviceState

IDLE = 0x12  # bits 1 and 4 set: the fixed pattern, nothing to report


def report(printer: int = IDLE, offline: int = IDLE, error: int = IDLE, paper: int = IDLE):
    return decode_status({1: printer, 2: offline, 3: error, 4: paper})


def test_all_clear_is_ok() -> None:
    status = report()
    assert status.problem is PrinterProblem.NONE and status.can_print
    assert status.flags.online
    assert status.device_status().state is DeviceState.OK


@pytest.mark.parametrize(
    ("query", "bit", "flag"),
    [
        (1, 2, "drawer_pin3_high"),
        (1, 3, "offline"),
        (1, 5, "waiting_online_recovery"),
        (1, 6, "feed_button_pressed"),
        (2, 2, "cover_open"),
        (2, 3, "paper_fed_by_button"),
        (2, 5, "stopped_by_paper_end"),
        (2, 6, "error_occurred"),
        (3, 2, "recoverable_error"),
        (3, 3, "cutter_error"),
        (3, 5, "unrecoverable_error"),
        (3, 6, "auto_recoverable_error"),
    ],
)
def test_each_documented_bit_sets_exactly_its_flag(query: int, bit: int, flag: str) -> None:
    raw = dict.fromkeys((1, 2, 3, 4), IDLE)
    raw[query] |= 1 << bit
    flags = decode_status(raw).flags
    set_flags = {name for name in flags.__slots__ if getattr(flags, name)}
    expected = {flag} | ({"paper_out"} if flag == "stopped_by_paper_end" else set())
    assert set_flags == expected


@pytest.mark.parametrize("bits", [0b0000_1100, 0b0000_0100, 0b0000_1000])
def test_paper_near_end_sensor_bits_2_and_3_degrade_but_still_print(bits: int) -> None:
    status = report(paper=IDLE | bits)
    assert status.flags.paper_near_end and not status.flags.paper_out
    assert status.problem is PrinterProblem.PAPER_NEAR_END and status.can_print
    assert status.device_status().state is DeviceState.DEGRADED


@pytest.mark.parametrize("bits", [0b0110_0000, 0b0010_0000, 0b0100_0000])
def test_paper_end_sensor_bits_5_and_6_are_paper_out(bits: int) -> None:
    status = report(printer=IDLE | 0x08, offline=IDLE | 0x20, paper=IDLE | 0x0C | bits)
    assert status.flags.paper_out
    assert status.problem is PrinterProblem.PAPER_OUT and not status.can_print
    assert PrinterProblem.OFFLINE not in status.problems  # the specific cause is named, not just "offline"
    assert status.device_status().state is DeviceState.FAULT
    assert "paper" in status.device_status().reason


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (dict(printer=IDLE | 0x08, offline=IDLE | 0x04), PrinterProblem.COVER_OPEN),
        (dict(printer=IDLE | 0x08, offline=IDLE | 0x40, error=IDLE | 0x08), PrinterProblem.CUTTER_ERROR),
        (dict(printer=IDLE | 0x08, offline=IDLE | 0x40, error=IDLE | 0x20), PrinterProblem.UNRECOVERABLE_ERROR),
        (dict(printer=IDLE | 0x08, offline=IDLE | 0x40, error=IDLE | 0x40), PrinterProblem.AUTO_RECOVERABLE_ERROR),
        (dict(printer=IDLE | 0x08), PrinterProblem.OFFLINE),
    ],
)
def test_faults_stop_printing_with_a_named_reason(raw: dict, problem: PrinterProblem) -> None:
    status = report(**raw)
    assert status.problem is problem and not status.can_print
    assert status.device_status().state is DeviceState.FAULT


def test_cover_open_is_reported_before_paper_out() -> None:
    status = report(printer=IDLE | 0x08, offline=IDLE | 0x24, paper=IDLE | 0x60)
    assert status.problems[:2] == (PrinterProblem.COVER_OPEN, PrinterProblem.PAPER_OUT)


def test_no_answer_is_never_paper_out() -> None:
    status = decode_status({1: None, 2: None, 3: None, 4: None})
    assert status.problem is PrinterProblem.NO_ANSWER and not status.flags.paper_out
    assert "does not answer" in status.device_status().reason


def test_a_missing_reply_to_any_query_is_no_answer() -> None:
    assert decode_status({1: IDLE, 2: IDLE, 3: IDLE}).problem is PrinterProblem.NO_ANSWER


@pytest.mark.parametrize("garbage", [0xFF, 0x00, 0x13, 0x92, 0x10, 0x02])
def test_bytes_that_break_the_fixed_bits_are_unexpected_replies(garbage: int) -> None:
    assert not is_status_byte(garbage)
    status = report(paper=garbage)
    assert status.problem is PrinterProblem.UNEXPECTED_REPLY and not status.flags.paper_out
    assert "not ESC/POS status" in status.device_status().reason


def test_every_byte_with_the_fixed_pattern_decodes() -> None:
    valid = [b for b in range(256) if b & 0x93 == 0x12]
    assert len(valid) == 16
    for value in valid:
        assert report(value, value, value, value).problem is not PrinterProblem.UNEXPECTED_REPLY


def test_query_asks_one_at_a_time_and_stops_after_silence() -> None:
    sent: list[bytes] = []
    replies = [b"\x12", b""]
    status = query_status(sent.append, lambda: replies.pop(0) if replies else b"")
    assert sent == [status_request(1), status_request(2)]  # no four timeouts for a printer that is off
    assert status.problem is PrinterProblem.NO_ANSWER


def test_query_takes_the_last_byte_when_a_stale_one_precedes_it() -> None:
    answers = iter([b"\x12", b"\x12", b"\x12", b"\x12\x72"])
    status = query_status(lambda _: None, lambda: next(answers))
    assert status.problem is PrinterProblem.PAPER_OUT


def test_status_request_rejects_non_standard_queries() -> None:
    assert status_request(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        status_request(7)
