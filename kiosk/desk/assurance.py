"""Which identity an item needs, and the one step that is missing (DESIGN.md "Identity assurance").

Guides and queue tickets need none; personal records (query-and-print), pickups and applications need a
verified identity: the card itself plus a live face the platform matched, or an e-ID code the platform
verified. A typed ID number is only "claimed": an ID number is not a secret."""

from __future__ import annotations

import datetime as dt
import enum

from kiosk.catalog import CatalogItem
from kiosk.session import Citizen, Level

EXPIRY_WARNING_DAYS = 90  # 证照临期提醒: a card expiring within this many days is accepted with a reminder


class Step(enum.StrEnum):
    CARD = "card"  # 请刷身份证 (or show an e-ID code): the identify screen
    FACE = "face"  # 请看向摄像头: the face screen


def required_level(item: CatalogItem | None) -> Level:
    if item is None or not item.needs_identity:
        return Level.NONE
    declared = getattr(item, "identity_level", None)  # the catalog may say so per item
    if declared:
        return Level[declared.upper()]
    return Level.VERIFIED  # personal records and applications: the regulations' default


def missing_step(citizen: Citizen | None, need: Level) -> Step | None:
    """The one step between what the session holds and what is needed (None: nothing missing)."""
    have = citizen.level if citizen is not None else Level.NONE
    if have >= need:
        return None
    if need >= Level.CARD and have < Level.CARD:
        return Step.CARD
    if need == Level.CLAIMED:
        return Step.CARD  # the identify screen also takes a typed number
    return Step.FACE


def card_expiry(valid_until: dt.date | None, today: dt.date | None = None) -> tuple[bool, int | None]:
    """(expired, days left when within the warning period, else None). ``None`` valid_until: 长期."""
    if valid_until is None:
        return False, None
    days = (valid_until - (today or dt.date.today())).days
    if days < 0:
        return True, None
    return False, days if days <= EXPIRY_WARNING_DAYS else None
