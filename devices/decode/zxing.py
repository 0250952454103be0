"""zxing-cpp backend. ``Barcode.bytes`` gives the raw content; ``decode_payload`` turns it into text, so both
backends agree on Chinese payloads without ECI."""

from __future__ import annotations

import numpy as np
import zxingcpp

from devices.decode.types import Detection, bounding_rect, decode_payload

_NAMES = {"QRCode": "QR_CODE", "EAN13": "EAN_13", "Code128": "CODE_128"}


class ZxingDecoder:
    name = "zxing"

    def __init__(self, qr_only: bool = True, try_invert: bool = False, try_downscale: bool = True) -> None:
        self._formats = zxingcpp.BarcodeFormat.QRCode if qr_only else zxingcpp.BarcodeFormat.NONE
        # Inversion and downscaling are the pipeline's job (it knows when they are worth it); they stay
        # switchable for the "bare zxing" baseline in the benchmark.
        self._try_invert = try_invert
        self._try_downscale = try_downscale

    def decode(self, gray: np.ndarray) -> list[Detection]:
        barcodes = zxingcpp.read_barcodes(
            gray,
            formats=self._formats,
            try_rotate=True,
            try_downscale=self._try_downscale,
            try_invert=self._try_invert,
        )
        found = []
        for barcode in barcodes:
            raw = bytes(barcode.bytes)
            position = barcode.position
            points = tuple(
                (int(p.x), int(p.y))
                for p in (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
            )
            name = barcode.format.name
            found.append(
                Detection(_NAMES.get(name, name), decode_payload(raw), raw, points, bounding_rect(points))
            )
        return found
