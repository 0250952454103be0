"""PrintService: results, faults before and after printing, and the session rule."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from devices.printer import open_printer
from devices.status import DeviceState
from kiosk.printing import demo, documents, get_profile
from kiosk.printing.service import PrintOutcome, PrintResult, PrintService

TIMEOUT = 10


@pytest.fixture
def sim(tmp_path: Path):
    printer = open_printer(f"sim://{tmp_path}")
    service = PrintService(printer, get_profile("80mm"))
    yield service, printer.virtual
    service.close()


def receipt():
    return documents.acceptance_receipt(demo.RECEIPT)


def print_and_wait(service: PrintService, session: str = "s1") -> PrintResult:
    results: queue.Queue[PrintResult] = queue.Queue()
    service.submit(session, receipt(), results.put)
    return results.get(timeout=TIMEOUT)


def test_a_receipt_prints_and_the_result_carries_bytes_and_png(sim) -> None:
    service, virtual = sim
    result = print_and_wait(service)
    assert result.ok and result.reason_key == "" and result.device_status.state is DeviceState.OK
    assert result.outcome is PrintOutcome.PRINTED
    assert virtual.printed == [result.data]
    assert result.png_path is not None
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(result.png_path))]
    assert any(demo.RECEIPT.receipt_number in text for text in decoded)


def test_on_done_runs_on_the_worker_thread(sim) -> None:
    service, _ = sim
    threads: queue.Queue[str] = queue.Queue()
    service.submit("s1", receipt(), lambda _: threads.put(threading.current_thread().name))
    assert threads.get(timeout=TIMEOUT) == "print-worker"


def test_paper_out_gives_the_citizen_a_reason_and_sends_nothing(sim) -> None:
    service, virtual = sim
    virtual.simulate(paper_out=True)
    result = print_and_wait(service)
    assert not result.ok and result.reason_key == "printing.error.paper_out"
    assert result.device_status.state is DeviceState.FAULT and "paper" in result.device_status.reason
    assert virtual.held == [] and virtual.printed == []
    from kiosk.i18n import translate

    assert translate(result.reason_key) == "打印机缺纸。请记下屏幕上的受理编号，可在进度查询中补打。"


def test_paper_near_end_prints_and_warns_the_technician(sim) -> None:
    service, virtual = sim
    virtual.simulate(paper_near_end=True)
    result = print_and_wait(service)
    assert result.ok and result.device_status.state is DeviceState.DEGRADED


@pytest.mark.parametrize(
    ("condition", "key"),
    [({"cover_open": True}, "printing.error.cover_open"), ({"no_answer": True}, "printing.error.no_answer"),
     ({"cutter_error": True}, "printing.error.fault"), ({"garbage": True}, "printing.error.fault")],
)
def test_other_faults_name_their_reason(sim, condition: dict, key: str) -> None:
    service, virtual = sim
    virtual.simulate(**condition)
    result = print_and_wait(service)
    assert not result.ok and result.reason_key == key and virtual.printed == []


def test_paper_running_out_during_the_job_is_reported(sim) -> None:
    service, virtual = sim
    virtual.simulate(paper_runs_out_during_next_job=True)
    result = print_and_wait(service)
    # A partial slip may be in the tray: the citizen is told to take it (the wording differs from "nothing sent").
    assert not result.ok and result.outcome is PrintOutcome.FAILED
    assert result.reason_key == "printing.status.stopped_paper_out"
    assert virtual.buffered == b""  # the unprinted rest was cleared from the printer


def test_a_failed_job_is_not_printed_for_the_next_person_after_a_refill(sim) -> None:
    service, virtual = sim
    virtual.simulate(paper_out=True)
    assert not print_and_wait(service, "citizen-a").ok
    service.end_session("citizen-a")
    virtual.clear()  # the technician loads paper
    nxt = print_and_wait(service, "citizen-b")
    assert nxt.ok and virtual.printed == [nxt.data]  # only citizen B's own receipt came out


def test_end_session_drops_queued_jobs(sim) -> None:
    service, virtual = sim
    gate, started = threading.Event(), threading.Event()
    done: list[PrintResult] = []

    def block(result: PrintResult) -> None:  # keeps the worker busy while more jobs queue up
        done.append(result)
        started.set()
        gate.wait(TIMEOUT)

    service.submit("citizen-a", receipt(), block)
    assert started.wait(TIMEOUT)
    service.submit("citizen-b", receipt(), done.append)
    service.submit("citizen-b", documents.queue_ticket(demo.TICKET), done.append)
    service.end_session("citizen-b")
    last: queue.Queue[PrintResult] = queue.Queue()
    service.submit("citizen-c", receipt(), last.put)
    gate.set()
    assert last.get(timeout=TIMEOUT).ok
    assert [r.session_id for r in done] == ["citizen-a"]  # B's jobs: neither printed nor reported
    assert len(virtual.printed) == 2


def test_end_session_while_paper_is_out_then_refill_prints_nothing(sim) -> None:
    service, virtual = sim
    virtual.simulate(paper_out=True)
    gate = threading.Event()
    results: queue.Queue[PrintResult] = queue.Queue()
    service.submit("a", receipt(), lambda r: (results.put(r), gate.wait(TIMEOUT)))
    first = results.get(timeout=TIMEOUT)
    service.submit("b", receipt(), results.put)
    service.end_session("b")
    gate.set()
    virtual.clear()
    probe: queue.Queue[PrintResult] = queue.Queue()
    service.submit("c", documents.queue_ticket(demo.TICKET), probe.put)
    assert probe.get(timeout=TIMEOUT).ok
    assert not first.ok and results.empty()
    assert len(virtual.printed) == 1 and virtual.printed[0] != first.data  # only C's ticket


def test_submit_after_end_session_is_refused(sim) -> None:
    service, virtual = sim
    service.end_session("gone")
    service.submit("gone", receipt(), lambda r: pytest.fail("must not be called"))
    assert print_and_wait(service, "next").ok
    assert len(virtual.printed) == 1


def test_unreachable_printer_gives_not_connected(tmp_path: Path) -> None:
    service = PrintService(open_printer(f"serial://{tmp_path}/ttyNOPE"), get_profile("58mm"))
    try:
        result = print_and_wait(service)
    finally:
        service.close()
    assert not result.ok and result.reason_key == "printing.error.not_connected"
    assert "ttyNOPE" in result.device_status.reason
