"""ZBar backend through pyzbar's ctypes wrapper, with binary mode on.

pyzbar's ``decode()`` lets ZBar turn QR bytes into text itself, and ZBar guesses Shift-JIS before UTF-8 for QR
codes without an ECI header, which garbles Chinese. With ``ZBAR_CFG_BINARY`` ZBar hands over the bytes
unchanged and ``charset.read_text`` decides. The scanner is created once per decoder (creating it per frame costs
more than a small scan); a decoder is therefore not thread-safe: one per worker thread. ZBar's binary mode
gives no ECI, so its bytes are read by ``charset.read_text`` alone.
"""

from __future__ import annotations

import ctypes

import numpy as np
from pyzbar import wrapper as zw

from devices.decode.charset import read_text
from devices.decode.types import Detection, bounding_rect

# zbar.h (0.23): ZBAR_CFG_BINARY follows ZBAR_CFG_ASCII; pyzbar's enum predates it.
ZBAR_CFG_BINARY = 4
_Y800 = int.from_bytes(b"Y800", "little")
_NAMES = {zw.ZBarSymbol.QRCODE: "QR_CODE", zw.ZBarSymbol.EAN13: "EAN_13", zw.ZBarSymbol.CODE128: "CODE_128"}


class ZBarDecoder:
    name = "zbar"

    def __init__(self, qr_only: bool = True) -> None:
        zw.load_libzbar()
        self._scanner = zw.zbar_image_scanner_create()
        if not self._scanner:
            raise RuntimeError("ZBar: could not create an image scanner (is libzbar0 installed?)")
        if qr_only:
            # Every other symbology costs scan time and invites false reads on a kiosk that only takes QR codes.
            zw.zbar_image_scanner_set_config(self._scanner, 0, zw.ZBarConfig.CFG_ENABLE, 0)
            zw.zbar_image_scanner_set_config(self._scanner, zw.ZBarSymbol.QRCODE, zw.ZBarConfig.CFG_ENABLE, 1)
        zw.zbar_image_scanner_set_config(self._scanner, zw.ZBarSymbol.QRCODE, ZBAR_CFG_BINARY, 1)

    def __del__(self) -> None:
        scanner = getattr(self, "_scanner", None)
        if scanner:
            zw.zbar_image_scanner_destroy(scanner)
            self._scanner = None

    def decode(self, gray: np.ndarray) -> list[Detection]:
        """Decode an 8-bit grayscale image (C-contiguous) and return every symbol found."""
        gray = np.ascontiguousarray(gray, dtype=np.uint8)
        height, width = gray.shape[:2]
        image = zw.zbar_image_create()
        try:
            zw.zbar_image_set_format(image, _Y800)
            zw.zbar_image_set_size(image, width, height)
            zw.zbar_image_set_data(image, gray.ctypes.data_as(ctypes.c_void_p), gray.nbytes, None)
            if zw.zbar_scan_image(self._scanner, image) <= 0:
                return []
            found = []
            symbol = zw.zbar_image_first_symbol(image)
            while symbol:
                raw = ctypes.string_at(
                    zw.zbar_symbol_get_data(symbol), zw.zbar_symbol_get_data_length(symbol)
                )
                points = tuple(
                    (zw.zbar_symbol_get_loc_x(symbol, i), zw.zbar_symbol_get_loc_y(symbol, i))
                    for i in range(zw.zbar_symbol_get_loc_size(symbol))
                )
                symbol_type = symbol.contents.type
                name = _NAMES.get(symbol_type) or getattr(
                    zw.ZBarSymbol(symbol_type), "name", str(symbol_type)
                )
                reading = read_text(raw)
                found.append(Detection(name, reading.text, raw, points, bounding_rect(points), reading.charset))
                symbol = zw.zbar_symbol_next(symbol)
            return found
        finally:
            # No cleanup handler was set, so destroying the image never frees the numpy buffer it points at.
            zw.zbar_image_destroy(image)
