"""The typed answers of issue #17's platform calls (fees, postage, appointments, electronic certificates,
我的办件), parsed from the JSON the platform sends; the calls themselves are on ``PlatformClient``.
A missing member is a ``PlatformError("bad_answer")`` naming the call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from kiosk.platform_client import PlatformError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PaymentOrder:
    order_id: str
    reference: str  # the receipt (ZW…) or appointment (YY…) number it pays for
    item_code: str
    amount_yuan: float
    status: str  # pending | paid | cancelled | expired
    pay_url: str  # shown as a QR code for the citizen's phone; the kiosk never opens it
    expires_at: dt.datetime
    ebill_number: str = ""  # 电子票据号, once paid
    paid_at: str = ""


@dataclass(frozen=True, slots=True)
class Postage:
    postage_yuan: float
    carrier: str


@dataclass(frozen=True, slots=True)
class Slot:
    slot_id: str
    label: str  # 上午 / 下午
    start: str
    end: str
    capacity: int
    left: int


@dataclass(frozen=True, slots=True)
class SlotDay:
    date: dt.date
    slots: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class Appointment:
    number: str
    item_code: str
    point: str
    date: dt.date
    slot_id: str
    label: str
    start: str
    end: str
    status: str  # booked | checked_in | cancelled
    check_in_code: str  # printed as the slip's QR; "" in a check-in answer


@dataclass(frozen=True, slots=True)
class CheckIn:
    appointment: Appointment
    ticket: str
    department: str


@dataclass(frozen=True, slots=True)
class Certificate:
    certificate_id: str
    kind: str
    title: str
    number: str  # masked by the platform
    issuer: str
    issued_on: str
    valid_until: str  # "" for 长期
    materials: tuple[str, ...]  # the catalog materials it stands in for


@dataclass(frozen=True, slots=True)
class CertifiedCopy:
    title: str
    rows: tuple[tuple[str, str], ...]
    verification_code: str
    verify_url: str
    issued_at: str


@dataclass(frozen=True, slots=True)
class MyApplication:
    receipt_number: str
    item_code: str
    status: str
    created_at: str
    channel: str  # kiosk | online
    ready_for_pickup: bool
    delivery: str
    paid: bool


def parsed(what: str, make: Callable[[], T]) -> T:
    try:
        return make()
    except (KeyError, TypeError, ValueError, AttributeError):
        raise PlatformError("bad_answer", f"{what}: the platform's answer is not the contract") from None


def payment_order(raw: Any) -> PaymentOrder:
    return parsed("payment order", lambda: PaymentOrder(
        raw["order_id"], raw["reference"], raw["item_code"], float(raw["amount_yuan"]), raw["status"],
        raw["pay_url"], dt.datetime.fromisoformat(raw["expires_at"]), raw.get("ebill_number") or "",
        raw.get("paid_at") or ""))


def slot_days(raw: Any) -> tuple[SlotDay, ...]:
    return parsed("appointment slots", lambda: tuple(
        SlotDay(dt.date.fromisoformat(day["date"]), tuple(
            Slot(s["id"], s["label"], s["start"], s["end"], int(s["capacity"]), int(s["left"])) for s in day["slots"]))
        for day in raw["days"]))


def appointment(raw: Any) -> Appointment:
    return parsed("appointment", lambda: Appointment(
        raw["number"], raw["item_code"], raw["point"], dt.date.fromisoformat(raw["date"]), raw["slot"], raw["label"],
        raw["start"], raw["end"], raw["status"], raw.get("check_in_code") or ""))


def check_in(raw: Any) -> CheckIn:
    return parsed("appointment check-in", lambda: CheckIn(appointment(raw), raw["ticket"], raw["department"]))


def certificates(raw: Any) -> tuple[Certificate, ...]:
    return parsed("electronic certificates", lambda: tuple(
        Certificate(c["id"], c["kind"], c["title"], c["number"], c["issuer"], c["issued_on"], c.get("valid_until", ""),
                    tuple(c.get("materials", ()))) for c in raw["certificates"]))


def certified_copy(raw: Any) -> CertifiedCopy:
    return parsed("certified copy", lambda: CertifiedCopy(
        raw["title"], tuple((str(a), str(b)) for a, b in raw["rows"]), raw["verification_code"], raw["verify_url"],
        raw["issued_at"]))


def my_applications(raw: Any) -> tuple[MyApplication, ...]:
    return parsed("my applications", lambda: tuple(
        MyApplication(a["receipt_number"], a["item_code"], a["status"], a["created_at"], a.get("channel", "kiosk"),
                      bool(a["ready_for_pickup"]), a.get("delivery", ""), bool(a.get("paid", False)))
        for a in raw["applications"]))
