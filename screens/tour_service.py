"""`kiosk screenshots` steps for issue #17's screens: a complete guide with a material's sample, 使用电子证照,
the delivery step with a mailing address, appointment slots, the slip, the payment QR and its receipt, the
check-in by the slip's QR, 我的办件 and 我的电子证照."""

from __future__ import annotations

import datetime as dt

from kiosk.catalog import localized
from kiosk.demo_codes import qr_image
from kiosk.i18n import current_language
from kiosk.i18n import translate as _
from screens.tour import choose

ZHANG = "410105195003152015"  # 张建国: four electronic certificates, a result ready for pickup
WANG = "410305199007204512"  # 王小明


def service_tour(runtime, app, pilot, open_item, identify, shot, finish) -> None:  # noqa: ANN001 - the tour's helpers
    def done() -> None:
        # The session ends, and the tour's mode is turned on again: a session end resets 长辈模式 and English,
        # and the later shots would otherwise not show what their mode says.
        finish()

    # A complete guide: 审查标准, 查询渠道, 救济途径, and a material's sample on tap.
    open_item("户籍证明开具")
    pilot.wait_until(lambda: app.screen("guide").complete, "the whole guide")
    app.screen("guide").ids.scroll.scroll_y = 0
    pilot.frames(3)
    shot("guide-complete")
    app.screen("guide").show_sample("sample:1")
    pilot.wait_for_text(localized(app.current_item(), current_language()).guide.materials[1].sample[:6])
    from screens.sample_view import shown_sample_view

    # The picture comes from the platform on a worker thread: the shot shows it once it is in.
    pilot.wait_until(lambda: shown_sample_view() is not None and shown_sample_view().has_picture,
                     "the material's sample picture")
    pilot.frames(2)
    shot("guide-material-sample")
    pilot.tap_text(_("samples.close"))

    # 使用电子证照, then the delivery step with a mailing address.
    pilot.tap(app.screen("guide").ids.apply_button)
    identify(ZHANG)
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not app.screen("materials").loading, "the materials")
    pilot.tap(app.screen("materials").ids.use_certificates)
    pilot.wait_until(lambda: bool(app.screen("materials").certificates_text), "the certificates used")
    shot("materials-certificates-used")
    pilot.tap(app.screen("materials").ids.materials_next)
    pilot.wait_for_screen("form")
    pilot.type_keys("13912345678")
    pilot.tap(app.screen("form").ids.form_next)
    choose(app, pilot, "就业")
    pilot.wait_for_screen("confirm")
    pilot.tap(app.screen("confirm").ids.delivery_button)
    pilot.wait_for_screen("delivery")
    shot("delivery-methods")
    methods = app.screen("delivery").ids.delivery_methods.children
    pilot.tap(next(button for button in methods if button.method == "mail"))
    pilot.tap_text("兴达路街道", exact=True)
    pilot.tap_text("庙李村", exact=True)
    pilot.tap_keys("12")
    pilot.tap_keys("hao")
    pilot.choose_candidate("号")
    shot("delivery-address")
    pilot.tap(app.screen("delivery").ids.delivery_ok)
    pilot.wait_for_screen("confirm")
    pilot.wait_until(lambda: "12.00" in app.screen("confirm").summary, "the postage")
    shot("confirm-mailed")
    done()

    # Appointment slots, the slip, the fee paid on the phone (the sandbox's simulation), the check-in.
    open_item("居民身份证到期换领预约")
    pilot.tap(app.screen("guide").ids.apply_button)
    identify(WANG)
    pilot.wait_for_screen("appointment")
    screen = app.screen("appointment")
    pilot.wait_until(lambda: screen.stage == "choose", "the slot list")
    day = screen.days[2]
    pilot.tap(next(b for b in screen.ids.appt_days.children if getattr(b, "day", None) is day))
    pilot.tap_text(_("finish.appt.half_day.morning"))
    shot("appointment-slots")
    pilot.tap(screen.ids.appt_book)
    pilot.wait_until(lambda: screen.print_text != "", "the slip")
    shot("appointment-booked")
    appointment = app.session.service["appointment"]
    pilot.tap(screen.ids.appt_pay)
    payment = app.screen("payment")
    pilot.wait_until(lambda: payment.stage == "pending", "the payment QR")
    shot("payment-qr")
    pilot.tap(payment.ids.pay_demo)
    pilot.wait_until(lambda: payment.print_text != "", "the payment receipt", 20)
    shot("payment-paid")
    done()
    book = runtime.sandbox.app.state.store.appointment_book if runtime.sandbox is not None else None
    if book is not None:
        book.today = lambda: day.date
        try:
            runtime.show_to_camera(qr_image("GOVKIOSK:A:" + appointment.check_in_code))
            pilot.wait_until(lambda: screen.stage == "checked" and screen.print_text != "", "the check-in", 20)
            runtime.camera.simulator.hide()
            shot("appointment-checked-in")
        finally:
            book.today = dt.date.today
            runtime.camera.simulator.hide()
        done()

    # 我的办件 and 我的电子证照.
    if app.access.elder:  # the elder home has the tiles only (at most six choices)
        app.finish.open_my_applications()
    else:
        pilot.tap(app.screen("home").ids.mine_button)
    identify(ZHANG)
    pilot.wait_for_screen("my_applications")
    pilot.wait_until(lambda: app.screen("my_applications").stage == "shown", "my applications")
    shot("my-applications")
    pilot.tap(app.screen("my_applications").ids.mine_certificates)
    pilot.wait_for_screen("certificates")
    pilot.wait_until(lambda: app.screen("certificates").stage == "shown", "the certificates")
    pilot.tap_text(_("finish.cert.print_copy"))
    pilot.wait_until(lambda: app.screen("certificates").print_text not in ("", _("result.printing")), "the copy")
    shot("certificates-copy-printed")
    done()

