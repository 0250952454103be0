"""One citizen's visit: what they scanned, chose and received. Wiped at the end, so the next person sees
nothing of it (DESIGN.md personal-data rules)."""

from __future__ import annotations

import enum
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from kiosk.masking import mask_id_number, mask_name, mask_phone

IdentitySource = Literal["id_card", "typed", "qr", "face", "eid"]


class Level(enum.IntEnum):
    """How sure the kiosk is of who this is, set only by how the identity was obtained (DESIGN.md)."""

    NONE = 0
    CLAIMED = 1  # an ID number typed or scanned: anyone can know one
    CARD = 2  # a resident ID card read through the SAM reader (the chip is authenticated)
    VERIFIED = 3  # card + live face matched by the platform, or an e-ID code the platform verified


@dataclass(frozen=True, slots=True)
class Citizen:
    id_number: str
    name: str = ""
    phone: str = ""
    source: IdentitySource = "typed"
    level: Level = Level.CLAIMED
    proof: Any = None  # kiosk.platform_client.Verification once the platform verified this person
    card: Any = None  # kiosk.platform_client.CardEvidence of the card read here (a digest, no chip fields)
    card_valid_until: Any = None  # datetime.date of the card's expiry, None for 长期 or no card

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def __repr__(self) -> str:  # a traceback or a log line never shows the full number or name
        return f"Citizen({self.masked_id}, {self.masked_name}, {self.source}, {self.level.name})"

    @property
    def proof_token(self) -> str | None:
        """What goes with a personal-data request (the platform's proof), None below "verified"."""
        return None if self.proof is None else self.proof.proof

    __str__ = __repr__


@dataclass(slots=True)
class Session:
    id: str = field(default_factory=lambda: secrets.token_hex(16))  # not uuid: it imports platform (~3 ms at start)
    started_at: float = field(default_factory=time.monotonic)
    citizen: Citizen | None = None
    item_code: str | None = None
    form: dict[str, str] = field(default_factory=dict)
    form_draft: dict[str, str] = field(default_factory=dict)  # typed, not yet checked: kept on 上一步
    materials_present: set[str] = field(default_factory=set)
    idempotency_key: str | None = None
    receipt_number: str | None = None
    accepted_at: str | None = None
    submitted: bool = False  # True only once the platform acknowledged
    rating_level: int | None = None
    eligibility: Any = None  # the platform's answer for this citizen and item (None: not asked / offline)
    materials_check: Any = None  # kiosk.rules.materials.MaterialsCheck once the citizen ticked materials
    query_document: Any = None  # a query-and-print result fetched from the platform
    member_receipts: tuple = ()  # a bundle's receipt numbers, one per member item
    local_reference: str | None = None  # "saved on this kiosk" reference while the platform is unreachable
    # Issue #17's choices for this application (kiosk/desk/delivery.py, certificates.py): "delivery" → the
    # application body's delivery, "certificates" → its 电子证照 used as materials; wiped with the session.
    service: dict[str, Any] = field(default_factory=dict)
    # Pages photographed on the document camera (kiosk/desk/capture.py): (material name, devices.doccam.Page),
    # in capture order; submitted as the application's images, dropped with the session.
    pages: list[tuple[str, Any]] = field(default_factory=list)

    def wipe(self) -> None:
        """Forget everything of this visit and start a fresh, empty one with a new id."""
        fresh = Session()
        for name in self.__slots__:
            setattr(self, name, getattr(fresh, name))

    @property
    def is_empty(self) -> bool:
        return self.citizen is None and self.item_code is None and self.receipt_number is None
