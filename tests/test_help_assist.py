"""呼叫工作人员 against the real sandbox: recorded with the screen and no personal data, accepted by staff
through the console's HTTP API, seen by the kiosk's poll; unstaffed hours give the phone numbers; offline the
call is kept and delivered once."""

from __future__ import annotations

import datetime as dt
import threading

from help_support import kiosk_side, set_hours, staff_session

from devices.printer.interpreter import interpret
from kiosk.assist import AssistPoller, AssistService, AssistState, fetch_settings
from kiosk.printing.escpos import render
from kiosk.printing.help_documents import AssistSlip, assist_slip
from kiosk.printing.profiles import get_profile
from kiosk.staffed_hours import HelpSettings
from offline.model import Kind, State
from offline.sync import SyncWorker

DEVICE = "KIOSK-ASSIST-01"


def test_staff_accept_reaches_the_kiosk(sandbox, tmp_path):
    settings = set_hours(sandbox, DEVICE, staffed=True)
    outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    service = AssistService(outbox, adapter, lambda: settings)

    view = service.request("form", "button")
    assert view.state is AssistState.WAITING
    assert view.number.startswith("HJ")
    assert view.message.startswith("已通知工作人员，请稍候")

    recorded = sandbox.app.state.help.assist(view.number)
    assert (recorded["device_id"], recorded["screen"], recorded["reason"], recorded["status"]) == \
        (DEVICE, "form", "button", "open")
    # A second press while the call is open shows the same call; nothing is sent twice.
    assert service.request("form").number == view.number
    assert len(sandbox.app.state.help.open_assists(DEVICE)) == 1

    staff = staff_session(sandbox.url)
    open_calls = staff.get(f"{sandbox.url}/console/api/assists", timeout=10).json()["assists"]
    assert [c["number"] for c in open_calls] == [view.number]
    accepted = staff.post(f"{sandbox.url}/console/api/assist/{view.number}/accept", timeout=10)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    polled = service.poll()
    assert polled.state is AssistState.ACCEPTED
    assert polled.message.startswith("工作人员已接单")
    # The outbox keeps only a done-record of the call: nothing left to send.
    assert outbox.status().depth == 0


def test_poller_reports_acceptance_off_the_caller_thread(sandbox, tmp_path):
    settings = set_hours(sandbox, DEVICE, staffed=True)
    outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    service = AssistService(outbox, adapter, lambda: settings)
    number = service.request("identify").number
    changes: list[tuple[AssistState, str]] = []
    seen = threading.Event()

    def on_change(view):
        changes.append((view.state, threading.current_thread().name))
        seen.set()

    poller = AssistPoller(service, on_change, interval_s=0.1).start()
    try:
        staff_session(sandbox.url).post(f"{sandbox.url}/console/api/assist/{number}/accept", timeout=10)
        assert seen.wait(10), "the poller never saw the acceptance"
    finally:
        poller.stop()
    assert changes[0] == (AssistState.ACCEPTED, "assist-poll")


def test_outside_staffed_hours_the_kiosk_gives_the_phone_numbers(sandbox, tmp_path):
    settings = set_hours(sandbox, DEVICE, staffed=False, duty_phone="0371-6000 1234")
    outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    # The kiosk's own copy says "staffed": the platform's hours win when it answers.
    service = AssistService(outbox, adapter, lambda: HelpSettings(periods=()))

    view = service.request("catalog")
    assert view.state is AssistState.UNSTAFFED
    assert view.message == "现在无人值守：请拨打 12345 或 0371-6000 1234"
    assert view.printable
    assert sandbox.app.state.help.assist(view.number)["staffed"] == 0  # recorded all the same, for the record

    slip = assist_slip(AssistSlip("柳林村便民服务站", settings, dt.datetime(2026, 11, 30, 22, 5), DEVICE,
                                  view.number))
    _image, stats = interpret(render(slip, get_profile("58mm")), 384)
    printed = "\n".join(stats.lines)
    assert "12345" in printed and "0371-6000 1234" in printed and view.number in printed


def test_help_settings_come_from_the_platform(sandbox, tmp_path):
    settings = set_hours(sandbox, DEVICE, staffed=False, duty_phone="0371-6000 9999")
    _outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    fetched = fetch_settings(adapter.client, HelpSettings())
    assert fetched == settings
    assert fetched.phone_line() == "12345 或 0371-6000 9999"


def test_offline_call_is_kept_and_delivered_once(sandbox, tmp_path):
    set_hours(sandbox, DEVICE, staffed=True)
    local = HelpSettings(duty_phone="0371-6000 5555")
    outbox, _ = kiosk_side(tmp_path, "http://127.0.0.1:9", DEVICE)  # nothing listens on port 9
    _, online = kiosk_side(tmp_path / "x", sandbox.url, DEVICE)
    service = AssistService(outbox, kiosk_side(tmp_path / "y", "http://127.0.0.1:9", DEVICE)[1], lambda: local)

    view = service.request("materials")
    assert view.state is AssistState.QUEUED
    assert "网络暂时中断" in view.message and "12345 或 0371-6000 5555" in view.message
    pending = outbox.entries([State.PENDING], kind=Kind.ASSIST)
    assert len(pending) == 1 and pending[0].meta == {"screen": "materials", "reason": "button"}

    # The network is back: the sync worker sends it (twice, to be sure a resend is answered, not doubled).
    SyncWorker(outbox, online.deliver).sync_once()
    assert service.poll().state is AssistState.WAITING
    number = service.view().number
    assert number.startswith("HJ")
    assert len(sandbox.app.state.help.open_assists(DEVICE)) == 1


def test_built_services_keep_the_platform_hours_for_an_offline_start(sandbox, tmp_path):
    from kiosk.help import build_help
    from kiosk.staffed_hours import office_hours

    set_hours(sandbox, DEVICE, staffed=False, duty_phone="0371-6000 7777")
    outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    services = build_help(tmp_path / "state", DEVICE, outbox, adapter.client, fallback=office_hours("0371-0000 0000"))
    assert services.settings().duty_phone == "0371-0000 0000"
    services.refresh_settings()
    assert services.settings().duty_phone == "0371-6000 7777"

    _o, offline = kiosk_side(tmp_path / "off", "http://127.0.0.1:9", DEVICE)
    restarted = build_help(tmp_path / "state", DEVICE, outbox, offline.client, fallback=office_hours())
    assert restarted.refresh_settings().duty_phone == "0371-6000 7777"  # the cached copy, platform unreachable
    assert "0371-6000 7777" in restarted.assist.request("home").message
