"""Interpret the ESC/POS subset the kiosk emits and draw what a thermal printer would put on paper.

Used by the virtual printer (``sim://``) and ``kiosk receipt-render``. It follows printer behaviour where a
citizen would see a difference: Chinese text only in Chinese mode (FS &), otherwise bytes >= 0x80 are code page
437 glyphs (the garbage a real printer prints when the mode command is missing); lines wrap at the paper edge;
ESC a aligns whole lines; QR codes and barcodes are drawn from the data the printer received.
Commands outside the subset are skipped by their known length, or by one byte if unknown, and counted.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
ASCII_CELL = (12, 24)  # font A: 12 x 24 dots
CJK_CELL = (24, 24)
DEFAULT_LINE_SPACING = 32
_MONO_FONTS = (
    Path("/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
)
# ESC/GS/FS commands we do not draw but whose parameter byte count is fixed: skip them whole.
_ESC_PARAMS = {ord(c): n for c, n in {" ": 1, "-": 1, "G": 1, "J": 1, "M": 1, "R": 1, "t": 1, "V": 1, "{": 1,
                                        "c": 2, "p": 3, "$": 2, "\\": 2, "U": 1, "=": 1, "%": 1, "r": 1}.items()}
_GS_PARAMS = {ord(c): n for c, n in {"B": 1, "L": 2, "W": 2, "b": 1, "a": 1, "P": 2, "I": 1, "r": 1}.items()}
_FS_PARAMS = {ord(c): n for c, n in {"!": 1, "-": 1, "C": 1, "S": 2, "W": 1, "p": 2}.items()}


class NotEscposError(ValueError):
    """The bytes are not an ESC/POS print job (empty, or mostly unknown control bytes)."""


@dataclass(slots=True)
class RenderStats:
    commands: int = 0
    unknown: int = 0
    text_bytes: int = 0
    qr_codes: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    cuts: int = 0
    lines: list[str] = field(default_factory=list)  # the text of every printed line, for search and tests
    edge_wraps: int = 0  # lines the printer had to break at the paper edge: the layout overflowed


@dataclass(slots=True)
class _Style:
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1


@dataclass(slots=True)
class _Glyph:
    char: str
    wide: bool
    style: _Style


class _Paper:
    """Accumulates printed bands (lines, codes, cut marks) top to bottom."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.bands: list[Image.Image] = []

    def add(self, band: Image.Image) -> None:
        self.bands.append(band)

    def feed(self, dots: int) -> None:
        if dots > 0:
            self.bands.append(Image.new("L", (self.width, dots), 255))

    def image(self) -> Image.Image:
        height = max(1, sum(b.height for b in self.bands))
        out = Image.new("L", (self.width, height), 255)
        y = 0
        for band in self.bands:
            out.paste(band, (0, y))
            y += band.height
        return out


@functools.cache
def _cjk_font() -> ImageFont.FreeTypeFont:
    from devices.fonts import cjk_face

    face = cjk_face()
    return ImageFont.truetype(str(face.path), 22, index=face.index)


@functools.cache
def _ascii_font() -> ImageFont.FreeTypeFont:
    for path in _MONO_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), 20)
    return _cjk_font()


@functools.cache
def _glyph(char: str, wide: bool, bold: bool) -> Image.Image:
    cell = CJK_CELL if wide else ASCII_CELL
    image = Image.new("L", cell, 255)
    draw = ImageDraw.Draw(image)
    font = _cjk_font() if wide or not char.isascii() else _ascii_font()
    left, top, right, bottom = font.getbbox(char)
    x = (cell[0] - (right - left)) // 2 - left
    y = (cell[1] - (font.getbbox("国")[3] - font.getbbox("国")[1])) // 2 - font.getbbox("国")[1]
    for dx in (0, 1) if bold else (0,):  # emphasis on a thermal head is a double strike one dot over
        draw.text((x + dx, y), char, font=font, fill=0)
    return image


