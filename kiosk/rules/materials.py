"""Materials check with one-time notification (一次性告知), acceptance with minor materials missing (容缺受理)
and acceptance on a written commitment (告知承诺制).

Given what the citizen has ticked and what the platform can fetch by data sharing, the check names every
missing required material at once, and says whether the application can be accepted:

- ``complete``: nothing missing;
- ``waiver``: every main material present, only materials the guide lists as waivable missing: accept on a
  commitment to supply them within N working days, else the application is treated as withdrawn;
- ``pledge``: the applicant accepted 告知承诺 and only pledgeable (or waivable) materials are missing;
- ``refused``: a main material is missing: print the one-time notice listing everything missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kiosk.catalog import CatalogItem, Material
from kiosk.i18n import translate
from kiosk.printing.documents import CommitmentSlip, MissingMaterial, MissingMaterialsNotice
from kiosk.rules.holidays import WorkCalendar
from kiosk.rules.workdays import add_working_days

if TYPE_CHECKING:
    from kiosk.shown_names import ShownNames

Outcome = Literal["complete", "waiver", "pledge", "refused"]

WITHDRAWN_KEY = "flows.materials.withdrawn"  # "逾期未补交的，视为撤回申请"


@dataclass(frozen=True, slots=True)
class MaterialsCheck:
    item_code: str
    item_name: str
    outcome: Outcome
    missing: tuple[Material, ...]  # every required material not at hand, in guide order (一次性告知)
    fetched: tuple[str, ...]  # materials the platform fetches by data sharing: never asked for
    supply_days: int  # working days to supply what is missing under waiver / pledge
    supply_by: dt.date | None  # the deadline, for waiver and pledge
    reason_key: str  # flows.materials.<outcome>
    consequence_key: str = WITHDRAWN_KEY

    @property
    def accepted(self) -> bool:
        return self.outcome != "refused"

    @property
    def to_supply_later(self) -> tuple[Material, ...]:
        """What the commitment slip lists (empty unless accepted on waiver or pledge)."""
        return self.missing if self.outcome in ("waiver", "pledge") else ()

    def commitment_record(self) -> dict | None:
        """The ``commitment`` part of the application body the platform records, or None when complete."""
        if self.outcome not in ("waiver", "pledge"):
            return None
        return {"kind": self.outcome, "missing": [m.name for m in self.missing],
                "supply_by": self.supply_by.isoformat() if self.supply_by else None}

    def notice(self, *, centre_name: str, applicant_name: str, applicant_id_number: str, issued_at: dt.datetime,
               kiosk_id: str, guide_qr_payload: str = "", language: str | None = None,
               names: ShownNames | None = None) -> MissingMaterialsNotice:
        """The input of kiosk.printing.documents.missing_materials_notice (every missing material); with
        ``names`` (another language than Chinese) each name prints translated with its Chinese beside it."""
        if not self.missing:
            raise ValueError(f"item {self.item_code}: nothing is missing, so there is no one-time notice to print")
        return MissingMaterialsNotice(
            centre_name=centre_name, item_name=names.printed_item(self.item_name) if names else self.item_name,
            applicant_name=applicant_name, applicant_id_number=applicant_id_number,
            missing=_printable(self.missing, language, names),
            issued_at=issued_at, kiosk_id=kiosk_id, guide_qr_payload=guide_qr_payload,
        )

    def slip(self, *, centre_name: str, receipt_number: str, applicant_name: str, applicant_id_number: str,
             issued_at: dt.datetime, qr_payload: str, kiosk_id: str, language: str | None = None,
             names: ShownNames | None = None) -> CommitmentSlip:
        """The input of kiosk.printing.documents.commitment_slip (what to supply, by when)."""
        if self.outcome not in ("waiver", "pledge") or self.supply_by is None:
            raise ValueError(f"item {self.item_code}: outcome {self.outcome} has no commitment slip")
        return CommitmentSlip(
            centre_name=centre_name, item_name=names.printed_item(self.item_name) if names else self.item_name,
            receipt_number=receipt_number, applicant_name=applicant_name, applicant_id_number=applicant_id_number,
            to_supply=_printable(self.missing, language, names), deadline=self.supply_by, issued_at=issued_at,
            qr_payload=qr_payload, kiosk_id=kiosk_id, kind="waiver" if self.outcome == "waiver" else "pledge",
        )


def requirement_text(material: Material, language: str | None = None) -> str:
    """How a material must be brought, e.g. "原件2份" / "复印件1份" / "电子版"."""
    text = translate(f"flows.material.form.{material.form}", language, count=material.count)
    if material.waivable:
        text += translate("flows.material.waivable_suffix", language)
    return text


def requirement_note(material: Material, language: str | None = None) -> str:
    """The same as one note for inside brackets: "复印件1份，可容缺后补" / "photocopy, 1 copy(ies), may be supplied
    later" (requirement_text's own brackets would nest inside a screen's)."""
    parts = [translate(f"flows.material.form.{material.form}", language, count=material.count)]
    if material.waivable:
        parts.append(translate("guide.material.waivable", language))
    return translate("guide.material.notes_separator", language).join(parts)


