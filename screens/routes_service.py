"""The App's routes for finishing the service at the kiosk (issue #17): fees, delivery, appointments with
slots, electronic certificates and 我的办件.

The App creates one ``ServiceRoutes`` (``app.finish``). Like the App it decides nothing: the desk
(``app.desk.finish``, kiosk/desk/{payment,delivery,appointment,certificates,my_applications}.py) decides; this
routes screen events to it (platform calls on worker threads through ``app.background``) and registers with
the presenter how each of its outcomes is shown. The payment poll is a Clock interval that only starts a
worker call when none is in flight, so a slow platform never piles up requests."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.desk import outcomes as o
from kiosk.desk import outcomes_service as s
from kiosk.desk.payment import POLL_INTERVAL_S
from kiosk.i18n import join, translate
from kiosk.session import Level
from kiosk.shown_names import translated_names
from screens.code_screens import CHECK_IN_SCREENS
from screens.presenter import Presenter

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)


class ServiceRoutes:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self._poll_event: Any = None
        self._polling = False
        self._reference: str | None = None
        _register_presenter()

    @property
    def desk(self) -> Any:
        return self.app.desk.finish

    def _run(self, step: Any, *args: Any) -> None:
        self.app.run_step(step, *args)

    # -- scans ----------------------------------------------------------------------------------------------
    def scanned(self, text: str | None, screen: str) -> bool:
        """An appointment slip scanned at home or the ticket screen: check in. False: not ours to handle."""
        if not text or screen not in CHECK_IN_SCREENS:
            return False
        checking = self.desk.appointments.scanned(text)
        if checking is None:
            return False
        self.app.presenter.show(checking)
        return True

    def open_check_in(self) -> None:
        """预约签到 on the home screen: say where to hold the slip (a scan anywhere at home works too)."""
        self.app.screen("appointment").start("checkin")
        self.app.go("appointment")

    # -- appointments -----------------------------------------------------------------------------------
    def book(self, day: dt.date, slot_id: str) -> None:
        self._run(self.desk.appointments.book, day, slot_id)

    def cancel_appointment(self) -> None:
        self._run(self.desk.appointments.cancel)

    # -- fees -------------------------------------------------------------------------------------------
    def open_payment(self, reference: str | None = None) -> None:
        """Pay the fee of ``reference`` (default: the appointment or application of this session)."""
        appointment = self.app.session.service.get("appointment")
        self._reference = reference or (appointment.number if appointment is not None else None) \
            or self.app.session.receipt_number
        self.app.screen("payment").start(demo=self.app.runtime.sandbox is not None)
        self.app.go("payment")
        self._run(self.desk.payment.start, self._reference)

    def demo_pay(self) -> None:
        """The demo's "手机已支付": the sandbox's payment simulation, as the citizen's phone app would report."""
        order = self.app.screen("payment").order
        client = self.app.runtime.client
        if order is None or client is None:
            return
        self.app.background(client.demo_pay, order.order_id, on_done=lambda _order: self._poll(0),
                            on_error=lambda error: log.warning("demo payment failed: %s", error))

    def cancel_payment(self) -> None:
        order = self.app.screen("payment").order
        self._stop_polling()
        if order is not None:
            self._run(self.desk.payment.cancel, order)

    def _start_polling(self) -> None:
        self._stop_polling()
        self._poll_event = Clock.schedule_interval(self._poll, POLL_INTERVAL_S)

    def _stop_polling(self) -> None:
        if self._poll_event is not None:
            self._poll_event.cancel()
            self._poll_event = None

    def _poll(self, _dt: float) -> None:
        screen = self.app.screen("payment")
        if self.app.manager.current != "payment" or screen.order is None or screen.stage != "pending":
            self._stop_polling()
            return
        if self._polling:
            return  # one question at a time

        def answered(outcome: Any) -> None:
            self._polling = False
            self.app.presenter.show(outcome)

        def failed(error: BaseException) -> None:
            self._polling = False
            log.warning("payment poll failed: %s", error)

        self._polling = True
        self.app.background(self.desk.payment.poll, screen.order, on_done=answered, on_error=failed)

    # -- delivery ---------------------------------------------------------------------------------------
    def open_delivery(self) -> None:
        """"选择送达方式" on the confirm screen (the item's first method holds until another is chosen)."""
        options = self.desk.delivery.options()
        if options is not None:
            self.app.screen("delivery").show_options(options.methods)
            self.app.go("delivery")

    def choose_delivery(self, method: str, address: str) -> None:
        self._run(self.desk.delivery.choose, method, address)

    # -- electronic certificates --------------------------------------------------------------------------
    def use_certificates(self) -> None:
        """"使用电子证照" on the materials screen: every material a held certificate stands in for, at once."""
        self.app.journey.require_identity(lambda: self._run(self._use_all), Level.VERIFIED)

    def _use_all(self) -> Any:
        """Worker thread: load the certificates, then use each one that fits a material of this item."""
        loaded = self.desk.certificates.load()
        if not isinstance(loaded, s.ShowCertificates):
            return loaded
        used = [self.desk.certificates.use(material) for material in loaded.usable]
        return _CertificatesUsed(tuple(u for u in used if isinstance(u, s.CertificateUsed)))

    def open_certificates(self) -> None:
        def load() -> None:
            self.app.screen("certificates").start()
            self.app.go("certificates")
            self._run(self.desk.certificates.load)

        self.app.journey.require_identity(load, Level.VERIFIED)

    def print_copy(self, certificate_id: str) -> None:
        self.app.screen("certificates").show_print(translate("result.printing"), True)
        self._run(self.desk.certificates.print_copy, certificate_id)

    # -- 我的办件 ---------------------------------------------------------------------------------------
    def open_my_applications(self) -> None:
        def load() -> None:
            self.app.screen("my_applications").start()
            self.app.go("my_applications")
            self._run(self.desk.mine.load)

        self.app.journey.require_identity(load, Level.VERIFIED)

    def open_application(self, receipt_number: str, ready: bool) -> None:
        """A row of 我的办件: its progress, or straight to collecting a ready result."""
        self.app.counter.open_progress("pickup" if ready else "progress")
        self.app.counter.look_up_receipt(receipt_number)


