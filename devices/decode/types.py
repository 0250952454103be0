"""What a decoder found, and the one rule for turning a code's raw bytes into text (devices/decode/charset.py)."""

from __future__ import annotations

from dataclasses import dataclass

from devices.decode.charset import read_text


@dataclass(frozen=True, slots=True)
class Detection:
    format: str  # "QR_CODE", "EAN_13", ...
    text: str | None  # the code's text (charset.read_text), or None: its charset could not be told; refuse it
    raw: bytes  # the code's bytes as stored in the symbol
    polygon: tuple[tuple[int, int], ...]  # corners in frame pixels
    rect: tuple[int, int, int, int]  # x, y, width, height (bounding box of polygon)
    charset: str = "unknown"  # how the text was read: "eci", "decoder", "ascii", "utf-8", "gb18030", "cp932", ...

    def __repr__(self) -> str:  # payloads may be ID numbers or identity tokens: never in logs
        return f"Detection({self.format}, {len(self.raw)} bytes, rect={self.rect})"

    __str__ = __repr__


def decode_payload(raw: bytes, decoder_text: str | None = None, *, eci: bool = False) -> str | None:
    """Text of a code's bytes, or None when no reading is clearly the likeliest (see charset.read_text)."""
    return read_text(raw, decoder_text, eci=eci).text


def bounding_rect(polygon: tuple[tuple[int, int], ...]) -> tuple[int, int, int, int]:
    if not polygon:
        return (0, 0, 0, 0)
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
