"""No receipt for the next person: a job is confirmed printed for its session, or cleared from the printer.

The virtual printer models the hardware that leaks: paper that ends part-way through a job, the unprinted rest
kept in the printer's buffer and printed after the refill, DLE EOT status, DLE DC4 fn=8 clear and the GS ( H
completion answer. Each test plays the scene a citizen and a technician would.
"""

from __future__ import annotations

import contextlib
import queue
import re
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printer import open_printer
from devices.printer.interpreter import interpret
from devices.printer.protocol import CLEAR_BUFFERS, PROCESS_ID_PREFIX
from devices.printer.virtual import VirtualPrinter
from devices.status import DeviceState
from kiosk.i18n import translate
from kiosk.printing import demo, documents, get_profile, render
from kiosk.printing.service import UNKNOWN_KEY, PrintOutcome, PrintResult, PrintService

TIMEOUT = 15
P80 = get_profile("80mm")
CITIZEN_A = demo.RECEIPT
CITIZEN_B = replace(demo.RECEIPT, receipt_number="SL20240603000456", applicant_name="李思远",
                    applicant_id_number="410105198502023456", phone="13900001111",
                    qr_payload="https://zwfw.example.gov.cn/progress?no=SL20240603000456")


def open_service(url: str, **kwargs) -> tuple[PrintService, VirtualPrinter | None]:
    printer = open_printer(url)
    return PrintService(printer, kwargs.pop("profile", P80), **kwargs), printer.virtual


@pytest.fixture
def kiosk(tmp_path: Path):
    """The kiosk's print service on a virtual 80 mm printer with 40 mm of paper left on the roll."""
    service, virtual = open_service(f"sim://{tmp_path}?paper_mm=40")
    yield service, virtual
    service.close()


def print_receipt(service: PrintService, session: str, receipt=CITIZEN_A) -> PrintResult:
    results: queue.Queue[PrintResult] = queue.Queue()
    service.submit(session, documents.acceptance_receipt(receipt), results.put)
    return results.get(timeout=TIMEOUT)


def qr_texts(png: Path) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(png))]


def settle(service: PrintService) -> None:
    """Wait until the worker has handled everything queued so far (end_session clears run there)."""
    done: queue.Queue[PrintResult] = queue.Queue()
    service.check_status()
    service.submit("probe", documents.queue_ticket(demo.TICKET), done.put)
    done.get(timeout=TIMEOUT)
    service.end_session("probe")


def test_without_a_clear_the_rest_of_a_job_comes_out_after_the_refill() -> None:
    # The hazard itself, on the bare virtual printer: what the service must prevent.
    printer = VirtualPrinter(render=False, paper_mm=40)
    job = render(documents.acceptance_receipt(CITIZEN_A), P80)
    printer._raw(job)
    assert 0 < len(printer.printed_bytes) < len(job) and printer.buffered
    printer.load_paper()
    assert printer.printed_bytes == job  # the rest, QR with the receipt number included, for the next person
    assert any(CITIZEN_A.receipt_number in qr for qr in interpret(printer.printed[-1], 576)[1].qr_codes)


def test_paper_out_part_way_through_a_then_b_gets_only_her_own_receipt(kiosk) -> None:
    service, virtual = kiosk
    a = print_receipt(service, "citizen-a")
    assert a.outcome is PrintOutcome.FAILED and not a.ok
    assert a.reason_key == "printing.status.stopped_paper_out"
    assert "缺纸" in translate(a.reason_key, "zh_CN") and "已打印" not in translate(a.reason_key, "zh_CN")
    assert a.device_status.state is DeviceState.FAULT and "paper" in a.device_status.reason
    a_on_paper = virtual.printed_bytes
    assert 0 < len(a_on_paper) < len(a.data)  # the roll ended part-way through A's receipt
    assert qr_texts(a.png_path) == []  # the QR with A's receipt number did not make it onto paper …
    rest = a.data[len(a_on_paper):]
    assert virtual.buffered == b"" and virtual.cleared == [rest + PROCESS_ID_PREFIX + b"0001"]  # … and is gone
    service.end_session("citizen-a")

    virtual.load_paper()  # the technician refills; nothing of A's comes out
    assert virtual.printed_bytes == a_on_paper

    b = print_receipt(service, "citizen-b", CITIZEN_B)
    assert b.outcome is PrintOutcome.PRINTED and b.ok and b.reason_key == ""
    after_refill = virtual.printed_bytes[len(a_on_paper):]
    assert after_refill == b.data  # not one byte of A's
    lines = "\n".join(interpret(after_refill, 576)[1].lines)
    assert CITIZEN_A.receipt_number not in lines and "欧***" not in lines and "138****5678" not in lines
    assert qr_texts(b.png_path) == [CITIZEN_B.qr_payload]


