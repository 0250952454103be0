"""The one renderer: Document + PrinterProfile -> ESC/POS bytes.

Chinese is sent as GB18030 text for the printer's own font, inside Chinese mode (FS & ... FS .), not as raster
images: a receipt stays under 2 KB and prints in under 3 s even on a 9600-baud serial line (DESIGN.md budget).
python-escpos sends GB18030 without the mode command, which prints garbage on printers that start in code page
mode, so the text part is written here; python-escpos's command constants are used where they fit.
Every style command is emitted only when the style changes, because each byte costs ~1 ms at 9600 baud.
"""

from __future__ import annotations

from escpos.constants import ESC, FS, GS, PAPER_PART_CUT

from kiosk.printing import layout
from kiosk.printing.document import (
    Align,
    Barcode,
    Cut,
    Document,
    Element,
    Feed,
    KeyValue,
    Picture,
    QrCode,
    Separator,
    Table,
    Text,
    Title,
)
from kiosk.printing.profiles import PrinterProfile

INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
_ALIGN = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}
QR_EC = {"L": 48, "M": 49, "Q": 50, "H": 51}


def qr_function(fn: int, params: bytes) -> bytes:
    """GS ( k pL pH cn fn params, with cn = 49 (QR). pL/pH count cn, fn and the params."""
    length = len(params) + 2
    if length > 0xFFFF:
        raise ValueError("QR data too long for one GS ( k command")
    return GS + b"(k" + bytes([length & 0xFF, length >> 8, 49, fn]) + params


def qr_native(data: bytes, module_dots: int, ec: str = "M") -> bytes:
    """Model 2, module size, error correction, store (m = 48), print: five GS ( k functions."""
    if not 1 <= module_dots <= 16:
        raise ValueError("QR module size must be 1-16 dots")
    return (
        qr_function(65, bytes([50, 0]))  # fn 65: model 2
        + qr_function(67, bytes([module_dots]))  # fn 67: module size in dots
        + qr_function(69, bytes([QR_EC[ec]]))  # fn 69: error correction level
        + qr_function(80, b"0" + data)  # fn 80: store the data (m = 48)
        + qr_function(81, b"0")  # fn 81: print the stored symbol
    )


def qr_matrix(data: bytes, ec: str = "M") -> list[list[bool]]:
    """The symbol's modules, row by row, dark = True.

    zxing-cpp's encoder (native, ~0.2 ms a receipt's code): the pure-Python qrcode package took ~17 ms with the
    GIL held, on the printer's thread just as the result screen arrives (issue #16)."""
    import numpy as np
    import zxingcpp

    try:
        symbol = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=ec)
    except (ValueError, RuntimeError) as exc:  # zxing-cpp refuses data that fits no symbol at this level
        raise ValueError(f"QR data of {len(data)} bytes does not fit a QR symbol at level {ec}: {exc}") from None
    pixels = np.asarray(symbol.to_image(scale=1, add_quiet_zones=False))
    return (pixels < 128).tolist()


