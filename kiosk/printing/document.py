"""A printable document, independent of any printer language: what to print, not how.

Builders (kiosk.printing.documents) produce these; the ESC/POS renderer (kiosk.printing.escpos) turns them into
bytes for a given paper width. Keeping bytes out of here lets the same receipt go to a 58 mm or an 80 mm printer,
and lets tests talk about "the receipt number line" rather than byte offsets.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Title:
    """Centred, bold, double height and width (falls back to normal width if a word would not fit)."""

    text: str


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph, wrapped to the paper width. ``scale`` n = n times width and height (1-8).

    ``indent`` columns of space start every line (left-aligned text), so a wrapped line stays under its first.
    """

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    scale: int = 1
    indent: int = 0


@dataclass(frozen=True, slots=True)
class KeyValue:
    """``key：value``; a long value wraps under itself, not under the key. ``tall`` prints the value bold at
    double height (same width, so it wraps as before): a receipt number or a deadline the citizen must find on
    the slip at a glance (issue #13)."""

    key: str
    value: str
    bold_value: bool = False
    tall: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Columns sized to their content, each cell wrapped inside its column; numbers may align right."""

    headers: Sequence[str]
    rows: Sequence[Sequence[str]]
    align: Sequence[Align] = ()


@dataclass(frozen=True, slots=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code the phone or the kiosk's own scanner can read back; ``caption`` prints under it."""

    data: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Barcode:
    """CODE128 with the human-readable text under it (queue tickets)."""

    data: str
    height_dots: int = 80


@dataclass(frozen=True, slots=True)
class Picture:
    """A PNG printed centred across the paper's width, dithered to dots (kiosk.printing.picture): 材料样本."""

    png: bytes


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    """Feed the last line past the cutter, then cut (partially: the slip does not fall to the floor)."""

    feed_lines: int = 4


Element = Title | Text | KeyValue | Table | Separator | QrCode | Barcode | Picture | Feed | Cut


@dataclass(slots=True)
class Document:
    elements: list[Element] = field(default_factory=list)
    name: str = ""  # for logs and file names ("acceptance-receipt"); never personal data

    def add(self, *elements: Element) -> Document:
        self.elements.extend(elements)
        return self
