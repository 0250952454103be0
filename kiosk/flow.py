"""The citizen's path through an item: identify → choose → read the guide → confirm → submit → receipt →
rate. The rules live here so they are testable without a window; screens ask and show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.catalog import Catalog, CatalogItem
from kiosk.idnumber import ResidentId, parse_id_number
from kiosk.platform_client import new_idempotency_key
from kiosk.rules.bundles import effective_item
from kiosk.rules.commitment import CommitmentOffer, commitment_offer
from kiosk.rules.forms import FormCheck, check_form
from kiosk.rules.holidays import DEFAULT_CALENDAR
from kiosk.rules.materials import MaterialsCheck, check_materials
from kiosk.session import Citizen, IdentitySource, Level, Session

if TYPE_CHECKING:
    from kiosk.submission import SubmitOutcome

RATING_LEVELS: tuple[tuple[int, str], ...] = (
    (5, "rating.level.5"),  # 非常满意
    (4, "rating.level.4"),  # 满意
    (3, "rating.level.3"),  # 基本满意
    (2, "rating.level.2"),  # 不满意
    (1, "rating.level.1"),  # 非常不满意
)


class FlowError(Exception):
    """A step taken out of order; ``key`` is an i18n message key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class GuideSummary:
    """What the guide screen shows: the facts a citizen needs before committing."""

    item: CatalogItem
    materials_to_bring: tuple[str, ...]
    materials_shared: tuple[str, ...]
    fee_text_key: str
    fee_amount: float


class ServiceFlow:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- identify -----------------------------------------------------------------------------------------
    def identify(self, id_number: str, name: str = "", phone: str = "", source: IdentitySource = "typed",
                 level: Level = Level.CLAIMED, parsed: ResidentId | None = None, **evidence: Any) -> Citizen:
        """Validate the ID number (GB 11643) and attach the citizen to the session; raises IdNumberError.
        ``level`` says how the identity was obtained; ``evidence`` is the proof/card evidence that backs it;
        ``parsed``: a card's number already checked against its kind (kiosk.idnumber.parse_card_number)."""
        parsed = parsed or parse_id_number(id_number)
        citizen = Citizen(id_number=parsed.number, name=name.strip(), phone=phone.strip(), source=source,
                          level=level, **evidence)
        self.session.citizen = citizen
        return citizen

    # -- choose and read ----------------------------------------------------------------------------------
    def choose(self, catalog: Catalog, code: str) -> CatalogItem:
        """Choose an item; a bundle becomes one merged item (one form, one de-duplicated materials list)."""
        item = effective_item(catalog, code)
        self.session.item_code = item.code
        self.session.form = {}
        self.session.materials_present = set()
        self.session.idempotency_key = None
        self.session.eligibility = None
        self.session.materials_check = None
        self.session.query_document = None
        return item

    # -- materials, 容缺 and 告知承诺 ---------------------------------------------------------------------------
    def commitment_offer(self, item: CatalogItem) -> CommitmentOffer:
        """Whether 告知承诺 is offered: the item must allow it and the platform must vouch for the applicant
        (no bad credit, no earlier false commitment). Offline the platform cannot vouch: not offered."""
        return commitment_offer(item, self.session.eligibility)

    def fetched_materials(self) -> set[str] | None:
        eligibility = self.session.eligibility
        return None if eligibility is None else set(eligibility.shared_materials)

    def check_materials(self, item: CatalogItem, ticked: Iterable[str], pledge: bool = False,
                        today: dt.date | None = None) -> MaterialsCheck:
        """One-time notification of everything missing; 容缺 when only waivable materials are missing;
        告知承诺 when chosen and offered."""
        if pledge and not self.commitment_offer(item).offered:
            raise FlowError("flow.error.commitment_not_offered")
        check = check_materials(item, set(ticked), self.fetched_materials(), today=today or dt.date.today(),
                                pledge=pledge, calendar=DEFAULT_CALENDAR)
        self.session.materials_present = set(ticked) | set(check.fetched)
        self.session.materials_check = check
        return check

    # -- the form -----------------------------------------------------------------------------------------
    def fill_form(self, item: CatalogItem, values: Mapping[str, str]) -> FormCheck:
        check = check_form(item, values)
        if check.ok:
            self.session.form = dict(check.values)
        return check

    @staticmethod
    def guide_summary(item: CatalogItem) -> GuideSummary:
        guide = item.guide
        bring = tuple(m.name for m in guide.materials if not m.shared)
        shared = tuple(m.name for m in guide.materials if m.shared)
        return GuideSummary(
            item=item,
            materials_to_bring=bring,
            materials_shared=shared,
            fee_text_key="guide.fee.free" if guide.fee.free else "guide.fee.amount",
            fee_amount=guide.fee.amount_yuan,
        )

    # -- submit -------------------------------------------------------------------------------------------
    def application_body(self) -> dict:
        if self.session.citizen is None:
            raise FlowError("flow.error.not_identified")
        if self.session.item_code is None:
            raise FlowError("flow.error.no_item")
        citizen = self.session.citizen
        body = {
            "item_code": self.session.item_code,
            "applicant": {"id_number": citizen.id_number, "name": citizen.name or "未登记",
                          "phone": self.session.form.get("phone", citizen.phone)},
            "form": dict(self.session.form),
            "materials_present": sorted(self.session.materials_present),
            "channel": "kiosk",
        }
        check = self.session.materials_check
        if check is not None and not check.accepted:
            raise FlowError("flow.error.materials_missing")
        record = check.commitment_record() if check is not None else None
        if record is not None:
            body["commitment"] = record
        for key in ("delivery", "certificates"):  # chosen at the confirm / materials screens (issue #17)
            if self.session.service.get(key):
                body[key] = self.session.service[key]
        return body

    def prepare_submission(self) -> tuple[dict, str]:
        """The body and its idempotency key. The key is made once per application and reused on retry,
        so a retry after a lost answer never creates a second application."""
        body = self.application_body()
        if self.session.idempotency_key is None:
            self.session.idempotency_key = new_idempotency_key()
        return body, self.session.idempotency_key

    def record_submission(self, outcome: SubmitOutcome) -> None:
        """The platform acknowledged (``kiosk.submission.SubmitOutcome`` with status "acknowledged")."""
        self.session.receipt_number = outcome.receipt_number
        self.session.accepted_at = outcome.accepted_at
        self.session.submitted = True
        self.session.member_receipts = outcome.members

    # -- rate ---------------------------------------------------------------------------------------------
    def rating_body(self, level: int, reasons: list[str] | None = None, callback: bool = False) -> dict:
        if level not in dict(RATING_LEVELS):
            raise FlowError("flow.error.bad_rating")
        if self.session.item_code is None:
            raise FlowError("flow.error.no_item")
        self.session.rating_level = level
        return {
            "item_code": self.session.item_code,
            "receipt_number": self.session.receipt_number,
            "level": level,
            "reasons": list(reasons or []),
            "callback": callback,
        }
