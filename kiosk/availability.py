"""Which services this kiosk can offer right now, given its devices: the home screen's "available /
partly available / unavailable" state, in the spirit of the self-service standards' device availability.

Only devices listed in ``[devices] required`` drive it (a fault of any other device shows in diagnostics and
is handled where it is used, e.g. the identify screen falls back to typing). The rules:

- printer down: every item whose result is printed at the kiosk (``query_print`` items and items delivered
  ``print_now``) is unavailable, as is a bundle containing one; other applications still work, but their
  acceptance receipt cannot be printed (the receipt number is shown on screen instead);
- ID card reader down: identifying by card is unavailable; typing the ID number (or a QR code) still works;
- camera or scanner down: scanning QR codes is unavailable unless another configured code reader works;
- nothing left to offer (every item unavailable): the kiosk as a whole is unavailable.

A device configured as "none" but listed as required counts as down. Pure functions, no I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devices.status import DeviceState, DeviceStatus

if TYPE_CHECKING:  # annotations only: the home screen asks before the catalog (and pydantic models) load (#16)
    from kiosk.catalog import Catalog, CatalogItem

KEY_PREFIX = "availability"


class Level(enum.StrEnum):
    AVAILABLE = "available"
    LIMITED = "limited"  # some services or ways of identifying are unavailable
    UNAVAILABLE = "unavailable"


class Feature(enum.StrEnum):
    RECEIPT_PRINT = "receipt_print"
    ID_CARD = "id_card"
    QR_SCAN = "qr_scan"


@dataclass(frozen=True, slots=True)
class Message:
    """A citizen-facing message: an i18n key (kiosk/locale/*/maintenance.toml) and its values."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Availability:
    level: Level
    down: tuple[str, ...]  # required devices that are down, e.g. ("printer",)
    unavailable_items: dict[str, str]  # item code -> reason key
    unavailable_features: dict[Feature, str]  # feature -> reason key
    messages: tuple[Message, ...]  # for the home screen, most important first

    @property
    def available(self) -> bool:
        return self.level is not Level.UNAVAILABLE

    @property
    def message(self) -> Message | None:
        return self.messages[0] if self.messages else None

    def item_available(self, code: str) -> bool:
        return code not in self.unavailable_items

    def feature_available(self, feature: Feature | str) -> bool:
        return Feature(feature) not in self.unavailable_features

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "down": list(self.down),
            "unavailable_items": dict(self.unavailable_items),
            "unavailable_features": {f.value: key for f, key in self.unavailable_features.items()},
            "messages": [{"key": m.key, "values": dict(m.values)} for m in self.messages],
        }


# A status, a state name ("ok" / "degraded" / "fault" / "disabled"), or None for a disabled device.
StateLike = DeviceStatus | DeviceState | str | None


def is_down(state: StateLike) -> bool:
    if state is None:
        return True
    if isinstance(state, DeviceStatus):
        return DeviceState(state.state) is DeviceState.FAULT
    return str(state) in (DeviceState.FAULT.value, "disabled")


def prints_result_here(item: CatalogItem) -> bool:
    return item.kind == "query_print" or "print_now" in item.guide.delivery


def assess(
    states: Mapping[str, StateLike],
    required: Iterable[str],
    catalog: Catalog | None = None,
) -> Availability:
    """What is unavailable and why. ``states``: every configured device by name (absent = not configured);
    ``required``: the names from ``[devices] required``; ``catalog``: the items offered (None: not loaded yet,
    only features are judged)."""
    required = tuple(required)
    down = tuple(name for name in required if is_down(states.get(name, "disabled")))
    items: dict[str, str] = {}
    features: dict[Feature, str] = {}
    if "printer" in down:
        features[Feature.RECEIPT_PRINT] = f"{KEY_PREFIX}.reason.printer"
        if catalog is not None:
            items.update({i.code: f"{KEY_PREFIX}.reason.printer" for i in catalog.items if prints_result_here(i)})
    if "idreader" in down:
        features[Feature.ID_CARD] = f"{KEY_PREFIX}.reason.idreader"
    code_readers = [name for name in ("camera", "scanner") if name in states and states[name] is not None]
    if any(name in down for name in ("camera", "scanner")) and all(is_down(states[n]) for n in code_readers):
        features[Feature.QR_SCAN] = f"{KEY_PREFIX}.reason.qr"
    if catalog is not None:
        # A bundle ("one thing, one go") is only as available as every item in it.
        for item in catalog.items:
            if item.kind == "bundle" and any(code in items for code in item.bundle_items):
                items.setdefault(item.code, f"{KEY_PREFIX}.reason.bundle")
    everything_down = catalog is not None and len(catalog.items) > 0 and len(items) == len(catalog.items)
    if everything_down:
        level = Level.UNAVAILABLE
    elif items or features:
        level = Level.LIMITED
    else:
        level = Level.AVAILABLE
    return Availability(level, down, items, features, _messages(level, items, features, catalog is not None))


def _messages(level: Level, items: dict[str, str], features: dict[Feature, str],
              counted: bool) -> tuple[Message, ...]:
    if level is Level.UNAVAILABLE:
        return (Message(f"{KEY_PREFIX}.home.unavailable"),)
    messages = []
    if Feature.RECEIPT_PRINT in features:
        # Without a catalog (not loaded yet) there is no count to give; "0 services" would be wrong.
        messages.append(Message(f"{KEY_PREFIX}.home.no_printer", {"count": len(items)}) if counted
                        else Message(f"{KEY_PREFIX}.home.no_printer_any"))
    if Feature.ID_CARD in features:
        key = "no_card_reader" if Feature.QR_SCAN not in features else "no_card_reader_no_qr"
        messages.append(Message(f"{KEY_PREFIX}.home.{key}"))
    elif Feature.QR_SCAN in features:
        messages.append(Message(f"{KEY_PREFIX}.home.no_qr"))
    return tuple(messages)