class Interpreter:
    def __init__(self, width_dots: int = 576) -> None:
        self.width = width_dots
        self.paper = _Paper(width_dots)
        self.stats = RenderStats()
        self._reset()
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = "M"

    def _reset(self) -> None:
        self.style = _Style()
        self.align = 0
        self.chinese = False
        self.line: list[_Glyph] = []
        self.line_x = 0
        self.spacing = DEFAULT_LINE_SPACING
        self.bar_height = 162
        self.bar_width = 3
        self.hri = 0

    # -- text ---------------------------------------------------------------------------------------------
    def _put(self, char: str, wide: bool) -> None:
        style = _Style(self.style.bold, self.style.underline, self.style.width, self.style.height)
        advance = (CJK_CELL[0] if wide else ASCII_CELL[0]) * style.width
        if self.line_x + advance > self.width:  # the printer wraps at the edge of the print area
            self.stats.edge_wraps += 1
            self._print_line()
        self.line.append(_Glyph(char, wide, style))
        self.line_x += advance

    def _print_line(self, feed_empty: bool = True) -> None:
        if not self.line:
            if feed_empty:
                self.paper.feed(self.spacing)
            return
        self.stats.lines.append("".join(g.char for g in self.line))
        text_height = max(CJK_CELL[1] * g.style.height for g in self.line)
        band = Image.new("L", (self.width, max(self.spacing, text_height + 6)), 255)
        x = {0: 0, 1: (self.width - self.line_x) // 2, 2: self.width - self.line_x}[self.align]
        for g in self.line:
            glyph = _glyph(g.char, g.wide, g.style.bold)
            if g.style.width > 1 or g.style.height > 1:
                glyph = glyph.resize((glyph.width * g.style.width, glyph.height * g.style.height), Image.NEAREST)
            top = text_height - glyph.height  # characters of mixed size share a baseline
            band.paste(glyph, (x, top))
            if g.style.underline:
                ImageDraw.Draw(band).line((x, top + glyph.height, x + glyph.width, top + glyph.height), fill=0)
            x += glyph.width
        self.paper.add(band)
        self.line, self.line_x = [], 0

    # -- codes ----------------------------------------------------------------------------------------------
    def _place(self, image: Image.Image) -> None:
        self._print_line(feed_empty=False)
        band = Image.new("L", (self.width, image.height), 255)
        x = {0: 0, 1: (self.width - image.width) // 2, 2: self.width - image.width}[self.align]
        band.paste(image, (max(0, x), 0))
        self.paper.add(band)

    def _print_qr(self) -> None:
        import qrcode

        levels = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
                  "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
        code = qrcode.QRCode(error_correction=levels[self._qr_ec], box_size=self._qr_module, border=0)
        code.add_data(self._qr_data)
        code.make(fit=True)
        size = len(code.get_matrix()) * self._qr_module
        image = Image.new("L", (size, size), 255)
        draw = ImageDraw.Draw(image)
        for r, row in enumerate(code.get_matrix()):
            for c, dark in enumerate(row):
                if dark:
                    m = self._qr_module
                    draw.rectangle((c * m, r * m, c * m + m - 1, r * m + m - 1), fill=0)
        self.stats.qr_codes.append(self._qr_data.decode("utf-8", "replace"))
        self._place(image)

    def _print_barcode(self, kind: int, data: bytes) -> None:
        text = data.decode("latin-1")
        if kind == 73 and len(text) >= 2 and text[0] == "{" and text[1] in "ABC":
            text = text[2:]  # code set selector, not data
        self.stats.barcodes.append(text)
        try:
            from barcode.codex import Code128

            modules = Code128(text).build()[0]
        except Exception:  # python-barcode missing or data it rejects: draw plain stripes, data is in HRI
            modules = "11010010000" + "".join(f"{b:08b}" for b in data) + "1100011101011"
        w = self.bar_width
        hri_h = 28 if self.hri in (2, 3, 50, 51) else 0
        image = Image.new("L", (min(self.width, len(modules) * w), self.bar_height + hri_h), 255)
        draw = ImageDraw.Draw(image)
        for i, bit in enumerate(modules):
            if bit == "1":
                draw.rectangle((i * w, 0, i * w + w - 1, self.bar_height - 1), fill=0)
        if hri_h:
            font = _ascii_font()
            draw.text((image.width // 2, self.bar_height + 2), text, font=font, fill=0, anchor="mt")
        self._place(image)

    def _print_raster(self, xbytes: int, rows: int, bits: bytes, scale: tuple[int, int]) -> None:
        image = Image.frombytes("1", (xbytes * 8, rows), bits.ljust(xbytes * rows, b"\0"))
        image = Image.eval(image.convert("L"), lambda v: 255 - v)  # ESC/POS 1 = burn (black); PIL "1" 1 = white
        if scale != (1, 1):
            image = image.resize((image.width * scale[0], image.height * scale[1]), Image.NEAREST)
        self._place(image.crop((0, 0, min(image.width, self.width), image.height)))

    def _cut(self) -> None:
        self._print_line(feed_empty=False)
        band = Image.new("L", (self.width, 24), 255)
        draw = ImageDraw.Draw(band)
        for x in range(0, self.width, 16):
            draw.line((x, 12, x + 8, 12), fill=0, width=2)
        self.paper.add(band)
        self.stats.cuts += 1

    # -- the byte loop ------------------------------------------------------------------------------------
    def feed_bytes(self, data: bytes) -> None:
        i, n = 0, len(data)
        while i < n:
            b = data[i]
            if b == 0x0A:
                self._print_line()
                i += 1
            elif b in (0x0D, 0x00):
                i += 1
            elif b == 0x09:
                for _ in range(8 - (self.line_x // ASCII_CELL[0]) % 8):
                    self._put(" ", False)
                i += 1
            elif b == ESC:
                i = self._esc(data, i)
            elif b == GS:
                i = self._gs(data, i)
            elif b == FS:
                i = self._fs(data, i)
            elif b == DLE and i + 2 < n and data[i + 1] == 0x04:
                self.stats.commands += 1  # real-time status request: answered by the printer, prints nothing
                i += 3
            elif b < 0x20 or b == 0x7F:
                self.stats.unknown += 1
                i += 1
            else:
                i = self._text(data, i)

    def _text(self, data: bytes, i: int) -> int:
        b = data[i]
        if b < 0x80:
            self._put(chr(b), False)
            self.stats.text_bytes += 1
            return i + 1
        if not self.chinese:
            self._put(bytes([b]).decode("cp437"), False)
            self.stats.text_bytes += 1
            return i + 1
        # GB18030: a lead byte 0x81-0xFE, then either one trail byte or (digit, lead, digit) for 4-byte forms.
        size = 4 if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39 else 2
        chunk = data[i:i + size]
        try:
            char = chunk.decode("gb18030")
        except UnicodeDecodeError:
            char, size = "\ufffd", 1
        self._put(char, True)
        self.stats.text_bytes += size
        return i + size

    def _esc(self, data: bytes, i: int) -> int:
        if i + 1 >= len(data):
            return len(data)
        c, arg = data[i + 1], data[i + 2] if i + 2 < len(data) else 0
        self.stats.commands += 1
        if c == ord("@"):
            self._print_line(feed_empty=False)
            self._reset()
            return i + 2
        if c == ord("a"):
            self.align = {48: 0, 49: 1, 50: 2}.get(arg, arg if arg in (0, 1, 2) else 0)
        elif c in (ord("E"), ord("G")):
            self.style.bold = bool(arg & 1)
        elif c == ord("-"):
            self.style.underline = bool(arg & 3)
        elif c == ord("!"):
            self.style = _Style(bool(arg & 8), bool(arg & 0x80), 2 if arg & 0x20 else 1, 2 if arg & 0x10 else 1)
        elif c == ord("d"):  # print the buffer, then feed n lines in all
            had_text = bool(self.line)
            self._print_line(feed_empty=False)
            for _ in range(arg - 1 if had_text else arg):
                self._print_line()
        elif c == ord("J"):
            self._print_line(feed_empty=False)
            self.paper.feed(arg)
        elif c == ord("2"):
            self.spacing = DEFAULT_LINE_SPACING
            return i + 2
        elif c == ord("3"):
            self.spacing = arg
        elif c in _ESC_PARAMS:
            return i + 2 + _ESC_PARAMS[c]
        else:
            self.stats.commands -= 1
            self.stats.unknown += 1
            return i + 2
        return i + 3

    def _gs(self, data: bytes, i: int) -> int:
        if i + 1 >= len(data):
            return len(data)
        c = data[i + 1]
        arg = data[i + 2] if i + 2 < len(data) else 0
        self.stats.commands += 1
        if c == ord("!"):
            self.style.width, self.style.height = (arg >> 4 & 7) + 1, (arg & 7) + 1
            return i + 3
        if c == ord("("):  # GS ( X pL pH ...: a length-prefixed function
            if i + 4 >= len(data):
                return len(data)
            length = data[i + 3] | data[i + 4] << 8
            body = data[i + 5:i + 5 + length]
            if data[i + 2] == ord("k") and len(body) >= 2 and body[0] == 49:
                self._qr_function(body[1], body[2:])
            return i + 5 + length
        if c == ord("v") and arg in (0, 48):  # GS v 0 m xL xH yL yH d...
            header = data[i + 3:i + 8]
            if len(header) < 5:
                return len(data)
            m, xbytes, rows = header[0], header[1] | header[2] << 8, header[3] | header[4] << 8
            bits = data[i + 8:i + 8 + xbytes * rows]
            scale = {0: (1, 1), 1: (2, 1), 2: (1, 2), 3: (2, 2)}.get(m & 3, (1, 1))
            self._print_raster(xbytes, rows, bits, scale)
            return i + 8 + xbytes * rows
        if c == ord("k"):
            if arg <= 6:  # m 0-6: NUL-terminated data
                end = data.find(b"\0", i + 3)
                end = len(data) if end < 0 else end
                self._print_barcode(arg, data[i + 3:end])
                return end + 1
            length = data[i + 3] if i + 3 < len(data) else 0
            self._print_barcode(arg, data[i + 4:i + 4 + length])
            return i + 4 + length
        if c == ord("h"):
            self.bar_height = arg or 162
        elif c == ord("w"):
            self.bar_width = max(1, min(arg, 6))
        elif c == ord("H"):
            self.hri = arg
        elif c == ord("f"):
            pass
        elif c == ord("V"):  # cut; m 65/66 (and 97/98, 103/104) carry a feed amount n
            self._cut()
            return i + 4 if arg >= 65 else i + 3
        elif c in _GS_PARAMS:
            return i + 2 + _GS_PARAMS[c]
        else:
            self.stats.commands -= 1
            self.stats.unknown += 1
            return i + 2
        return i + 3

    def _qr_function(self, fn: int, params: bytes) -> None:
        if fn == 67 and params:
            self._qr_module = max(1, min(params[0], 16))
        elif fn == 69 and params:
            self._qr_ec = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(params[0], "M")
        elif fn == 80 and params:
            self._qr_data = params[1:]  # first byte is m = 48
        elif fn == 81 and self._qr_data:
            self._print_qr()

    def _fs(self, data: bytes, i: int) -> int:
        if i + 1 >= len(data):
            return len(data)
        c = data[i + 1]
        self.stats.commands += 1
        if c == ord("&"):
            self.chinese = True
            return i + 2
        if c == ord("."):
            self.chinese = False
            return i + 2
        if c in _FS_PARAMS:
            return i + 2 + _FS_PARAMS[c]
        self.stats.commands -= 1
        self.stats.unknown += 1
        return i + 2

    def finish(self) -> Image.Image:
        self._print_line(feed_empty=False)
        return self.paper.image()


def interpret(data: bytes, width_dots: int = 576) -> tuple[Image.Image, RenderStats]:
    """Render ``data``; raise NotEscposError if it does not look like a print job."""
    if not data:
        raise NotEscposError("the file is empty")
    interpreter = Interpreter(width_dots)
    interpreter.feed_bytes(data)
    stats = interpreter.stats
    if stats.commands == 0 and stats.unknown > 0 or stats.unknown > max(8, stats.commands):
        raise NotEscposError(
            f"this does not look like ESC/POS: {stats.unknown} unknown control bytes against "
            f"{stats.commands} known commands"
        )
    return interpreter.finish(), stats


def render_escpos(data: bytes, width_dots: int = 576) -> Image.Image:
    """The printed paper as a greyscale image ``width_dots`` wide (384 for 58 mm, 576 for 80 mm)."""
    return interpret(data, width_dots)[0]
