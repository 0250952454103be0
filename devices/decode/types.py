"""What a decoder found, and the one rule for turning a code's raw bytes into text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Detection:
    format: str  # "QR_CODE", "EAN_13", ...
    text: str  # decoded by decode_payload: UTF-8 first, then GB18030
    raw: bytes  # the code's bytes as stored in the symbol
    polygon: tuple[tuple[int, int], ...]  # corners in frame pixels
    rect: tuple[int, int, int, int]  # x, y, width, height (bounding box of polygon)

    def __repr__(self) -> str:  # payloads may be ID numbers or identity tokens: never in logs
        return f"Detection({self.format}, {len(self.raw)} bytes, rect={self.rect})"

    __str__ = __repr__


def decode_payload(raw: bytes) -> str:
    """Text of a code's bytes. QR codes without an ECI header carry no charset: Chinese phones and apps write
    UTF-8, older Chinese systems GB18030 (a superset of GBK/GB2312). UTF-8 is tried first because random GB
    bytes almost never form valid UTF-8, while valid UTF-8 often also decodes (wrongly) as GB18030."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        # Not text in either: keep every byte visible and reversible rather than fail.
        return raw.decode("latin-1")


def bounding_rect(polygon: tuple[tuple[int, int], ...]) -> tuple[int, int, int, int]:
    if not polygon:
        return (0, 0, 0, 0)
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
