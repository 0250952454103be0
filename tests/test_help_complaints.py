"""Complaints and 办不成事 against the real sandbox: recorded through the outbox, numbered, found again by the
number; the callback phone goes to the platform only (never the outbox metadata, a console page or a slip)."""

from __future__ import annotations

import datetime as dt

import pytest
from help_support import kiosk_side, staff_session

from devices.printer.interpreter import interpret
from kiosk.complaints import ComplaintDesk, ComplaintDraft, is_complaint_number
from kiosk.platform_client import PlatformError
from kiosk.printing.escpos import render
from kiosk.printing.help_documents import ComplaintSlip, complaint_slip
from kiosk.printing.profiles import get_profile
from offline.model import Kind, State
from offline.sync import SyncWorker

DEVICE = "KIOSK-COMPLAIN-01"
PHONE = "13912345678"


def test_complaint_is_recorded_and_found_again_by_its_number(sandbox, tmp_path):
    outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    desk = ComplaintDesk(outbox, adapter, DEVICE)
    draft = ComplaintDraft(kind="cannot_do", category="materials", item_code="HJ-001",
                           details="窗口要求提供村委会证明，但指南里没有", callback=True, callback_phone=PHONE)

    outcome = desk.submit(draft)
    assert is_complaint_number(outcome.number), outcome
    assert outcome.number in outcome.message and "进度查询" in outcome.message

    status = desk.status(outcome.number)
    assert (status.number, status.status, status.status_text) == (outcome.number, "recorded", "已登记")
    assert status.history[0][2].startswith("已登记")

    # Staff move it on; the kiosk's 进度查询 sees the new status under the same number.
    staff = staff_session(sandbox.url)
    moved = staff.post(f"{sandbox.url}/console/api/complaints/{outcome.number}/status",
                       json={"status": "answered", "note": "已电话答复申请人"}, timeout=10)
    assert moved.status_code == 200
    assert desk.status(outcome.number).status_text == "已答复"

    # The phone is with the platform for the callback, and nowhere a passer-by could read it.
    assert sandbox.app.state.help.complaint(outcome.number)["callback_phone"] == PHONE
    page = staff.get(f"{sandbox.url}/console/complaints", timeout=10).text
    assert outcome.number in page and "需回访" in page and PHONE not in page and "5678" not in page
    entry = outbox.get(outcome.entry_id)
    assert entry.kind is Kind.COMPLAINT and entry.state is State.DONE
    assert PHONE not in str(entry.meta) and PHONE not in str(entry.ack)


def test_unknown_number_is_a_404_and_a_receipt_number_is_not_a_complaint(sandbox, tmp_path):
    outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    desk = ComplaintDesk(outbox, adapter, DEVICE)
    with pytest.raises(PlatformError) as refused:
        desk.status("TS20991231000001")
    assert refused.value.status == 404
    assert not is_complaint_number("ZW20261101000001")
    with pytest.raises(ValueError):
        desk.status("ZW20261101000001")


def test_offline_complaint_waits_and_gets_its_number_later(sandbox, tmp_path):
    outbox, offline = kiosk_side(tmp_path, "http://127.0.0.1:9", DEVICE)
    desk = ComplaintDesk(outbox, offline, DEVICE)
    outcome = desk.submit(ComplaintDraft(kind="complaint", category="waiting"))
    assert outcome.number == "" and outcome.local_reference in outcome.message
    assert desk.number_of(outcome.entry_id) == ""

    _, online = kiosk_side(tmp_path / "online", sandbox.url, DEVICE)
    SyncWorker(outbox, online.deliver).sync_once()
    number = desk.number_of(outcome.entry_id)
    assert is_complaint_number(number)
    assert sandbox.app.state.help.complaint(number)["category"] == "等候时间过长"


def test_callback_needs_a_phone():
    with pytest.raises(ValueError, match="phone"):
        ComplaintDraft(kind="complaint", category="other", callback=True)


def test_complaint_slip_masks_the_phone():
    slip = complaint_slip(ComplaintSlip("金水区政务服务中心", "TS20261130000007", "cannot_do", "materials",
                                        "户籍证明开具", PHONE, dt.datetime(2026, 11, 30, 10, 0), DEVICE))
    _image, stats = interpret(render(slip, get_profile("80mm")), 576)
    printed = "\n".join(stats.lines)
    assert "TS20261130000007" in printed and "办不成事反映" in printed and "139****5678" in printed
    assert PHONE not in printed
    assert stats.barcodes == ["TS20261130000007"]