def qr_module_dots(data: bytes, profile: PrinterProfile, ec: str = "M") -> int:
    """Module size so the symbol is about ``qr_target_dots`` wide: small codes get big modules, scan easily."""
    modules = len(qr_matrix(data, ec))
    return max(3, min(8, profile.qr_target_dots // modules))


def raster(rows: list[list[bool]], module_dots: int = 1) -> bytes:
    """GS v 0 (normal density) for a bit matrix, each cell scaled to ``module_dots`` x ``module_dots``."""
    width = len(rows[0]) * module_dots if rows else 0
    xbytes = (width + 7) // 8
    body = bytearray()
    for row in rows:
        bits = "".join(("1" if dark else "0") * module_dots for dark in row).ljust(xbytes * 8, "0")
        line = int(bits, 2).to_bytes(xbytes, "big") if bits else b""
        body += line * module_dots
    return raster_bits(xbytes, len(rows) * module_dots, bytes(body))


def raster_bits(xbytes: int, rows: int, bits: bytes) -> bytes:
    """GS v 0 (normal density) for rows of packed dots, ``xbytes`` bytes a row, a set bit burnt."""
    return GS + b"v0\x00" + bytes([xbytes & 0xFF, xbytes >> 8, rows & 0xFF, rows >> 8]) + bits


def code128(data: str, height_dots: int, max_dots: int) -> bytes:
    """GS k 73 with code set B, HRI below; module width 2-3 dots, as wide as fits the paper."""
    if not data or not data.isascii() or not data.isprintable():
        raise ValueError(f"CODE128 (code set B) needs printable ASCII, got {data!r}")
    payload = b"{B" + data.encode("ascii")
    if len(payload) > 255:
        raise ValueError("barcode data too long")
    modules = (len(data) + 3) * 11 + 2 + 20  # start + data + check + stop, plus quiet zones
    module_width = min(3, max_dots // modules)
    if module_width < 2:  # GS w accepts 2-6; one-dot bars do not scan off thermal paper anyway
        raise ValueError(f"barcode {data!r} is too long for {max_dots} dots; shorten it")
    return (
        GS + b"h" + bytes([max(1, min(255, height_dots))])
        + GS + b"w" + bytes([module_width])
        + GS + b"H\x02"  # human-readable text below the bars
        + GS + b"f\x00"
        + GS + b"k" + bytes([73, len(payload)]) + payload
    )


class EscposRenderer:
    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        self.out = bytearray()
        self._align = Align.LEFT
        self._bold = False
        self._scale = (1, 1)  # (width, height) magnification
        self._chinese = False

    def render(self, document: Document) -> bytes:
        self.out += INIT
        for element in document.elements:
            self._element(element)
        if self._chinese:
            self.out += CHINESE_OFF  # leave the printer as we found it for whatever prints next
        return bytes(self.out)

    # -- state, emitted only on change --------------------------------------------------------------------
    def _set(self, align: Align = Align.LEFT, bold: bool = False, scale: tuple[int, int] = (1, 1)) -> None:
        if align is not self._align:
            self.out += ESC + b"a" + bytes([_ALIGN[align]])
            self._align = align
        if bold != self._bold:
            self.out += ESC + b"E" + bytes([int(bold)])
            self._bold = bold
        if scale != self._scale:
            self.out += GS + b"!" + bytes([(scale[0] - 1) << 4 | (scale[1] - 1)])
            self._scale = scale

    def _line(self, text: str) -> None:
        if not text.isascii() and not self._chinese:
            self.out += CHINESE_ON
            self._chinese = True
        self.out += text.encode("gb18030") + b"\n"

    def _lines(self, lines: list[str], align: Align = Align.LEFT, bold: bool = False,
               scale: tuple[int, int] = (1, 1)) -> None:
        self._set(align, bold, scale)
        for line in lines:
            self._line(line.rstrip() if align is Align.LEFT else line)

    # -- elements -----------------------------------------------------------------------------------------
    def _element(self, element: Element) -> None:
        columns = self.profile.columns
        match element:
            case Title(text=text):
                # Double size if it fits on one line; otherwise double height only, which keeps a long
                # Chinese title prominent without breaking it into fragments.
                if layout.text_columns(text) <= columns // 2:
                    self._lines([text], Align.CENTER, True, (2, 2))
                else:
                    self._lines(layout.wrap(text, columns), Align.CENTER, True, (1, 2))
            case Text(text=text, align=align, bold=bold, scale=scale, indent=indent):
                if not 1 <= scale <= 8:
                    raise ValueError(f"text scale {scale}: printers magnify 1 to 8 times")
                lines = layout.wrap(text, columns // scale - indent)
                self._lines([" " * indent + line for line in lines], align, bold, (scale, scale))
            case KeyValue(key=key, value=value, bold_value=bold_value, tall=tall):
                self._key_value(key, value, bold_value or tall, (1, 2) if tall else (1, 1))
                if tall:
                    self._set()  # back to normal size at once: the next line never inherits the double height
            case Table():
                self._lines(self._table(element))
            case Separator(char=char):
                self._lines([char * (columns // layout.text_columns(char))])
            case QrCode(data=data, caption=caption):
                self._qr(data)
                if caption:
                    self._lines(layout.wrap(caption, columns), Align.CENTER)
            case Barcode(data=data, height_dots=height):
                self._set(Align.CENTER)
                self.out += code128(data, height, self.profile.dots_width) + b"\n"
            case Picture(png=png):
                from kiosk.printing.picture import picture_raster  # Pillow, only for a job with a picture

                self._set(Align.CENTER)
                self.out += picture_raster(png, self.profile.dots_width) + b"\n"
            case Feed(lines=lines):
                self._set()
                self.out += ESC + b"d" + bytes([max(0, min(lines, 255))])
            case Cut(feed_lines=feed):
                self._set()
                self.out += ESC + b"d" + bytes([feed])
                if self.profile.cut:
                    self.out += PAPER_PART_CUT
                else:
                    self.out += ESC + b"d" + bytes([3])  # tear-off edge needs the slip further out
            case _:
                raise TypeError(f"cannot print {type(element).__name__}")

    def _key_value(self, key: str, value: str, bold_value: bool, scale: tuple[int, int] = (1, 1)) -> None:
        """``scale`` (width, height) applies to the value only; only double height is used, so the width
        and the wrapping stay those of normal text."""
        columns = self.profile.columns
        label = f"{key}：" if not key.isascii() else f"{key}: "
        indent = layout.text_columns(label)
        if indent > columns // 2:
            # A long label: the value goes on its own lines, indented, instead of a one-character column.
            self._lines(layout.wrap(label, columns))
            self._lines(["  " + line for line in layout.wrap(value, columns - 2)], bold=bold_value, scale=scale)
            return
        lines = layout.wrap(value, columns - indent) or [""]
        self._set()
        if bold_value:
            # Only the value is emphasised: label, then bold (and size) on for the value within the same line.
            self._line_no_newline(label)
            self._set(bold=True, scale=scale)
            self._line(lines[0])
            for line in lines[1:]:
                self._line(" " * indent + line)
            return
        self._line(label + lines[0])
        for line in lines[1:]:
            self._line(" " * indent + line)

    def _line_no_newline(self, text: str) -> None:
        if not text.isascii() and not self._chinese:
            self.out += CHINESE_ON
            self._chinese = True
        self.out += text.encode("gb18030")

    def _table(self, table: Table) -> list[str]:
        columns = self.profile.columns
        count = len(table.headers)
        aligns = list(table.align) + [Align.LEFT] * (count - len(table.align))
        natural = [
            max([layout.text_columns(table.headers[c])] + [layout.text_columns(row[c]) for row in table.rows])
            for c in range(count)
        ]
        widths = _fit_widths(natural, columns - (count - 1))
        lines: list[str] = []
        for row in [list(table.headers), *[list(r) for r in table.rows]]:
            cells = [layout.wrap(row[c], widths[c]) for c in range(count)]
            for k in range(max(len(cell) for cell in cells)):
                parts = [layout.pad(cell[k] if k < len(cell) else "", widths[c], aligns[c])
                         for c, cell in enumerate(cells)]
                lines.append(" ".join(parts).rstrip())
        header_height = max(len(layout.wrap(h, widths[c])) for c, h in enumerate(table.headers))
        lines.insert(header_height, "-" * columns)
        return lines

    def _qr(self, data: str) -> None:
        payload = data.encode("utf-8")  # phones decode QR byte mode as UTF-8
        module = qr_module_dots(payload, self.profile)
        self._set(Align.CENTER)
        self.out += b"\n"  # a blank line above and below is the quiet zone scanners need
        if self.profile.native_qr:
            self.out += qr_native(payload, module)
        else:
            self.out += raster(qr_matrix(payload), module)
        self.out += b"\n"


def _fit_widths(natural: list[int], available: int) -> list[int]:
    """Shrink the widest columns first until the row fits; every column keeps room for one Chinese character."""
    widths = list(natural)
    while sum(widths) > available:
        widest = max(range(len(widths)), key=lambda c: widths[c])
        if widths[widest] <= 2:
            raise ValueError(f"a table with {len(widths)} columns does not fit in {available} columns")
        widths[widest] -= 1
    return widths


def render(document: Document, profile: PrinterProfile) -> bytes:
    return EscposRenderer(profile).render(document)
