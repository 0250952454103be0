"""Fees at the kiosk (issue #17): the platform issues a payment order for an acknowledged application (or an
appointment) with a fee; the kiosk shows its QR, the citizen pays on a phone, the kiosk polls the order on a
worker thread and prints the payment receipt with the 电子票据 number once paid. Cancel and timeout are said.
Offline there is no order: the application is saved and the fee is paid at pickup.

No card data ever touches the kiosk: it only shows the platform's link and reads the order's state."""

from __future__ import annotations

import datetime as dt
import logging

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message, PrintJob
from kiosk.desk.outcomes_service import Paid, PayAtPickup, PaymentEnded, PaymentPending, ShowPayment
from kiosk.desk.refusals import is_outage, status_of
from kiosk.platform_service import PaymentOrder

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0  # how often the screen asks the platform while the QR is shown


def yuan(amount: float) -> str:
    return f"{amount:.2f}"


class PaymentDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def fee_due(self, item_code: str | None = None) -> float:
        """The fee of the item (0.0 when free or unknown)."""
        catalog, code = self.context.catalog, item_code or self.context.session.item_code
        if catalog is None or code is None:
            return 0.0
        try:
            return float(catalog.item(code).guide.fee.amount_yuan)
        except KeyError:
            return 0.0

    def deferred(self) -> PayAtPickup:
        """Offline: nothing to pay now (the platform issues no order); the fee is due at pickup."""
        return PayAtPickup(Message("finish.pay.at_pickup", {"amount": yuan(self.fee_due())}))

    def start(self, reference: str | None = None) -> ShowPayment | PaymentEnded | PayAtPickup:
        """Worker thread: a payment order for ``reference`` (default: this session's receipt number)."""
        session, client = self.context.session, self.context.services.client
        citizen = session.citizen
        reference = reference or session.receipt_number
        if citizen is None or citizen.proof_token is None or not reference:
            return PaymentEnded("failed", Message("finish.pay.need_identity"))
        if client is None or not session.submitted and reference == session.local_reference:
            return self.deferred()
        try:
            order = client.create_payment(reference, citizen.id_number, proof=citizen.proof_token)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            if is_outage(error):
                return self.deferred()
            log.warning("payment order refused: %r", error)
            return PaymentEnded("failed", Message("finish.pay.refused", {"status": status_of(error) or "?"}))
        session.service["payment"] = order.order_id
        if order.status == "paid":
            return self._paid(order)
        return ShowPayment(order, Message("finish.pay.amount", {"amount": yuan(order.amount_yuan)}),
                           Message("finish.pay.deadline", {"time": order.expires_at.strftime("%H:%M")}))

    def poll(self, order: PaymentOrder, now: dt.datetime | None = None) -> PaymentPending | Paid | PaymentEnded:
        """Worker thread: the order's state now. Past its deadline it is cancelled and the timeout is said."""
        client = self.context.services.client
        if client is None:
            return PaymentPending(order)
        try:
            current = client.payment_state(order.order_id)
        except Exception as error:  # noqa: BLE001 - a lost answer is asked again at the next poll
            log.info("payment state not available (%s); asking again", type(error).__name__)
            return PaymentPending(order)
        now = now or dt.datetime.now().astimezone()
        if current.status == "paid":
            return self._paid(current)
        if current.status == "cancelled":
            return PaymentEnded("cancelled", Message("finish.pay.cancelled"))
        if current.status == "expired" or now >= current.expires_at:
            self._cancel_quietly(order.order_id)  # a late payment must not go through for an order we dropped
            return PaymentEnded("expired", Message("finish.pay.expired"))
        return PaymentPending(current)

    def cancel(self, order: PaymentOrder) -> Paid | PaymentEnded:
        """Worker thread: the citizen cancels. An order paid meanwhile stays paid (and prints its receipt)."""
        client = self.context.services.client
        if client is None:
            return PaymentEnded("cancelled", Message("finish.pay.cancelled"))
        try:
            current = client.cancel_payment(order.order_id)
        except Exception as error:  # noqa: BLE001
            log.warning("payment cancel failed: %r", error)
            return PaymentEnded("cancelled", Message("finish.pay.cancelled"))
        if current.status == "paid":
            return self._paid(current)
        return PaymentEnded("cancelled", Message("finish.pay.cancelled"))

    def _cancel_quietly(self, order_id: str) -> None:
        try:
            self.context.services.client.cancel_payment(order_id)
        except Exception as error:  # noqa: BLE001 - the platform expires it by itself too
            log.info("expired order not cancelled (%s)", type(error).__name__)

    def _paid(self, order: PaymentOrder) -> Paid:
        from kiosk.printing.service_documents import payment_receipt

        kiosk, citizen = self.context.config.kiosk, self.context.session.citizen
        self.context.session.service["paid"] = order.ebill_number
        document = payment_receipt(centre_name=kiosk.centre_name, item_name=self.context.item_name(order.item_code),
                                   reference=order.reference, amount_yuan=order.amount_yuan,
                                   ebill_number=order.ebill_number, paid_at=order.paid_at, order_id=order.order_id,
                                   applicant_name=citizen.name if citizen else "", kiosk_id=kiosk.device_id)
        return Paid(order, Message("finish.pay.paid", {"ebill": order.ebill_number}),
                    PrintJob(document, Message("finish.pay.printed"), failed=Message("finish.pay.print_failed")))
