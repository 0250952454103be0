"""Help that reaches a person, in the real window (issue #15): 呼叫工作人员 recorded by the sandbox and accepted
by staff through the console's HTTP API, the phone numbers outside staffed hours (and on paper), a complaint
recorded and found again at 进度查询 by its number, an operator notice on the home screen that goes away when it
expires, and the kiosk offering help to a citizen refused three times in a row or idle in mid-journey."""

from __future__ import annotations

import time

import pytest
from help_support import set_hours, staff_session
from uisteps import go_identify, identify_with_code

from kiosk.complaints import is_complaint_number
from kiosk.i18n import translate as _
from kiosk.stuck import IDLE_OFFER_S

pytestmark = pytest.mark.ui

DEVICE = "KIOSK-DEMO-01"  # the demo config's device id
DUTY_PHONE = "0371-6000 1234"
DEMO_ID, DEMO_PHONE = "410105195003152015", "13912345678"  # the fictitious demo citizen 张建国 (sandbox seed)


def printed_text(ui) -> str:
    return ui.runtime.virtual_printer.jobs[-1].data.decode("gb18030", "replace")


def open_calls(ui) -> list[dict]:
    staff = staff_session(ui.runtime.sandbox.url)
    return staff.get(f"{ui.runtime.sandbox.url}/console/api/assists", timeout=10).json()["assists"]


def panel_message(ui) -> str:
    panel = ui.app.help.panel
    return panel.message if panel is not None else ""


def test_call_staff_is_recorded_accepted_in_the_console_and_shown(ui) -> None:
    set_hours(ui.runtime.sandbox, DEVICE, staffed=True, duty_phone=DUTY_PHONE)
    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    chimes = ui.runtime.chimes_played

    pilot.tap_text(_("nav.help"), exact=True)
    pilot.wait_for_text("已通知工作人员，请稍候")
    pilot.wait_until(lambda: ui.runtime.chimes_played == chimes + 1, "the chime to be played")
    number = ui.runtime.help.assist.view().number
    assert number.startswith("HJ")
    pilot.wait_for_text(_("help_ui.panel.number", number=number))
    call = next(c for c in open_calls(ui) if c["number"] == number)
    assert (call["device_id"], call["screen"], call["reason"], call["status"]) == (DEVICE, "catalog", "button", "open")
    first = panel_message(ui)
    pilot.wait_until(lambda: panel_message(ui) != first, "the waited time to move on")  # "已等 N 秒" ticks
    assert pilot.current == "catalog"  # the citizen's place in the journey is kept under the panel

    staff = staff_session(ui.runtime.sandbox.url)
    accepted = staff.post(f"{ui.runtime.sandbox.url}/console/api/assist/{number}/accept", timeout=10)
    assert accepted.status_code == 200, accepted.text
    pilot.wait_for_text("工作人员已接单", timeout=20)  # the kiosk's poller saw it; no button pressed
    pilot.tap_text(_("help_ui.panel.close"), exact=True)
    assert ui.app.help.panel is None


def test_outside_staffed_hours_the_kiosk_gives_the_numbers_and_prints_them(ui) -> None:
    set_hours(ui.runtime.sandbox, DEVICE, staffed=False, duty_phone=DUTY_PHONE)
    ui.runtime.help.refresh_settings()  # the kiosk fetches its point's hours at start and now and then
    pilot = ui.pilot
    pilot.tap_text(_("nav.help"), exact=True)
    pilot.wait_until(lambda: f"现在无人值守：请拨打 12345 或 {DUTY_PHONE}" in panel_message(ui).replace("\u00a0", " "),
                     "the phone numbers")  # the duty phone is kept on one line (a no-break space inside it)
    assert not any("已通知工作人员" in text for text in pilot.visible_texts())  # no false promise
    jobs = len(ui.runtime.virtual_printer.jobs)
    pilot.tap_text(_("help_ui.panel.print"), exact=True)
    pilot.wait_for_text(_("help_ui.panel.printed"))
    assert len(ui.runtime.virtual_printer.jobs) == jobs + 1
    slip = printed_text(ui)
    assert "12345" in slip and DUTY_PHONE in slip and "测试便民服务站" in slip
    set_hours(ui.runtime.sandbox, DEVICE, staffed=True, duty_phone=DUTY_PHONE)


