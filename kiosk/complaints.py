"""The guided complaint (投诉) and "办不成事" report: what went wrong, which item, an optional callback.

Recorded through the outbox (the callback phone is personal data: it travels only in the encrypted payload,
never in the entry's clear-text metadata or the log) and sent at once; the platform answers a number
(TS + date + sequence) that is printed and shown, and that 进度查询 accepts (``is_complaint_number``).
Offline the report waits in the outbox with a local reference; the number comes when it is delivered.

Blocking calls (``submit``, ``status``): run them on a worker thread.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.i18n import translate
from kiosk.outbox_adapter import OutboxAdapter
from kiosk.platform_client import PlatformError
from kiosk.urgent import deliver_now
from offline.errors import UnknownEntry
from offline.model import Kind
from offline.outbox import Outbox

CATEGORIES = ("materials", "system", "waiting", "attitude", "cannot_do", "other")  # help.complaint.category_*
COMPLAINT_NUMBER = re.compile(r"^TS[0-9]{14}$")


def is_complaint_number(text: str) -> bool:
    """A 进度查询 entry that is a complaint number (TS20261130000001) rather than an application receipt."""
    return bool(COMPLAINT_NUMBER.match(text.strip().upper()))


class ComplaintDraft(BaseModel):
    """What the guided form collected. ``callback_phone`` is the verified citizen's own phone (from the
    identity step), used only when ``callback`` is chosen; the screen shows it masked."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["complaint", "cannot_do"]
    category: Literal["materials", "system", "waiting", "attitude", "cannot_do", "other"]
    item_code: Annotated[str, Field(max_length=40)] = ""
    details: Annotated[str, Field(max_length=200)] = ""
    callback: bool = False
    callback_phone: Annotated[str, Field(pattern=r"^(1[3-9][0-9]{9})?$")] = ""

    @model_validator(mode="after")
    def _phone_for_callback(self) -> ComplaintDraft:
        if self.callback and not self.callback_phone:
            raise ValueError("a callback needs the verified phone number; without one, offer no callback")
        return self

    def body(self) -> dict[str, Any]:
        """The platform body (POST /v1/complaints); the category goes as its Chinese words, as staff read it."""
        return {"kind": self.kind, "category": translate(f"help.complaint.category_{self.category}", "zh_CN"),
                "item_code": self.item_code, "details": self.details, "callback": self.callback,
                "callback_phone": self.callback_phone if self.callback else ""}


@dataclass(frozen=True, slots=True)
class ComplaintOutcome:
    number: str  # "" while queued
    local_reference: str  # the outbox entry, e.g. "C-KIOSK-07-12"; shown when there is no number yet
    entry_id: int
    message: str  # what the screen shows (and speaks)
    refused: str = ""  # the platform refused it (a kiosk bug): the citizen is told to call 12345


@dataclass(frozen=True, slots=True)
class ComplaintStatus:
    number: str
    status: str  # recorded | handling | answered | closed
    status_text: str  # 已登记 …
    history: tuple[tuple[float, str, str], ...]  # (unix seconds, status, note)


class ComplaintDesk:
    def __init__(self, outbox: Outbox, adapter: OutboxAdapter, device_id: str,
                 clock=time.time) -> None:
        self.outbox = outbox
        self.adapter = adapter
        self.device_id = device_id
        self.clock = clock

    def submit(self, draft: ComplaintDraft) -> ComplaintOutcome:
        entry = self.outbox.enqueue(Kind.COMPLAINT, draft.body(),
                                    meta={"kind": draft.kind, "category": draft.category})
        reference = f"C-{self.device_id}-{entry.id}"
        sent = deliver_now(self.outbox, self.adapter, entry.id, self.clock)
        if sent.ack is not None:
            number = str(sent.ack.get("number", ""))
            return ComplaintOutcome(number, reference, entry.id, translate("help.complaint.recorded", number=number))
        if sent.queued:
            return ComplaintOutcome("", reference, entry.id, translate("help.complaint.queued", reference=reference))
        return ComplaintOutcome("", reference, entry.id, translate("help.assist.refused", reason=sent.error,
                                                                   phones="12345"), refused=sent.error)

    def number_of(self, entry_id: int) -> str:
        """The platform's number of a report sent later by the sync worker ("" while it waits)."""
        try:
            entry = self.outbox.get(entry_id)
        except UnknownEntry:
            return ""
        return str((entry.ack or {}).get("number", ""))

    def status(self, number: str) -> ComplaintStatus:
        """Raises PlatformError (kind "rejected", status 404) for an unknown number."""
        if not is_complaint_number(number):
            raise ValueError(f"{number!r} is not a complaint number (TS followed by 14 digits)")
        answer = self.adapter.client._request("GET", f"/complaints/{number.strip().upper()}").json()
        try:
            return ComplaintStatus(answer["number"], answer["status"], answer.get("status_text", answer["status"]),
                                   tuple((float(h["at"]), h["status"], h["note"]) for h in answer["history"]))
        except (KeyError, TypeError, ValueError):
            raise PlatformError("bad_answer", f"complaint {number}: the answer lacks status or history") from None
