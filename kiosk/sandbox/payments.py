"""Fees (非税收入缴款) and postage: the platform issues a payment order for an application or an appointment,
the citizen pays it on a phone (the kiosk only shows the order's QR code: no card data ever touches a kiosk),
and the platform answers the order's state and, once paid, the 电子票据 (electronic fiscal bill) number.

    POST /v1/payments                       proof   {reference, id_number} -> 201 order (pending)
    GET  /v1/payments/{order_id}                    the order's state: pending | paid | cancelled | expired
    POST /v1/payments/{order_id}/cancel             pending -> cancelled (a paid order stays paid)
    POST /v1/payments/{order_id}/demo-pay           the sandbox's stand-in for the citizen's payment app
    POST /v1/postage                                {item_code, address} -> the postage of a mailed result

The order's amount is the catalog's fee of the item behind the reference (kiosk/sandbox/data/catalog.json);
the order id is random and names nobody, so it may travel in a path.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from kiosk.catalog import Catalog
from kiosk.masking import mask_id_number
from kiosk.sandbox.identity import ID_PATTERN, NEEDS_PROOF, require_proof
from kiosk.sandbox.problems import ProblemError, problem_responses
from kiosk.sandbox.store import SandboxStore

ORDER_TTL = dt.timedelta(minutes=5)  # a pay link lives this long; the kiosk says "timed out" after it
PAY_LINK = "https://pay.sandbox.gov-kiosk.example/v1/pay/"  # what the citizen's phone opens (sandbox only)
HOME_PROVINCE = "河南"  # the demo platform's province: postage inside it is cheaper
POSTAGE_IN_PROVINCE, POSTAGE_OUT_OF_PROVINCE = 12.0, 20.0  # 元, EMS 政务专递 (demo tariff)
CITIES_IN_PROVINCE = ("郑州", "洛阳", "开封", "许昌", "信阳", "三门峡", "新乡", "安阳", "南阳", "商丘", "平顶山",
                      "焦作", "鹤壁", "濮阳", "漯河", "周口", "驻马店", "济源")


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: Annotated[str, Field(pattern=r"^(ZW|YY)[0-9A-Z]{6,30}$")]  # a receipt or appointment number
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class PostageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: Annotated[str, Field(pattern=r"^[A-Z]{2,6}-[0-9]{3}$")]
    address: Annotated[str, Field(min_length=1, max_length=120)]


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def postage_for(address: str) -> float:
    """The demo tariff: inside the province or not, from the address's words."""
    return POSTAGE_IN_PROVINCE if HOME_PROVINCE in address or any(c in address for c in CITIES_IN_PROVINCE) \
        else POSTAGE_OUT_OF_PROVINCE


def check_address(address: str) -> str:
    """A mailing address the post office can deliver to: long enough to hold a city, a street and a number."""
    address = address.strip()
    if len(address) < 8 or not any(word in address for word in ("市", "县", "区", "镇", "乡", "村")):
        raise ProblemError(422, "delivery.address: give the full mailing address (province, city, district, "
                           "street and house number), at least 8 characters", kind="address-incomplete",
                           field="delivery.address")
    return address