def test_complaint_is_recorded_printed_and_found_again_at_progress(ui) -> None:
    pilot = ui.pilot
    pilot.tap_text(_("home.complaint"), exact=True)
    pilot.wait_for_screen("complaint")
    pilot.tap_text(_("help_ui.complaint.submit"), exact=True)  # nothing chosen yet: told what is missing
    pilot.wait_for_text(_("help_ui.complaint.choose_first"))
    pilot.tap_text(_("help.complaint.kind_cannot_do"))
    pilot.tap_text(_("help.complaint.category_materials"))
    assert ui.app.screen("complaint").category == "materials"
    assert not any(_("help_ui.complaint.callback_no") in t for t in pilot.visible_texts())  # not verified
    pilot.tap_text(_("help_ui.complaint.submit"), exact=True)
    pilot.wait_for_text(_("help_ui.complaint.done_title"))
    number = ui.app.screen("complaint").number_text
    assert is_complaint_number(number), number
    pilot.wait_for_text(_("help_ui.complaint.printed"))
    assert number in printed_text(ui)
    recorded = ui.runtime.sandbox.app.state.help.complaint(number)
    assert (recorded["kind"], recorded["status"]) == ("cannot_do", "recorded")

    pilot.tap_text(_("help_ui.complaint.finish"), exact=True)
    pilot.wait_for_screen("home")
    pilot.tap_text(_("home.progress"), exact=True)
    pilot.wait_for_screen("progress")
    pilot.tap_text(_("help_ui.progress.switch_to_complaint"), exact=True)
    pilot.wait_for_text("TS")
    pilot.type_keys(number[2:])
    pilot.tap_text(_("desk.entry.confirm"), exact=True)
    pilot.wait_for_text(_("desk.progress.current", status=_("help_ui.complaint_status.recorded")))
    pilot.wait_for_text(_("help_ui.progress.number", number=number))
    assert _("desk.reprint.button") not in pilot.visible_texts()  # nothing to reprint for a complaint

    # Staff answer it in the console; the same number shows the answer.
    staff = staff_session(ui.runtime.sandbox.url)
    moved = staff.post(f"{ui.runtime.sandbox.url}/console/api/complaints/{number}/status", timeout=10,
                       json={"status": "answered", "note": "已联系派出所，村委会证明不再需要"})
    assert moved.status_code == 200, moved.text
    pilot.tap_text(_("desk.progress.another"))
    assert ui.app.screen("progress").prefix == "TS"  # the next number is the same kind
    pilot.type_keys(number[2:])
    pilot.tap_text(_("desk.entry.confirm"), exact=True)
    pilot.wait_for_text(_("desk.progress.current", status=_("help_ui.complaint_status.answered")))
    pilot.wait_for_text("已联系派出所，村委会证明不再需要")


def test_unknown_complaint_number_says_so(ui) -> None:
    pilot = ui.pilot
    ui.app.counter.open_progress()
    pilot.wait_for_screen("progress")
    pilot.tap_text(_("help_ui.progress.switch_to_complaint"), exact=True)
    pilot.type_keys("20261130999999")
    pilot.tap_text(_("desk.entry.confirm"), exact=True)
    pilot.wait_for_text(_("help_ui.progress.unknown", number="TS20261130999999"))
    assert pilot.current == "progress"


