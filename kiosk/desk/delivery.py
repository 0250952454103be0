"""How the result reaches the citizen (issue #17): one of the item's guide.delivery methods — 窗口领取,
自助终端领取, 邮寄 (a typed address; the platform computes the postage) or 电子送达 (to the citizen's app) —
chosen before confirming, sent in the application body and printed on the receipt."""

from __future__ import annotations

import logging

from kiosk.desk.context import DeskContext
from kiosk.desk.outcomes import Message
from kiosk.desk.outcomes_service import DeliveryChosen, DeliveryOptions, DeliveryRefused
from kiosk.desk.refusals import is_outage, status_of
from kiosk.i18n import translate
from kiosk.session import Session

log = logging.getLogger(__name__)

CHOOSABLE = ("window", "kiosk_pickup", "mail", "electronic")  # print_now is not a choice: it prints here


class DeliveryDesk:
    def __init__(self, context: DeskContext) -> None:
        self.context = context

    def options(self) -> DeliveryOptions | None:
        """The methods offered, when there is a choice to make (None: one method or none, nothing to ask)."""
        item = self.context.item()
        if item is None:
            return None
        methods = tuple(m for m in item.guide.delivery if m in CHOOSABLE)
        if len(methods) < 2 and "mail" not in methods:
            return None
        chosen = (self.context.session.service.get("delivery") or {}).get("method", methods[0])
        return DeliveryOptions(methods, chosen)

    def choose(self, method: str, address: str = "") -> DeliveryChosen | DeliveryRefused:
        """Worker thread for "mail" (the platform computes the postage); instant for the others."""
        item, session = self.context.item(), self.context.session
        if item is None or method not in item.guide.delivery or method not in CHOOSABLE:
            return DeliveryRefused(Message("finish.delivery.not_offered"))
        if method != "mail":
            session.service["delivery"] = {"method": method}
            return DeliveryChosen(method, Message(f"guide.delivery.{method}"))
        address = " ".join(address.split())
        if len(address) < 8:
            return DeliveryRefused(Message("finish.delivery.address_short"))
        client = self.context.services.client
        if client is None:
            return DeliveryRefused(Message("finish.delivery.mail_offline"))
        try:
            postage = client.postage(item.code, address)
        except Exception as error:  # noqa: BLE001 - worded for the citizen
            if is_outage(error):
                return DeliveryRefused(Message("finish.delivery.mail_offline"))
            log.info("postage refused (%s)", status_of(error))
            return DeliveryRefused(Message("finish.delivery.address_refused"))
        session.service["delivery"] = {"method": "mail", "address": address}
        session.service["postage"] = postage.postage_yuan
        return DeliveryChosen("mail", Message("finish.delivery.mail_summary",
                                              {"postage": f"{postage.postage_yuan:.2f}", "carrier": postage.carrier}))


def masked_address(address: str) -> str:
    """Enough of the address for the citizen to recognise it on paper or screen, not enough to find them."""
    return address[:6] + "…" if len(address) > 6 else address


def receipt_delivery_line(session: Session) -> str:
    """The chosen method as the receipt prints it ("" when none was chosen)."""
    delivery = session.service.get("delivery")
    if not delivery:
        return ""
    text = translate(f"guide.delivery.{delivery['method']}")
    if delivery["method"] == "mail":
        text += translate("finish.delivery.mail_receipt", postage=f"{session.service.get('postage', 0):.2f}",
                          address=masked_address(delivery.get("address", "")))
    return text


def receipt_fee_note(session: Session, item) -> str:  # noqa: ANN001 - kiosk.catalog.CatalogItem
    """Saved offline with a fee: the receipt says it is paid at pickup ("" otherwise)."""
    if session.submitted or item.guide.fee.free:
        return ""
    return translate("finish.pay.receipt_at_pickup", amount=f"{item.guide.fee.amount_yuan:.2f}")