def test_cover_opened_mid_job_then_closed_prints_nothing_of_a(tmp_path: Path) -> None:
    service, virtual = open_service(f"sim://{tmp_path}")
    try:
        virtual.open_cover_after(30)
        a = print_receipt(service, "citizen-a")
        assert a.outcome is PrintOutcome.FAILED and a.reason_key == "printing.status.stopped_cover_open"
        assert "纸仓盖" in translate(a.reason_key, "zh_CN")
        partial = virtual.printed_bytes
        assert 0 < len(partial) < len(a.data) and virtual.buffered == b""
        service.end_session("citizen-a")
        virtual.simulate(cover_open=False)  # closing the cover resumes a real printer: nothing is left
        assert virtual.printed_bytes == partial
        b = print_receipt(service, "citizen-b", CITIZEN_B)
        assert b.ok and virtual.printed_bytes == partial + b.data
    finally:
        service.close()


def test_a_printer_that_goes_silent_mid_job_is_unknown_and_cleared_once_it_is_back(tmp_path: Path) -> None:
    service, virtual = open_service(f"sim://{tmp_path}", completion_timeout_s=0.3)
    try:
        virtual.unplug_after(30)
        a = print_receipt(service, "citizen-a")
        assert a.outcome is PrintOutcome.UNKNOWN and a.reason_key == UNKNOWN_KEY and not a.ok
        assert a.device_status.state is DeviceState.FAULT and "does not answer" in a.device_status.reason
        partial = virtual.printed_bytes
        assert 0 < len(partial) < len(a.data) and virtual.buffered  # the rest is stuck inside, uncleared
        service.end_session("citizen-a")
        # Plugged back in (not switched off: it kept its buffer), but held on an open cover for now.
        virtual.simulate(no_answer=False, cover_open=True)
        b = print_receipt(service, "citizen-b", CITIZEN_B)  # the clear goes first, then the status says why not
        assert b.reason_key == "printing.error.cover_open" and virtual.buffered == b""
        virtual.simulate(cover_open=False)
        b = print_receipt(service, "citizen-b", CITIZEN_B)
        assert b.ok and virtual.printed_bytes == partial + b.data
    finally:
        service.close()


def test_a_roll_that_ends_on_the_last_line_still_confirms_the_receipt(tmp_path: Path) -> None:
    job = render(documents.acceptance_receipt(CITIZEN_A), P80)
    height_mm = interpret(job, 576)[0].height / 8
    service, virtual = open_service(f"sim://{tmp_path}?paper_mm={int(height_mm) + 1}")
    try:
        result = print_receipt(service, "a")
        assert result.ok and virtual.printed_bytes == result.data
    finally:
        service.close()


def test_a_file_printer_is_never_printed(tmp_path: Path) -> None:
    service, _ = open_service(f"file://{tmp_path}/lp0")
    try:
        result = print_receipt(service, "a")
    finally:
        service.close()
    assert result.outcome is PrintOutcome.UNKNOWN and not result.ok
    assert result.reason_key == UNKNOWN_KEY
    assert "请检查是否已出纸" in translate(UNKNOWN_KEY, "zh_CN") and "已打印" not in translate(UNKNOWN_KEY, "zh_CN")
    assert "check whether the paper came out" in translate(UNKNOWN_KEY, "en")
    assert (tmp_path / "lp0").read_bytes() == result.data  # it was sent, just not known to have printed
    assert "cannot report" in result.device_status.reason


def test_a_status_less_model_is_never_printed(tmp_path: Path) -> None:
    service, virtual = open_service(f"sim://{tmp_path}", profile=get_profile("80mm", realtime_status=False))
    try:
        result = print_receipt(service, "a")
    finally:
        service.close()
    assert result.outcome is PrintOutcome.UNKNOWN and not result.ok and virtual.printed == [result.data]


def test_a_printer_that_never_answers_the_marker_is_unknown_and_cleared(tmp_path: Path) -> None:
    # A clone that takes GS ( H but never answers it, while the kiosk was told it does.
    service, virtual = open_service(f"sim://{tmp_path}?lacks=process_id", completion_timeout_s=0.3)
    try:
        result = print_receipt(service, "a")
        assert result.outcome is PrintOutcome.UNKNOWN and result.reason_key == UNKNOWN_KEY
        assert "completion=none" in result.device_status.reason  # the technician learns the fix
        assert virtual.cleared  # whatever might still be inside is gone
    finally:
        service.close()