def numbered_missing(materials: Iterable[Material], names: ShownNames | None = None,
                     language: str | None = None) -> str:
    """"1. 房屋租赁合同（复印件1份，可容缺后补）", a line each: the 容缺 commitment and the one-time notice list them so."""
    return "\n".join(f"{i}. {names.material(m.name) if names else m.name}"
                     + translate("guide.material.notes", language, notes=requirement_note(m, language))
                     for i, m in enumerate(materials, 1))


def _printable(materials: Iterable[Material], language: str | None,
               names: ShownNames | None = None) -> tuple[MissingMaterial, ...]:
    return tuple(MissingMaterial(names.printed_material(m.name) if names else m.name, requirement_text(m, language))
                 for m in materials)


def check_materials(item: CatalogItem, ticked: Iterable[str], fetched: Collection[str] | None = None, *,
                    today: dt.date, pledge: bool = False, holidays: Collection[dt.date] = (),
                    calendar: WorkCalendar | None = None) -> MaterialsCheck:
    """Check the materials of ``item`` (for a bundle: the merged item from kiosk.rules.bundles).

    ``ticked``: names the citizen says they have with them. ``fetched``: names the platform said it can
    fetch for this citizen (eligibility answer); None trusts the guide's ``shared`` flags, e.g. offline.
    ``pledge``: the applicant accepted 告知承诺 (only call with True when kiosk.rules.commitment offered it).
    ``calendar``: the working-day calendar (holidays and 调休) the deadline is counted in; without one, only
    weekends and the given ``holidays`` are skipped.
    """
    if pledge and not item.guide.commitment_allowed:
        raise ValueError(f"item {item.code} does not allow 告知承诺; do not check it as a pledge")
    have = set(ticked)
    names = {m.name for m in item.guide.materials}
    can_fetch = {m.name for m in item.guide.materials if m.shared} if fetched is None else set(fetched) & names
    missing = tuple(m for m in item.guide.materials
                    if m.required and m.name not in have and m.name not in can_fetch)
    fetched_names = tuple(m.name for m in item.guide.materials if m.name in can_fetch)
    days = item.guide.waiver_supply_days

    def result(outcome: Outcome, supply_by: dt.date | None = None) -> MaterialsCheck:
        return MaterialsCheck(item.code, item.name, outcome, missing, fetched_names, days, supply_by,
                              f"flows.materials.{outcome}")

    if not missing:
        return result("complete")
    # A main material is one the application cannot go ahead without, even on a commitment.
    main = [m for m in missing if not (m.waivable or (pledge and m.pledgeable))]
    if main:
        return result("refused")
    deadline = (calendar.add_working_days(today, days) if calendar is not None
                else add_working_days(today, days, holidays))
    return result("pledge" if pledge else "waiver", deadline)
