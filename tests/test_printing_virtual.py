"""The virtual printer and the interpreter: real bytes in, status bytes and a PNG out; connections by URL."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printer import PrinterConnectionError, PrinterProblem, open_printer
from devices.printer.interpreter import NotEscposError, interpret
from devices.printer.network_sim import NetworkPrinterSimulator
from devices.printer.status import status_request
from devices.printer.virtual import VirtualPrinter
from devices.status import DeviceState
from kiosk.printing import demo, documents, get_profile, render

P58, P80 = get_profile("58mm"), get_profile("80mm")


def decode(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("profile", [P58, P80], ids=["58mm", "80mm"])
def test_receipt_png_has_a_scannable_qr_with_the_receipt_number(tmp_path: Path, profile) -> None:
    printer = open_printer(f"sim://{tmp_path}?width={profile.dots_width}")
    png = printer.write(render(documents.acceptance_receipt(demo.RECEIPT), profile))
    assert png is not None and png.stat().st_size > 0
    image = Image.open(png)
    assert image.width == profile.dots_width
    assert 800 <= image.height <= 1600  # a receipt, not a blank strip nor a runaway feed
    assert any(demo.RECEIPT.receipt_number in text for text in decode(image))
    assert (tmp_path / png.name.replace(".png", ".bin")).read_bytes() == printer.virtual.jobs[-1].data


def test_qr_from_raster_fallback_scans_too() -> None:
    profile = get_profile("58mm", native_qr=False)
    image, stats = interpret(render(documents.acceptance_receipt(demo.RECEIPT), profile), profile.dots_width)
    assert stats.qr_codes == []  # it went as an image, not as a GS ( k command
    assert any(demo.RECEIPT.receipt_number in text for text in decode(image))


def test_queue_ticket_barcode_scans_back() -> None:
    image, stats = interpret(render(documents.queue_ticket(demo.TICKET), P58), 384)
    assert stats.barcodes == ["A023"] and "A023" in decode(image)


def test_interpreter_decodes_chinese_only_in_chinese_mode() -> None:
    text = "受理".encode("gb18030")
    _, with_mode = interpret(b"\x1b@\x1c&" + text + b"\n\x1c.", 384)
    _, without = interpret(b"\x1b@" + text + b"\n", 384)
    assert with_mode.lines == ["受理"]
    assert without.lines != ["受理"]  # a printer without FS & prints code page garbage, and so do we


def test_interpreter_skips_unknown_commands_safely() -> None:
    image, stats = interpret(b"\x1b@\x1bt\x00\x1dL\x00\x00\x1b\x7fAB\n\x1c\x99\x10\x04\x01CD\n", 384)
    assert stats.lines == ["AB", "CD"] and stats.unknown == 2 and image.height > 0


@pytest.mark.parametrize("data", [b"", bytes(range(32)) * 20, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4],
                         ids=["empty", "control-bytes", "png-like"])
def test_interpreter_refuses_what_is_not_escpos(data: bytes) -> None:
    with pytest.raises(NotEscposError):
        interpret(data, 576)


def test_virtual_printer_answers_status_with_real_bytes() -> None:
    printer = VirtualPrinter(render=False)
    for n in (1, 2, 3, 4):
        printer._raw(status_request(n))
        assert printer._read() == b"\x12"
    printer.simulate(paper_out=True, paper_near_end=True)
    replies = []
    for n in (1, 2, 3, 4):
        printer._raw(status_request(n))
        replies.append(printer._read())
    assert replies == [b"\x1a", b"\x32", b"\x12", b"\x7e"]


def test_a_job_sent_during_paper_out_prints_after_the_refill() -> None:
    # This is why the service must never send into a fault: the printer keeps the job.
    printer = VirtualPrinter(render=False)
    printer.simulate(paper_out=True)
    printer._raw(b"\x1b@hello\n")
    assert printer.printed == [] and printer.held
    printer.clear()
    assert printer.printed == [b"\x1b@hello\n"]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        ({"paper_out": True}, PrinterProblem.PAPER_OUT),
        ({"paper_near_end": True}, PrinterProblem.PAPER_NEAR_END),
        ({"cover_open": True}, PrinterProblem.COVER_OPEN),
        ({"cutter_error": True}, PrinterProblem.CUTTER_ERROR),
        ({"no_answer": True}, PrinterProblem.NO_ANSWER),
        ({"garbage": True}, PrinterProblem.UNEXPECTED_REPLY),
    ],
)
def test_sim_printer_status_through_the_real_query_code(condition: dict, problem: PrinterProblem) -> None:
    printer = open_printer("sim://")
    printer.virtual.simulate(**condition)
    assert printer.status().problem is problem
    printer.virtual.clear()
    assert printer.status().problem is PrinterProblem.NONE
    printer.close()


def test_tcp_printer_gets_the_job_and_answers_status(tmp_path: Path) -> None:
    """A TCP 9100 printer on loopback (the network simulator): python-escpos's real Network connection."""
    simulator = NetworkPrinterSimulator(VirtualPrinter(tmp_path)).start()
    simulator.virtual.simulate(paper_near_end=True)
    printer = open_printer(simulator.url)
    try:
        assert printer.status().problem is PrinterProblem.PAPER_NEAR_END
        data = render(documents.queue_ticket(demo.TICKET), P80)
        printer.write(data)
        assert printer.status().can_print  # answered after the job: the job went through first
    finally:
        printer.close()
        simulator.close()
    assert simulator.virtual.printed_bytes == data
    assert decode(Image.open(simulator.virtual.jobs[-1].png_path)) == ["A023"]