class PaymentBook:
    """The orders, in the sandbox's SQLite database."""

    def __init__(self, store: SandboxStore, catalog: Catalog) -> None:
        self.store, self.catalog = store, catalog
        self._lock = threading.Lock()
        store.db["payments"].create(
            {"order_id": str, "reference": str, "item_code": str, "id_number": str, "amount_yuan": float,
             "status": str, "created_at": str, "expires_at": str, "paid_at": str, "ebill_number": str},
            pk="order_id", if_not_exists=True,
        )

    def _subject(self, reference: str) -> tuple[str, str]:
        """(item code, applicant ID number) of an application or an appointment."""
        db = self.store.db
        if reference.startswith("ZW"):
            rows = list(db["applications"].rows_where("receipt_number = ?", [reference]))
            if rows:
                return rows[0]["item_code"], rows[0]["applicant_id_number"]
        elif "appointments" in db.table_names():
            rows = list(db["appointments"].rows_where("number = ? AND status != 'cancelled'", [reference]))
            if rows:
                return rows[0]["item_code"], rows[0]["id_number"]
        raise ProblemError(404, f"no application or appointment {reference}; check the number on the receipt",
                           kind="not-found", field="reference")

    def order(self, reference: str, id_number: str) -> dict:
        item_code, applicant = self._subject(reference)
        if applicant != id_number:
            raise ProblemError(403, f"{reference} belongs to another person than {mask_id_number(id_number)}; "
                               "only its applicant pays for it here", kind="not-the-applicant")
        fee = self.catalog.item(item_code).guide.fee
        if fee.free:
            raise ProblemError(409, f"item {item_code} has no fee; nothing to pay", kind="no-fee")
        with self._lock:
            paid = list(self.store.db["payments"].rows_where("reference = ? AND status = 'paid'", [reference]))
            if paid:
                return self._answer(paid[0])
            # One live order per reference: a second "pay" reuses it rather than charging twice.
            for row in self.store.db["payments"].rows_where("reference = ? AND status = 'pending'", [reference]):
                if self._answer(row)["status"] == "pending":
                    return self._answer(row)
            now = _now()
            row = {"order_id": "PO" + secrets.token_hex(8).upper(), "reference": reference, "item_code": item_code,
                   "id_number": id_number, "amount_yuan": fee.amount_yuan, "status": "pending",
                   "created_at": now.isoformat(timespec="seconds"),
                   "expires_at": (now + ORDER_TTL).isoformat(timespec="seconds"), "paid_at": "", "ebill_number": ""}
            self.store.db["payments"].insert(row)
        return self._answer(row)

    def get(self, order_id: str) -> dict:
        rows = list(self.store.db["payments"].rows_where("order_id = ?", [order_id]))
        if not rows:
            raise ProblemError(404, f"no payment order {order_id}", kind="not-found")
        return rows[0]

    def _answer(self, row: dict) -> dict:
        status = row["status"]
        if status == "pending" and _now() > dt.datetime.fromisoformat(row["expires_at"]):
            status = "expired"
        return {"order_id": row["order_id"], "reference": row["reference"], "item_code": row["item_code"],
                "amount_yuan": row["amount_yuan"], "status": status, "pay_url": PAY_LINK + row["order_id"],
                "expires_at": row["expires_at"], "paid_at": row["paid_at"], "ebill_number": row["ebill_number"]}

    def state(self, order_id: str) -> dict:
        return self._answer(self.get(order_id))

    def cancel(self, order_id: str) -> dict:
        with self._lock:
            answer = self.state(order_id)
            if answer["status"] == "pending":
                self.store.db["payments"].update(order_id, {"status": "cancelled"})
        return self.state(order_id)

    def pay(self, order_id: str) -> dict:
        """The citizen's payment app reports success: the order is paid and its 电子票据 is issued."""
        with self._lock:
            answer = self.state(order_id)
            if answer["status"] in ("cancelled", "expired"):
                raise ProblemError(409, f"payment order {order_id} is {answer['status']}; start a new one",
                                   kind=f"order-{answer['status']}")
            if answer["status"] == "pending":
                now = _now()
                count = self.store.db.execute("SELECT count(*) FROM payments WHERE ebill_number != ''").fetchone()[0]
                self.store.db["payments"].update(order_id, {
                    "status": "paid", "paid_at": now.isoformat(timespec="seconds"),
                    "ebill_number": f"41{now:%Y%m%d}{count + 1:08d}"})  # 河南 (41) + date + sequence
        return self.state(order_id)


def payments_router(store: SandboxStore, catalog: Catalog) -> APIRouter:
    book = PaymentBook(store, catalog)
    router = APIRouter(prefix="/v1", tags=["payments"])

    @router.post("/payments", status_code=201, **NEEDS_PROOF)
    def create_order(body: PaymentIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="a payment order")
        return book.order(body.reference, body.id_number)

    @router.get("/payments/{order_id}", responses=problem_responses(404))
    def order_state(order_id: str) -> dict:
        return book.state(order_id)

    @router.post("/payments/{order_id}/cancel", responses=problem_responses(404))
    def cancel_order(order_id: str) -> dict:
        return book.cancel(order_id)

    @router.post("/payments/{order_id}/demo-pay", responses=problem_responses(404, 409))
    def demo_pay(order_id: str) -> dict:
        """Sandbox only: what the citizen's payment app does when the payment went through."""
        return book.pay(order_id)

    @router.post("/postage", responses=problem_responses(404, 422))
    def postage(body: PostageIn) -> dict:
        try:
            item = catalog.item(body.item_code)
        except KeyError:
            raise ProblemError(404, f"unknown item code {body.item_code}", kind="not-found") from None
        if "mail" not in item.guide.delivery:
            raise ProblemError(422, f"item {item.code} is not delivered by mail; it offers "
                               f"{', '.join(item.guide.delivery)}", kind="no-mail-delivery", field="item_code")
        return {"item_code": item.code, "postage_yuan": postage_for(check_address(body.address)),
                "carrier": "EMS 政务专递"}

    return router
