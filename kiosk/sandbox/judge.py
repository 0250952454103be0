"""The platform's own decisions, written independently of the kiosk's rules (kiosk/rules/).

The sandbox shares only the contract with the kiosk (the catalog schema in kiosk.catalog); it never imports
kiosk.rules. So when the kiosk and the platform disagree about an application, one of them has a bug, and the
tests see it (tests/test_flows_sandbox.py compares the two on every demo item).

How this differs in method from the kiosk, on purpose:

- Bundles (一件事一次办) are judged member by member against one pile of papers, instead of first merging
  the members into one item: a material missing from the pile is acceptable only if every part that
  requires it accepts it missing (waived, or pledged under 告知承诺).
- Working days are counted by asking chinese-calendar day by day (the official 放假/调休 schedule), not
  through kiosk.rules.holidays; a year the package does not know counts weekends only.

Refusal reasons come in two kinds (see ``Standing``): a public code that may appear on a screen anyone
passing can read (``not_offered``), and a private reason and sentence for the citizen's own slip (bad
credit, an earlier false commitment), which reveal something about the person.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from kiosk.catalog import Catalog, CatalogItem, Material

# Statuses in which a result can be printed at a kiosk (again, after a paper jam).
READY_STATUSES = frozenset({"ready", "picked_up"})

PublicReason = Literal["offered", "not_listed", "not_offered"]
PrivateReason = Literal["", "bad_credit", "false_commitment"]
Acceptance = Literal["complete", "waiver", "pledge", "refused"]

# Sentences for the citizen's own slip, never for a public screen or a log.
PRIVATE_DETAIL = {
    "bad_credit": "因申请人有失信记录，本次不能适用告知承诺制，请按办事指南提交全部材料。",
    "false_commitment": "因申请人曾有承诺不实的记录，本次不能适用告知承诺制，请按办事指南提交全部材料。",
}


def parts_of(catalog: Catalog, code: str) -> tuple[CatalogItem, ...]:
    """The items whose rules an application for ``code`` must meet: a bundle and each of its members."""
    item = catalog.item(code)
    if item.kind != "bundle":
        return (item,)
    return (item, *(catalog.item(member) for member in item.bundle_items))


def allows_commitment(catalog: Catalog, code: str) -> bool:
    """告知承诺 is available for an item that lists it; for a bundle, only when every member lists it."""
    item = catalog.item(code)
    if item.kind != "bundle":
        return item.guide.commitment_allowed
    return all(catalog.item(member).guide.commitment_allowed for member in item.bundle_items)


def promised_days(catalog: Catalog, code: str) -> int:
    """The promised time limit: a bundle is done when its slowest part is."""
    return max(part.guide.promised_limit_days for part in parts_of(catalog, code))


def _requirements(parts: Iterable[CatalogItem]) -> dict[str, list[Material]]:
    """Each material name, in first-seen order, with every part's entry for it."""
    by_name: dict[str, list[Material]] = {}
    for part in parts:
        for material in part.guide.materials:
            by_name.setdefault(material.name, []).append(material)
    return by_name


def fetchable(catalog: Catalog, code: str, unshared: Collection[str]) -> list[str]:
    """Materials the platform fetches for this citizen by data sharing: shared by every part that lists it,
    and not one of the citizen's records missing from the sharing platform (``unshared``)."""
    return [name for name, entries in _requirements(parts_of(catalog, code)).items()
            if all(m.shared for m in entries) and name not in unshared]


@dataclass(frozen=True, slots=True)
class Standing:
    """Whether 告知承诺 is offered to this applicant for this item, with the public and the private reason."""

    commitment_allowed: bool
    offered: bool
    public_reason: PublicReason
    private_reason: PrivateReason  # "" when offered or not listed
    private_detail: str  # the sentence for the citizen's own slip

    @property
    def credit_ok(self) -> bool:
        return self.private_reason != "bad_credit"


def standing(catalog: Catalog, code: str, credit_ok: bool, false_commitment: bool) -> Standing:
    allowed = allows_commitment(catalog, code)
    if not allowed:
        return Standing(False, False, "not_listed", "", "")
    # A false commitment is named before bad credit: it is the reason that concerns this very scheme.
    private: PrivateReason = "false_commitment" if false_commitment else "" if credit_ok else "bad_credit"
    if private:
        return Standing(True, False, "not_offered", private, PRIVATE_DETAIL[private])
    return Standing(True, True, "offered", "", "")


@dataclass(frozen=True, slots=True)
class IntakeDecision:
    acceptance: Acceptance
    missing: tuple[str, ...]  # every required material neither brought nor fetched, in catalog order
    blocking: tuple[str, ...]  # the missing ones no commitment can stand in for
    supply_by: dt.date | None  # waiver and pledge: the deadline to supply what is missing


def judge_materials(catalog: Catalog, code: str, present: Iterable[str], fetched: Collection[str],
                    *, pledge: bool, today: dt.date) -> IntakeDecision:
    """Whether an application can be taken in with the materials ``present`` plus those ``fetched``."""
    parts = parts_of(catalog, code)
    at_hand = set(present) | set(fetched)
    missing: list[str] = []
    blocking: list[str] = []
    for name, entries in _requirements(parts).items():
        requiring = [m for m in entries if m.required]
        if not requiring or name in at_hand:
            continue
        missing.append(name)
        if not all(m.waivable or (pledge and m.pledgeable) for m in requiring):
            blocking.append(name)
    if not missing:
        return IntakeDecision("complete", (), (), None)
    if blocking:
        return IntakeDecision("refused", tuple(missing), tuple(blocking), None)
    days = min(part.guide.waiver_supply_days for part in parts)
    return IntakeDecision("pledge" if pledge else "waiver", tuple(missing), (), add_weekdays(today, days))


def add_weekdays(start: dt.date, days: int) -> dt.date:
    """``days`` working days after ``start``: holidays and 调休 from chinese-calendar (a 容缺 deadline set on
    2026-09-30 must not fall inside the National Day holiday), weekends only for a year it does not know."""
    import chinese_calendar

    moment = start
    while days > 0:
        moment += dt.timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(moment)
        except NotImplementedError:  # no schedule published for that year yet
            working = moment.weekday() < 5
        if working:
            days -= 1
    return moment


PickupVerdict = Literal["ok", "not_ready", "not_applicant"]


def judge_pickup(applicant_id_number: str, presented_id_number: str, status: str) -> PickupVerdict:
    """Only the applicant collects at a kiosk; an agent goes to a window where a person checks the
    authorisation. Compared in constant time, upper-case (a typed lower-case x is the same number)."""
    if status not in READY_STATUSES:
        return "not_ready"
    same = hmac.compare_digest(applicant_id_number.strip().upper().encode(),
                               presented_id_number.strip().upper().encode())
    return "ok" if same else "not_applicant"


Role = Literal["legal_representative", "agent"]


def enterprise_role(enterprise: dict, id_number: str) -> Role | None:
    """How this person may act for the enterprise (demo data: citizens.json ``enterprises``), or None."""
    if hmac.compare_digest(str(enterprise.get("legal_representative", "")).encode(), id_number.encode()):
        return "legal_representative"
    if id_number in enterprise.get("agents", ()):
        return "agent"
    return None
