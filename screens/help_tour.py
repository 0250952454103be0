"""Screenshots of help (issue #15) for ``kiosk screenshots``: the call for help waiting, accepted and outside
staffed hours, the stuck detector's offer, the complaint form and its number, a complaint's status at 进度查询,
and an operator notice on the home screen. Staff's side is played by the embedded sandbox's help store (the
console's HTTP API does the same in tests/test_ui_help.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from kiosk.i18n import translate as _
from kiosk.staffed_hours import HelpSettings, StaffedPeriod
from kiosk.stuck import Offer
from screens.tour import browse

ALWAYS = (StaffedPeriod(weekdays=(1, 2, 3, 4, 5, 6, 7), start=dt.time(0, 0), end=dt.time(23, 59, 59)),)
DEMO_POINT = dict(service_point="DEMO-POINT", service_point_name="示范区便民服务站", duty_phone="0371-6000 1234")


def lead(key: str) -> str:
    """The words of a message before its first value, in the language shown ("已通知工作人员，请稍候")."""
    return _(key).split("{")[0].rstrip("（(：: ")


def help_screenshots(app, pilot, runtime, shot: Callable[[str], None], finish: Callable[[], None]) -> None:
    store = runtime.sandbox.app.state.help
    device = runtime.config.kiosk.device_id
    original = store.point_of(device)

    def staffed(on: bool) -> None:
        store.set_point(HelpSettings(**DEMO_POINT, periods=ALWAYS if on else ()), (device,))
        runtime.help.refresh_settings()

    try:
        staffed(True)
        browse(app, pilot)
        pilot.tap_text(_("nav.help"))
        pilot.wait_for_text(lead("help.assist.waiting"))
        called = time.monotonic()
        pilot.wait_until(lambda: time.monotonic() - called > 1.5, "a moment of waiting")
        shot("call-staff-waiting")
        store.accept_assist(runtime.help.assist.view().number, "jishu01")
        pilot.wait_for_text(lead("help.assist.accepted"), timeout=20)
        shot("call-staff-accepted")
        finish()

        staffed(False)
        pilot.tap_text(_("nav.help"))
        pilot.wait_for_text(lead("help.assist.unstaffed"))
        shot("call-staff-unstaffed")
        pilot.tap(app.help.panel.ids.print_phones_button)
        pilot.wait_for_text(_("help_ui.panel.printed"))
        shot("call-staff-phones-printed")
        finish()
        staffed(True)

        browse(app, pilot)
        app.help.offer(Offer("stuck_idle", "catalog", "help.assist.offer_idle"))
        pilot.frames(3)
        shot("help-offer")
        finish()

        if app.access.elder:  # the elder home has the tiles only (at most six choices)
            app.help.open_complaint()
        else:
            pilot.tap_text(_("home.complaint"), exact=True)
        pilot.wait_for_screen("complaint")
        pilot.tap_text(_("help.complaint.kind_cannot_do"))
        pilot.tap_text(_("help.complaint.category_materials"))
        shot("complaint-form")
        pilot.tap_text(_("help_ui.complaint.submit"), exact=True)
        pilot.wait_for_text(_("help_ui.complaint.printed"), timeout=20)
        shot("complaint-recorded")
        number = app.screen("complaint").number_text
        finish()

        app.counter.open_progress()
        pilot.wait_for_screen("progress")
        pilot.tap_text(_("help_ui.progress.switch_to_complaint"), exact=True)
        pilot.type_keys(number[2:])
        shot("progress-complaint-entry")
        pilot.tap_text(_("desk.entry.confirm"), exact=True)
        pilot.wait_for_text(_("help_ui.progress.number", number=number))
        shot("progress-complaint")
        finish()

        notice = store.add_notice("emergency", "暴雨预警：今晚 20 点后本服务区暂停开放",
                                  "急事请拨打 12345 或本服务点值班电话。", time.time() + 600, "演示")
        runtime.help.notices.refresh()
        pilot.wait_until(lambda: bool(app.screen("home").notices_text), "the notice on the home screen")
        pilot.frames(3)
        shot("home-notice")
        store.withdraw_notice(notice)
        runtime.help.notices.refresh()
        pilot.wait_until(lambda: not app.screen("home").notices_text, "the notice withdrawn")
    finally:
        store.set_point(original, (device,))
