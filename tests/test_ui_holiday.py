"""A 容缺 deadline across the National Day holiday, in the real window (issue #17).

On Wednesday 2026-09-30 a citizen applies for 住房公积金租房提取 with the rental contract (waivable) at home.
The item gives 5 working days to supply it. By the State Council's 2026 schedule (chinese-calendar) 10-01 to
10-07 are off and Saturday 10-10 is a 调休 working day, so the days are 10-08, 10-09, 10-10, 10-12, 10-13:
the deadline is Tuesday 2026-10-13 — not 10-07, which a weekends-only count would give, inside the holiday.
The desk and the sandbox are both given that day through their clocks (no patched datetime): the commitment
screen, the confirm screen, the printed 容缺 slip and the platform's record all say 2026-10-13.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from uisteps import (
    apply_from_guide,
    fill_form,
    identify_with_card_and_face,
    materials_next,
    open_item,
    submit,
    tick_materials,
)

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

APPLIED_ON = dt.date(2026, 9, 30)  # the day before National Day
SUPPLY_BY = dt.date(2026, 10, 13)  # 5 working days later, the holiday and the 调休 Saturday counted


@pytest.fixture
def eve_of_national_day(ui):
    """The kiosk's desk and the platform both live on 2026-09-30 for this test."""
    book = ui.runtime.sandbox.app.state.store.appointment_book  # the platform's clock (its intake uses it too)
    context = ui.app.desk.context
    context.today = book.today = lambda: APPLIED_ON
    yield ui
    context.today = book.today = dt.date.today


def test_a_rongque_deadline_set_before_national_day_falls_after_the_holiday(eve_of_national_day) -> None:
    ui = eve_of_national_day
    pilot, app = ui.pilot, ui.app
    before = len(ui.runtime.virtual_printer.jobs)
    open_item(ui, "住房公积金租房提取")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, ["居民身份证", "本人名下银行借记卡"])  # the rental contract is at home
    materials_next(ui)

    pilot.wait_for_screen("commitment")
    pilot.wait_for_text(_("commitment.waiver_title"))
    body = app.screen("commitment").body
    assert "房屋租赁合同" in body and "2026年10月13日" in body, body
    assert "2026年10月07日" not in body  # not inside the holiday
    pilot.tap(app.screen("commitment").ids.agree_toggle)
    pilot.tap(app.screen("commitment").ids.commitment_next)
    fill_form(ui, ["13912345678", "3000"])

    pilot.wait_for_screen("confirm")
    pilot.wait_for_text(SUPPLY_BY.isoformat())  # the confirm screen repeats the deadline before submitting
    submit(ui)
    pilot.wait_for_screen("result", timeout=30)
    pilot.wait_until(lambda: app.screen("result").printed, "the receipt to print")
    receipt = app.screen("result").receipt_number

    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt]))
    assert len(rows) == 1
    sent = json.loads(rows[0]["body"])["commitment"]
    stored = json.loads(rows[0]["commitment"])  # what the platform judged itself, on its own clock
    assert sent["kind"] == stored["kind"] == "waiver" and stored["missing"] == ["房屋租赁合同"]
    assert sent["supply_by"] == stored["supply_by"] == SUPPLY_BY.isoformat()

    def slips() -> list[str]:  # the 容缺 slip prints after the receipt
        printed = [job.data.decode("gb18030", "replace") for job in ui.runtime.virtual_printer.jobs[before:]]
        return [text for text in printed if "房屋租赁合同" in text and receipt in text]

    pilot.wait_for_text(_("result.slip_printed"))
    pilot.wait_until(slips, "the 容缺 slip", 20)
    slip = slips()[0]
    assert "2026年10月13日" in slip and "撤回" in slip, slip
