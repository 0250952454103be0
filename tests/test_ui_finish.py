"""Issue #17 in the real window, as a citizen would use it: an electronic certificate used as a material with
one tap, a mailed result with its address, an appointment booked on the slot screen, its slip printed and
checked in by scanning it at home, and the appointment's fee paid through the sandbox's payment simulation
with the 电子票据 number printed. The journeys themselves are judged in tests/test_desk_finish.py."""

from __future__ import annotations

import json

import pytest
from uisteps import apply_from_guide, fill_form, identify_with_code, materials_next, open_item, submit

from kiosk.demo_codes import qr_image
from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

ZHANG = "410105195003152015"  # 张建国: electronic ID card, household register, marriage certificate, degree
WANG = "410305199007204512"  # 王小明


def printed_text(ui) -> str:
    return ui.runtime.virtual_printer.jobs[-1].data.decode("gb18030", "replace")


def latest_application(ui) -> dict:
    db = ui.runtime.sandbox.app.state.store.db
    row = db.execute("SELECT body FROM applications ORDER BY created_at DESC, receipt_number DESC LIMIT 1").fetchone()
    return json.loads(row[0])


def to_materials(ui, item: str, id_number: str) -> None:
    pilot = ui.pilot
    open_item(ui, item)
    apply_from_guide(ui)
    identify_with_code(ui, id_number)
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not ui.app.screen("materials").loading, "the materials list")


def test_an_electronic_certificate_is_used_as_a_material_with_one_tap(ui) -> None:
    pilot = ui.pilot
    to_materials(ui, "户籍证明开具", ZHANG)
    pilot.tap(ui.app.screen("materials").ids.use_certificates)
    pilot.wait_for_text(_("finish.cert.used", title="居民身份证、居民户口簿"))  # one line, both listed
    ticked = set(ui.app.screen("materials").ticked())
    assert {"居民身份证", "居民户口簿"} <= ticked  # ticked for the citizen: nothing to bring
    materials_next(ui)
    fill_form(ui, ["13912345678", "就业"])
    submit(ui)
    pilot.wait_for_screen("result")
    body = latest_application(ui)
    assert {"material": "居民户口簿", "certificate_id": "EC-HK-0001"} in body["certificates"]


def test_a_mailed_result_with_its_address_is_sent_and_printed(ui) -> None:
    pilot = ui.pilot
    to_materials(ui, "户籍证明开具", ZHANG)
    pilot.tap_text("居民身份证")
    pilot.tap_text("居民户口簿")
    materials_next(ui)
    fill_form(ui, ["13912345678", "就业"])
    pilot.wait_for_screen("confirm")
    pilot.tap(ui.app.screen("confirm").ids.delivery_button)
    pilot.wait_for_screen("delivery")
    pilot.tap_text(_("guide.delivery.mail"), exact=True)
    pilot.tap_text("兴达路街道", exact=True)
    pilot.tap_text("庙李村", exact=True)
    pilot.tap_keys("12")
    pilot.tap_keys("hao")
    pilot.choose_candidate("号")
    assert ui.app.screen("delivery").address == "河南省郑州市金水区兴达路街道庙李村12号"
    pilot.tap(ui.app.screen("delivery").ids.delivery_ok)
    pilot.wait_for_screen("confirm")
    pilot.wait_until(lambda: "邮费 12.00 元" in ui.app.screen("confirm").summary, "the postage on the confirm screen")
    assert "庙李村" not in ui.app.screen("confirm").summary  # the address is masked on a public screen
    pilot.tap_text(_("confirm.submit"))
    pilot.wait_for_screen("result")
    pilot.wait_until(lambda: bool(ui.app.screen("result").print_text), "the receipt to print")
    assert latest_application(ui)["delivery"] == {"method": "mail", "address": "河南省郑州市金水区兴达路街道庙李村12号"}
    assert "邮寄送达" in printed_text(ui)


def test_an_appointment_is_booked_printed_paid_and_checked_in_by_scanning_its_slip(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "居民身份证到期换领预约")
    apply_from_guide(ui)
    identify_with_code(ui, WANG)
    pilot.wait_for_screen("appointment")
    screen = ui.app.screen("appointment")
    pilot.wait_until(lambda: screen.stage == "choose", "the slot list")
    day = screen.days[1]
    pilot.tap(next(b for b in screen.ids.appt_days.children if getattr(b, "day", None) is day))
    assert screen.chosen_day == day.date, [b.text for b in screen.ids.appt_days.children]
    pilot.tap_text("下午 14:30–17:30")
    assert screen.chosen_slot == "PM", [b.text for b in screen.ids.appt_slots.children]
    pilot.tap(screen.ids.appt_book)
    pilot.wait_until(lambda: screen.stage == "booked" or screen.message not in ("", _("finish.loading")),
                     "the booking")
    assert screen.stage == "booked", screen.message
    pilot.wait_until(lambda: screen.print_text == _("finish.appt.slip_printed"), "the slip to print")
    slip = printed_text(ui)
    assert "预约凭证" in slip and day.date.isoformat() in slip and "王**" in slip and WANG not in slip
    appointment = ui.app.session.service["appointment"]

    # The 20 元 工本费: the QR for the phone, then the sandbox's payment simulation ("手机已支付").
    pilot.tap(screen.ids.appt_pay)
    pilot.wait_for_screen("payment")
    payment = ui.app.screen("payment")
    pilot.wait_until(lambda: payment.stage == "pending", "the payment QR")
    assert payment.qr is not None and payment.amount_text == "应缴金额：20.00 元"
    pilot.tap(payment.ids.pay_demo)
    pilot.wait_until(lambda: payment.stage == "paid", "the payment to be seen", 20)
    pilot.wait_until(lambda: payment.print_text == _("finish.pay.printed"), "the payment receipt")
    ebill = payment.order.order_id and ui.runtime.client.payment_state(payment.order.order_id).ebill_number
    assert ebill and ebill in printed_text(ui) and "缴费凭证" in printed_text(ui)
    ui.app.end_session()

    # On the day: the slip's QR in front of the camera at the home screen, no identity needed.
    book = ui.runtime.sandbox.app.state.store.appointment_book
    book.today = lambda: day.date
    try:
        pilot.wait_for_screen("home")
        ui.runtime.show_to_camera(qr_image("GOVKIOSK:A:" + appointment.check_in_code))
        pilot.wait_for_screen("appointment")
        pilot.wait_until(lambda: screen.stage == "checked", "the check-in", 20)
        ui.runtime.camera.simulator.hide()
        pilot.wait_until(lambda: screen.print_text == _("desk.ticket.printed"), "the priority ticket")
        assert screen.ticket.startswith("Y") and "预约优先号" in printed_text(ui)
    finally:
        import datetime as dt

        book.today = dt.date.today
        ui.runtime.camera.simulator.hide()


def test_my_applications_shows_the_ready_result_without_a_receipt(ui) -> None:
    pilot = ui.pilot
    pilot.tap(ui.app.screen("home").ids.mine_button)
    identify_with_code(ui, ZHANG)
    pilot.wait_for_screen("my_applications")
    pilot.wait_until(lambda: ui.app.screen("my_applications").stage == "shown", "the applications")
    pilot.wait_for_text("ZW20261101000001")
    assert "件结果可以领取" in ui.app.screen("my_applications").summary