def test_operator_notice_shows_on_the_home_screen_and_expires(ui) -> None:
    staff = staff_session(ui.runtime.sandbox.url)
    title = "暴雨预警：今晚本服务区提前关闭"
    created = staff.post(f"{ui.runtime.sandbox.url}/console/api/notices", timeout=10,
                         json={"title": title, "body": "急事请拨打 12345。", "level": "emergency",
                               "hours": 0.004})  # about 14 seconds
    assert created.status_code == 201, created.text
    ui.runtime.help.notices.refresh()  # the poller's fetch, brought forward (it asks every few minutes)
    ui.pilot.wait_for_text(_("help_ui.home.notice", level=_("help.notice.emergency"), title=title))
    assert ui.pilot.current == "home"
    # Expired: gone from the screen without a restart or a new fetch.
    ui.pilot.wait_until(lambda: not ui.app.screen("home").notices_text, "the notice to expire", timeout=30)


def test_three_refusals_in_a_row_offer_help(ui) -> None:
    set_hours(ui.runtime.sandbox, DEVICE, staffed=True, duty_phone=DUTY_PHONE)
    pilot = ui.pilot
    go_identify(ui)
    pilot.type_keys("410105195003152016")  # one digit wrong: the check digit refuses it
    for _attempt in range(3):
        pilot.tap_text(_("identify.confirm"), exact=True)
        pilot.frames(3)
    pilot.wait_for_text(_("help.assist.offer_errors"))
    pilot.tap(ui.app.help.panel.ids.accept_offer_button)  # the panel's, not the top bar's (same words)
    pilot.wait_for_text("已通知工作人员，请稍候")
    number = ui.runtime.help.assist.view().number
    call = next(c for c in open_calls(ui) if c["number"] == number)
    assert (call["screen"], call["reason"]) == ("identify", "stuck_errors")
    assert "410105195003152016" not in str(call)  # the screen's name only, nothing the citizen typed


def test_complaint_callback_goes_to_the_verified_phone_shown_masked(ui) -> None:
    pilot = ui.pilot
    phone = DEMO_PHONE
    pilot.tap_text(_("home.complaint"), exact=True)
    pilot.wait_for_screen("complaint")
    pilot.tap_text(_("help.complaint.kind_complaint"))
    pilot.tap_text(_("help.complaint.category_waiting"))
    pilot.tap(ui.app.screen("complaint").ids.verify_button)  # a callback needs a verified phone
    identify_with_code(ui, DEMO_ID)
    pilot.wait_for_screen("complaint")
    screen = ui.app.screen("complaint")
    assert (screen.kind, screen.category) == ("complaint", "waiting")  # what was chosen is still chosen
    masked = f"{phone[:3]}****{phone[-4:]}"
    pilot.wait_for_text(_("help_ui.complaint.callback_yes", phone=masked))
    assert screen.callback
    assert not any(phone in text for text in pilot.all_texts())  # the full number is never on the glass
    pilot.tap_text(_("help_ui.complaint.submit"), exact=True)
    pilot.wait_for_text(_("help_ui.complaint.printed"))
    number = screen.number_text
    recorded = ui.runtime.sandbox.app.state.help.complaint(number)
    assert recorded["callback"] and recorded["callback_phone"] == phone  # the platform's staff call back
    slip = printed_text(ui)
    assert masked in slip and phone not in slip


def test_a_long_idle_mid_journey_offers_help_but_not_on_the_home_screen(ui) -> None:
    stuck = ui.runtime.help.stuck
    stuck.idle_offer_s = 3.0  # 45 s on a real kiosk
    try:
        pilot = ui.pilot
        pilot.tap_text(_("home.start"))
        pilot.wait_for_screen("catalog")
        pilot.wait_for_text(_("help.assist.offer_idle"), timeout=10)
        assert ui.app.help.panel.mode == "offer"
        pilot.tap_text(_("help_ui.panel.no_thanks"), exact=True)
        assert ui.app.help.panel is None
        pilot.frames(3)
        ui.app.end_session()
        pilot.wait_for_screen("home")
        started = time.monotonic()
        while time.monotonic() - started < 4.5:  # on the home screen idle means nobody is there: no offer
            pilot.frames(1)
        assert ui.app.help.panel is None
    finally:
        stuck.idle_offer_s = IDLE_OFFER_S