def test_a_status_query_right_behind_a_job_in_one_tcp_chunk_is_answered() -> None:
    """TCP may deliver the job's last bytes and the kiosk's DLE EOT in one chunk; a printer answers it anyway."""
    simulator = NetworkPrinterSimulator(VirtualPrinter(render=False)).start()
    data = render(documents.queue_ticket(demo.TICKET), P80)
    try:
        with socket.create_connection((simulator.host, simulator.port), timeout=5) as connection:
            connection.sendall(data + status_request(4))  # one write: one chunk on loopback
            reply = connection.recv(16)
    finally:
        simulator.close()
    assert reply == b"\x12"  # roll paper sensor: paper present, nothing near its end
    assert simulator.virtual.printed_bytes == data


def test_the_network_printer_simulator_runs_as_a_process_of_its_own(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "devices.printer.network_sim", "--port", "0", "--dir",
                                str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("tcp://127.0.0.1:")
        printer = open_printer(url)
        try:
            printer.write(render(documents.queue_ticket(demo.TICKET), P80))
            assert printer.status().can_print
        finally:
            printer.close()
    finally:
        process.terminate()
        process.wait(10)
    assert decode(Image.open(tmp_path / "job-0001.png")) == ["A023"]


def test_file_printer_writes_the_bytes_and_has_no_status(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    printer = open_printer(f"file://{target}")
    printer.write(b"\x1b@hi\n")
    printer.close()
    assert target.read_bytes() == b"\x1b@hi\n"
    assert printer.status() is None and printer.device_status().usable


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("bogus://x", "unknown scheme"),
        ("usb://0x0416", "usb://0xVID:0xPID"),
        ("tcp://", "name the host"),
        ("serial://", "name the port"),
        ("serial:///dev/ttyS0?flow=magic", "flow"),
    ],
)
def test_bad_urls_say_how_to_write_them(url: str, words: str) -> None:
    with pytest.raises(PrinterConnectionError, match=words):
        open_printer(url)


def test_unreachable_printers_name_the_url_and_the_fix(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        printer = open_printer(f"tcp://127.0.0.1:{port}")
        with pytest.raises(PrinterConnectionError, match=f"tcp://127.0.0.1:{port}: no connection; is the printer"):
            printer.connect()
    serial = open_printer(f"serial://{tmp_path}/ttyNOPE")
    with pytest.raises(PrinterConnectionError, match="dialout") as info:
        serial.connect()
    assert "\n" not in str(info.value)
    assert serial.device_status().state is DeviceState.FAULT


def test_paper_ends_part_way_and_the_rest_waits_in_the_buffer() -> None:
    printer = VirtualPrinter(render=False, paper_mm=40)
    job = render(documents.acceptance_receipt(demo.RECEIPT), P80)
    printer._raw(job)
    printed = printer.printed_bytes
    assert 0 < len(printed) < len(job) and printer.buffered == job[len(printed):]
    assert printer.paper_left_mm == 0
    printer._raw(status_request(4))
    assert printer._read() == b"\x72"  # paper end sensor bits 5 and 6
    printer.load_paper()
    assert printer.printed_bytes == job and printer.buffered == b""


def test_the_clear_command_empties_the_buffer_and_answers() -> None:
    from devices.printer.protocol import CLEAR_BUFFERS, CLEAR_RESPONSE

    printer = VirtualPrinter(render=False)
    printer.simulate(cover_open=True)
    printer._raw(b"\x1b@secret\n")
    printer._raw(CLEAR_BUFFERS)
    assert printer._read() == CLEAR_RESPONSE and printer.cleared == [b"\x1b@secret\n"]
    printer.simulate(cover_open=False)
    assert printer.printed == []


def test_the_process_id_is_answered_only_after_the_job_printed() -> None:
    from devices.printer.protocol import process_id_request, process_id_response

    printer = VirtualPrinter(render=False)
    printer.simulate(paper_out=True)
    printer._raw(b"\x1b@hello\n")
    printer._raw(process_id_request(b"0042"))
    assert printer._read() == b""  # nothing printed yet: no answer
    printer.load_paper()
    assert printer._read() == process_id_response(b"0042") and printer.printed == [b"\x1b@hello\n"]


def test_a_late_process_id_reply_does_not_spoil_the_status_read(tmp_path: Path) -> None:
    printer = open_printer(f"sim://{tmp_path}")
    printer.write(b"\x1b@hi\n")
    printer.request_completion(b"0002")  # answered at once, but not read yet
    assert printer.status().problem is PrinterProblem.NONE  # the '2' (0x32) in the reply is not a status byte
    assert printer.completed(b"0002") and not printer.completed(b"0002")
    printer.close()


def test_the_virtual_printer_keeps_printing_receipts_job_after_job() -> None:
    # Per-job limits (QR codes, barcodes, paper) must not add up over the printer's life.
    printer = VirtualPrinter(render=False)
    job = render(documents.acceptance_receipt(demo.RECEIPT), P80)
    for _ in range(10):
        printer._raw(job)
    printer.simulate(paper_out=True)
    for _ in range(10):
        printer._raw(job)  # held …
    printer.load_paper()  # … and printed in one run of the engine after the refill
    assert printer.printed == [job] * 20 and printer.errors == []