class _CertificatesUsed:
    """What ``_use_all`` answers: the materials now covered by an electronic certificate."""

    def __init__(self, used: tuple[s.CertificateUsed, ...]) -> None:
        self.used = used


# -- how each outcome is shown ------------------------------------------------------------------------------
_registered = False


def _register_presenter() -> None:
    """Add the presenter's ``show`` for this module's outcomes (once per process)."""
    global _registered
    if _registered:
        return
    _registered = True
    show = Presenter.__dict__["show"]

    def handler(kind: type) -> Any:
        return lambda fn: show.register(kind)(fn)

    shown_submitted = show.dispatcher.dispatch(o.Submitted)
    shown_saved = show.dispatcher.dispatch(o.SavedOffline)

    @handler(o.Submitted)
    def _(self: Presenter, outcome: o.Submitted) -> None:
        shown_submitted(self, outcome)  # the result screen and the receipt, as before
        if self.app.desk.finish.payment.fee_due() > 0:  # a fee: the platform's payment order next
            self.app.finish.open_payment(outcome.receipt_number)

    @handler(o.SavedOffline)
    def _(self: Presenter, outcome: o.SavedOffline) -> None:
        shown_saved(self, outcome)
        if self.app.desk.finish.payment.fee_due() > 0:  # offline: no order; the fee is paid at pickup
            from screens.popups import show_message

            show_message(translate("finish.pay_title"), self.app.desk.finish.payment.deferred().message.text())

    @handler(s.DeliveryChosen)
    def _(self: Presenter, outcome: s.DeliveryChosen) -> None:
        self.app.go("confirm")

    @handler(s.DeliveryRefused)
    def _(self: Presenter, outcome: s.DeliveryRefused) -> None:
        self.screen("delivery").show_error(outcome.message.text())

    @handler(s.LoadSlots)
    def _(self: Presenter, outcome: s.LoadSlots) -> None:
        self.screen("appointment").start()
        self.app.go("appointment")
        self.app.run_step(self.app.desk.finish.appointments.slots)

    @handler(s.ShowSlots)
    def _(self: Presenter, outcome: s.ShowSlots) -> None:
        self.app.desk.finish.appointments.keep(outcome.booked)
        booked = outcome.booked
        current = (f"{booked.date.isoformat()} {booked.label} {booked.start}–{booked.end}（{booked.number}）"
                   if booked is not None else "")
        self.screen("appointment").show_slots(outcome.item_name, outcome.days, current)

    @handler(s.AppointmentsUnavailable)
    def _(self: Presenter, outcome: s.AppointmentsUnavailable) -> None:
        self.screen("appointment").show_message(outcome.message.text(), "unavailable")

    @handler(s.AppointmentRefused)
    def _(self: Presenter, outcome: s.AppointmentRefused) -> None:
        self.screen("appointment").show_message(outcome.message.text())

    @handler(s.AppointmentBooked)
    def _(self: Presenter, outcome: s.AppointmentBooked) -> None:
        screen = self.screen("appointment")
        fee = self.app.desk.finish.payment.fee_due(outcome.appointment.item_code)
        screen.show_booked(outcome.message.text(), can_pay=fee > 0)
        self.print(outcome.job, lambda text, _image, ok: screen.show_print(text, ok))

    @handler(s.AppointmentCancelled)
    def _(self: Presenter, outcome: s.AppointmentCancelled) -> None:
        self.screen("appointment").show_booked(outcome.message.text(), can_pay=False)

    @handler(s.CheckingIn)
    def _(self: Presenter, outcome: s.CheckingIn) -> None:
        screen = self.screen("appointment")
        screen.start("checkin")
        screen.show_message(translate("finish.appt.checking_in"))
        if self.app.manager.current != "appointment":
            self.app.go("appointment")
        self.app.run_step(self.app.desk.finish.appointments.check_in, outcome.code)

    @handler(s.CheckedIn)
    def _(self: Presenter, outcome: s.CheckedIn) -> None:
        screen = self.screen("appointment")
        screen.show_ticket(outcome.ticket, outcome.message.text())
        session_id = self.app.session.id

        def printed(text: str, _image: str, ok: bool) -> None:
            screen.show_print(text, ok)
            self.app.end_session_soon(8.0, only_on="appointment", session_id=session_id)

        self.print(outcome.job, printed)

    @handler(s.CheckInRefused)
    def _(self: Presenter, outcome: s.CheckInRefused) -> None:
        self.screen("appointment").show_message(outcome.message.text(), "checkin")

    @handler(s.ShowPayment)
    def _(self: Presenter, outcome: s.ShowPayment) -> None:
        self.screen("payment").show_order(outcome.order, outcome.amount.text(), outcome.deadline.text(),
                                          translate("finish.pay.waiting"))
        self.app.finish._start_polling()

    @handler(s.PaymentPending)
    def _(self: Presenter, outcome: s.PaymentPending) -> None:
        return None  # the QR stays; the next poll asks again

    @handler(s.Paid)
    def _(self: Presenter, outcome: s.Paid) -> None:
        self.app.finish._stop_polling()
        screen = self.screen("payment")
        screen.show_paid(outcome.message.text())
        self.print(outcome.job, lambda text, _image, ok: screen.show_print(text, ok))

    @handler(s.PaymentEnded)
    def _(self: Presenter, outcome: s.PaymentEnded) -> None:
        self.app.finish._stop_polling()
        self.screen("payment").show_ended(outcome.message.text())

    @handler(s.PayAtPickup)
    def _(self: Presenter, outcome: s.PayAtPickup) -> None:
        self.app.finish._stop_polling()
        self.screen("payment").show_ended(outcome.message.text())

    @handler(s.ShowCertificates)
    def _(self: Presenter, outcome: s.ShowCertificates) -> None:
        self.screen("certificates").show_certificates(outcome.certificates)

    @handler(s.CertificatesRefused)
    def _(self: Presenter, outcome: s.CertificatesRefused) -> None:
        if self.app.manager.current == "materials":
            self.screen("materials").show_certificates_used([], outcome.message.text())
        else:
            self.screen("certificates").show_error(outcome.message.text())

    @handler(_CertificatesUsed)
    def _(self: Presenter, outcome: _CertificatesUsed) -> None:
        used = [(u.material, u.title) for u in outcome.used]
        # One line, the certificates listed as the language lists things; in another language than Chinese
        # each by the material it stands for, in the citizen's words (the platform's titles are Chinese).
        item = self.app.current_item()
        names = translated_names(item) if item is not None else None
        titles = [names.material(material) if names else title for material, title in used]
        text = translate("finish.cert.used", title=join("list", titles)) if titles else translate("finish.cert.none")
        self.screen("materials").show_certificates_used([m for m, _t in used], text)

    @handler(s.CopyPrinted)
    def _(self: Presenter, outcome: s.CopyPrinted) -> None:
        screen = self.screen("certificates")
        self.print(outcome.job, lambda text, _image, ok: screen.show_print(text, ok))

    @handler(s.ShowMyApplications)
    def _(self: Presenter, outcome: s.ShowMyApplications) -> None:
        self.screen("my_applications").show_rows(outcome.rows, outcome.appointments, outcome.ready_count)

    @handler(s.MyApplicationsRefused)
    def _(self: Presenter, outcome: s.MyApplicationsRefused) -> None:
        self.screen("my_applications").show_error(outcome.message.text())
