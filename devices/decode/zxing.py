"""zxing-cpp backend. ``Barcode.bytes`` gives the raw content and ``Barcode.text`` (plain mode) zxing-cpp's own
reading, which honours ECI headers and the Kanji / Hanzi segment modes; ``charset.read_text`` takes that where
the symbol says the charset and otherwise arbitrates between GB18030 and zxing-cpp's guess (Shift_JIS or
ISO-8859-1), so both backends agree on Chinese payloads without ECI and Japanese ones are not garbled."""

from __future__ import annotations

import numpy as np
import zxingcpp

from devices.decode.charset import read_text
from devices.decode.types import Detection, bounding_rect

_NAMES = {"QRCode": "QR_CODE", "EAN13": "EAN_13", "Code128": "CODE_128"}
# ISO/IEC 18004 symbology identifiers ]Q2, ]Q4 and ]Q6: the QR code has an ECI header.
_QR_ECI_MODIFIERS = frozenset("246")


def has_eci(symbology_identifier: str) -> bool:
    return (
        len(symbology_identifier) == 3
        and symbology_identifier[:2] == "]Q"
        and symbology_identifier[2] in _QR_ECI_MODIFIERS
    )


class ZxingDecoder:
    name = "zxing"

    def __init__(self, qr_only: bool = True, try_invert: bool = False, try_downscale: bool = True) -> None:
        self._formats = zxingcpp.BarcodeFormat.QRCode if qr_only else zxingcpp.BarcodeFormat.NONE
        # Inversion and downscaling are the pipeline's job (it knows when they are worth it); they stay
        # switchable for the "bare zxing" baseline in the benchmark.
        self._try_invert = try_invert
        self._try_downscale = try_downscale

    def decode(self, gray: np.ndarray) -> list[Detection]:
        return self.decode_with_misses(gray)[0]

    def decode_region(self, gray: np.ndarray) -> list[Detection]:
        """A small region enlarged for a second look: one scale only (the pyramid would shrink it back)."""
        return self._read(gray, try_downscale=False)[0]

    def decode_with_misses(self, gray: np.ndarray) -> tuple[list[Detection], list[tuple[int, int, int, int]]]:
        """The codes read, and the rectangles (x, y, w, h) of symbols zxing-cpp located (finder patterns and
        grid found) but could not decode: where a second, closer look may succeed."""
        return self._read(gray, try_downscale=self._try_downscale)

    def _read(self, gray: np.ndarray, *, try_downscale: bool) -> tuple[list[Detection], list[tuple[int, int, int, int]]]:
        barcodes = zxingcpp.read_barcodes(
            gray,
            formats=self._formats,
            try_rotate=True,
            try_downscale=try_downscale,
            try_invert=self._try_invert,
            text_mode=zxingcpp.TextMode.Plain,  # the transcoded text, without HRI formatting of GS1 content
            return_errors=True,
        )
        found = []
        misses = []
        for barcode in barcodes:
            position = barcode.position
            points = tuple(
                (int(p.x), int(p.y))
                for p in (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
            )
            if not barcode.valid:
                misses.append(bounding_rect(points))
                continue
            raw = bytes(barcode.bytes)
            name = barcode.format.name
            reading = read_text(raw, barcode.text, eci=has_eci(barcode.symbology_identifier))
            found.append(
                Detection(_NAMES.get(name, name), reading.text, raw, points, bounding_rect(points), reading.charset)
            )
        return found, misses