def test_status_without_completion_clears_the_leftovers_when_the_session_ends(tmp_path: Path) -> None:
    service, virtual = open_service(f"sim://{tmp_path}?completion=none")
    try:
        a = print_receipt(service, "citizen-a")
        assert a.outcome is PrintOutcome.UNKNOWN and virtual.printed == [a.data]
        assert virtual.cleared == []  # not while A's session lasts: a second slip may still be printing
        service.end_session("citizen-a")
        settle(service)
        assert len(virtual.cleared) == 1
    finally:
        service.close()


def test_a_clone_without_the_clear_command_tells_the_technician_to_power_cycle(tmp_path: Path) -> None:
    service, virtual = open_service(f"sim://{tmp_path}?paper_mm=40&lacks=clear_command")
    try:
        a = print_receipt(service, "citizen-a")
        assert a.outcome is PrintOutcome.FAILED and virtual.buffered  # the rest is stuck inside
        service.end_session("citizen-a")
        b = print_receipt(service, "citizen-b", CITIZEN_B)  # still out of paper: nothing sent
        assert not b.ok and b.reason_key == "printing.error.paper_out"
        assert service.last_status.state is DeviceState.FAULT
        assert "switch the printer off and on before loading paper" in service.last_status.reason
        a_on_paper = virtual.printed_bytes
        virtual.power_cycle()  # the technician does what the status says, then loads paper
        virtual.load_paper()
        b = print_receipt(service, "citizen-b", CITIZEN_B)
        after = virtual.printed_bytes[len(a_on_paper):]
        assert b.ok and after.replace(CLEAR_BUFFERS, b"") == b.data  # (the clone ignored the clear commands)
    finally:
        service.close()


def test_a_late_answer_for_an_earlier_job_does_not_confirm_the_next(tmp_path: Path) -> None:
    service, virtual = open_service(f"sim://{tmp_path}?paper_mm=40&lacks=clear_command")
    try:
        assert not print_receipt(service, "a").ok  # A's rest and A's marker stay in the printer
        virtual.load_paper()  # nobody power-cycled: A's rest comes out and A's marker is answered late …
        virtual.load_paper(30)  # … and the roll is short, so B's receipt stops part-way
        b = print_receipt(service, "b", CITIZEN_B)
        assert b.outcome is PrintOutcome.FAILED and b.reason_key == "printing.status.stopped_paper_out"
    finally:
        service.close()


class LoopbackPrinter:
    """A network printer on 127.0.0.1:PORT: the virtual printer behind a real TCP socket. Real-time commands
    (DLE EOT n, the buffer clear) are taken out of the byte stream wherever they arrive, as a printer does."""

    REAL_TIME = (re.compile(rb"\x10\x04[\x01-\x04]"), re.compile(re.escape(CLEAR_BUFFERS)))

    def __init__(self, **virtual_options) -> None:
        self.virtual = VirtualPrinter(render=False, **virtual_options)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self.server.accept()
            with conn:
                while chunk := conn.recv(4096):
                    for part in self._split(chunk):
                        self.virtual._raw(part)
                        if replies := self.virtual._read():
                            conn.sendall(replies)

    def _split(self, chunk: bytes) -> list[bytes]:
        parts, start = [], 0
        for match in sorted((m for r in self.REAL_TIME for m in r.finditer(chunk)), key=lambda m: m.start()):
            if match.start() >= start:
                parts += [chunk[start:match.start()], match.group()]
                start = match.end()
        return [p for p in [*parts, chunk[start:]] if p]

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)


def test_over_a_real_tcp_connection_the_rest_of_a_is_cleared() -> None:
    fake = LoopbackPrinter(paper_mm=40)
    service = PrintService(open_printer(f"tcp://127.0.0.1:{fake.port}"), P80)
    try:
        a = print_receipt(service, "citizen-a")
        assert a.outcome is PrintOutcome.FAILED and a.reason_key == "printing.status.stopped_paper_out"
        assert fake.virtual.buffered == b"" and fake.virtual.cleared
        service.end_session("citizen-a")
        a_on_paper = fake.virtual.printed_bytes
        fake.virtual.load_paper()
        b = print_receipt(service, "citizen-b", CITIZEN_B)
        assert b.outcome is PrintOutcome.PRINTED
        assert fake.virtual.printed_bytes == a_on_paper + b.data
    finally:
        service.close()
        fake.close()
