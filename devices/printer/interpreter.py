"""Interpret the ESC/POS subset the kiosk emits and draw what a thermal printer would put on paper.

Used by the virtual printer (``sim://``) and ``kiosk receipt-render``. It follows printer behaviour where a
citizen would see a difference: Chinese text only in Chinese mode (FS &), otherwise bytes >= 0x80 are code page
437 glyphs (the garbage a real printer prints when the mode command is missing); lines wrap at the paper edge;
ESC a aligns whole lines; QR codes and barcodes are drawn from the data the printer received.
Commands outside the subset are skipped by their known length, or by one byte if unknown, and counted.

Every size is bounded, because the bytes may be crafted (a file handed to ``kiosk receipt-render``, or whatever
reaches the virtual printer): a job is at most ``MAX_JOB_BYTES``, the paper at most ``MAX_PAPER_DOTS`` long, a
raster image no wider than the paper and at most ``MAX_IMAGE_DOTS`` tall, a barcode at most 255 bytes, at most
``MAX_CODES`` QR codes and barcodes and ``MAX_QR_BYTES_PER_JOB`` bytes of QR data per job. Anything refused, truncated or undrawable raises ``EscposError``
with the byte offset of the command; nothing else escapes, and the byte loop always advances, so it cannot hang.
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


MAX_JOB_BYTES = 1 << 20  # a receipt is under 2 KB; a raster-heavy slip a few tens of KB
MAX_PAPER_DOTS = 16_000  # 2 m of paper at 8 dots/mm: no kiosk slip is longer
# The blank above a slip's first line (a real head prints a little below the cut edge). Drawn on the picture
# only, not counted as paper used; without it the first line touched the image's top edge and looked cut.
TOP_MARGIN_DOTS = 8
MAX_IMAGE_DOTS = 4_000  # one raster image at most 50 cm tall
MAX_BARCODE_BYTES = 255
MAX_QR_BYTES = 2_953  # the most a QR symbol (version 40-L, byte mode) holds
MAX_CODES = 8  # QR codes + barcodes per job (a slip has one or two)
MAX_QR_BYTES_PER_JOB = 3_000  # QR data encoded per job: a full symbol takes the pure-Python encoder ~1 s


class EscposError(ValueError):
    """The one error for bytes the interpreter refuses: where (byte offset) and what is wrong."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"byte {offset} (0x{offset:x}): {reason}")
        self.offset = offset
        self.reason = reason


class NotEscposError(EscposError):
    """The bytes are not an ESC/POS print job (empty, or mostly unknown control bytes)."""

    def __init__(self, reason: str) -> None:
        super().__init__(0, reason)


class TruncatedError(EscposError):
    """The bytes end inside a command: a printer would wait for the rest; a file is incomplete."""


class _Refused(Exception):
    """Raised inside a command; ``Interpreter.step`` turns it into an EscposError at the command's offset."""


class _Truncated(_Refused):
    pass


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
        self.height = 0  # dots of paper used so far

    def add(self, band: Image.Image) -> None:
        if self.height + band.height > MAX_PAPER_DOTS:
            raise _Refused(f"the job needs more than {MAX_PAPER_DOTS} dots ({MAX_PAPER_DOTS // 8} mm) of paper; "
                           "no kiosk slip is that long")
        self.bands.append(band)
        self.height += band.height

    def feed(self, dots: int) -> None:
        if dots > 0:
            self.add(Image.new("L", (self.width, dots), 255))

    def take(self) -> list[Image.Image]:
        """Hand over the bands printed so far and start a new strip (the virtual printer's output per run)."""
        bands, self.bands, self.height = self.bands, [], 0
        return bands

    def image(self) -> Image.Image:
        height = TOP_MARGIN_DOTS + sum(b.height for b in self.bands)
        out = Image.new("L", (self.width, height), 255)
        y = TOP_MARGIN_DOTS
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


@functools.lru_cache(maxsize=2048)  # bounded: crafted text could name every GB18030 character
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
        self._codes = 0  # QR codes and barcodes drawn (bounded: each costs real time)
        self._qr_bytes = 0  # QR data encoded so far in this job

    def new_job(self) -> None:
        """Start the per-job budgets and figures afresh (the virtual printer interprets job after job with one
        engine; its figures kept every line ever printed, ~19 strings a citizen for as long as the kiosk ran)."""
        self._codes = 0
        self._qr_bytes = 0
        self.stats = RenderStats()

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

    def _count_code(self) -> None:
        self._codes += 1
        if self._codes > MAX_CODES:
            raise _Refused(f"more than {MAX_CODES} QR codes and barcodes in one job")

    def _print_qr(self) -> None:
        import numpy
        import zxingcpp  # a native encoder: a slip's code in ~0.2 ms (pure-Python qrcode took ~15 ms)

        self._count_code()
        self._qr_bytes += len(self._qr_data)
        if self._qr_bytes > MAX_QR_BYTES_PER_JOB:
            raise _Refused(f"more than {MAX_QR_BYTES_PER_JOB} bytes of QR data in one job; a slip's QR holds a "
                           "short link or number")
        try:
            code = zxingcpp.create_barcode(self._qr_data, zxingcpp.BarcodeFormat.QRCode, ec_level=self._qr_ec)
        except (ValueError, RuntimeError) as exc:  # too long for a symbol at this level, or not encodable
            raise _Refused(f"QR data of {len(self._qr_data)} bytes does not fit a QR symbol at level "
                           f"{self._qr_ec} ({exc})") from None
        image = Image.fromarray(numpy.asarray(code.to_image(scale=self._qr_module, add_quiet_zones=False)), "L")
        self.stats.qr_codes.append(self._qr_data.decode("utf-8", "replace"))
        self._place(image)

    def _print_barcode(self, kind: int, data: bytes) -> None:
        self._count_code()
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
            # HRI is printed from the data's printable ASCII only; control bytes must not reach the text layout.
            hri = "".join(c if c.isascii() and c.isprintable() else "?" for c in text)
            draw.text((image.width // 2, self.bar_height + 2), hri, font=font, fill=0, anchor="mt")
        self._place(image)

    def _print_raster(self, xbytes: int, rows: int, bits: bytes, scale: tuple[int, int]) -> None:
        if xbytes == 0 or rows == 0:
            return  # an empty image prints nothing
        image = Image.frombytes("1", (xbytes * 8, rows), bits)
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
        """Interpret a whole job; raises EscposError (TruncatedError if it ends inside a command)."""
        i = 0
        while i < len(data):
            i = self.step(data, i)

    def step(self, data: bytes, i: int) -> int:
        """Interpret the one command (or character) at ``data[i]``; return the offset after it.

        Always returns more than ``i``. Raises EscposError naming offset ``i``; TruncatedError when the command
        needs bytes past the end of ``data`` (the virtual printer then waits for more).
        """
        try:
            end = self._step(data, i)
        except _Truncated as exc:
            raise TruncatedError(i, str(exc)) from None
        except _Refused as exc:
            raise EscposError(i, str(exc)) from None
        except EscposError:
            raise
        except Exception as exc:  # a drawing library refusing odd input: still one typed error, with the offset
            raise EscposError(i, f"cannot draw this command ({type(exc).__name__}: {exc})") from None
        if end <= i:  # the loop must advance whatever the bytes say
            raise EscposError(i, "command does not advance")
        return end

    def _step(self, data: bytes, i: int) -> int:
        b = data[i]
        if b == 0x0A:
            self._print_line()
            return i + 1
        if b in (0x0D, 0x00):
            return i + 1
        if b == 0x09:
            for _ in range(8 - (self.line_x // ASCII_CELL[0]) % 8):
                self._put(" ", False)
            return i + 1
        if b == ESC:
            return self._esc(data, i)
        if b == GS:
            return self._gs(data, i)
        if b == FS:
            return self._fs(data, i)
        if b == DLE and i + 2 < len(data) and data[i + 1] == 0x04:
            self.stats.commands += 1  # real-time status request: answered by the printer, prints nothing
            return i + 3
        if b == DLE and i + 2 < len(data) and data[i + 1] == 0x14 and data[i + 2] == 0x08:
            self.stats.commands += 1  # real-time "clear buffers": acted on by the printer, prints nothing
            return min(len(data), i + 10)
        if b < 0x20 or b == 0x7F:
            self.stats.unknown += 1
            return i + 1
        return self._text(data, i)

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
                raise _Truncated("GS ( command ends before its length bytes")
            length = data[i + 3] | data[i + 4] << 8
            if i + 5 + length > len(data):
                raise _Truncated(f"GS ( {chr(data[i + 2]) if 32 < data[i + 2] < 127 else hex(data[i + 2])} "
                                 f"announces {length} bytes, {len(data) - i - 5} follow")
            body = data[i + 5:i + 5 + length]
            if data[i + 2] == ord("k") and len(body) >= 2 and body[0] == 49:
                self._qr_function(body[1], body[2:])
            return i + 5 + length
        if c == ord("v") and arg in (0, 48):  # GS v 0 m xL xH yL yH d...
            header = data[i + 3:i + 8]
            if len(header) < 5:
                raise _Truncated("GS v 0 raster header is incomplete")
            m, xbytes, rows = header[0], header[1] | header[2] << 8, header[3] | header[4] << 8
            scale = {0: (1, 1), 1: (2, 1), 2: (1, 2), 3: (2, 2)}.get(m & 3, (1, 1))
            # Check the sizes the header claims before touching (or allocating) anything of that size.
            if xbytes * 8 * scale[0] > self.width:
                raise _Refused(f"raster image is {xbytes * 8 * scale[0]} dots wide; the paper has {self.width}")
            if rows * scale[1] > MAX_IMAGE_DOTS:
                raise _Refused(f"raster image is {rows * scale[1]} dots tall; at most {MAX_IMAGE_DOTS} are printed")
            size = xbytes * rows
            if i + 8 + size > len(data):
                raise _Truncated(f"raster image needs {size} bytes of dots, {len(data) - i - 8} follow")
            self._print_raster(xbytes, rows, data[i + 8:i + 8 + size], scale)
            return i + 8 + size
        if c == ord("k"):
            if arg <= 6:  # m 0-6: NUL-terminated data
                end = data.find(b"\0", i + 3, i + 4 + MAX_BARCODE_BYTES)
                if end < 0:
                    if len(data) < i + 4 + MAX_BARCODE_BYTES:
                        raise _Truncated("barcode data has no NUL terminator before the end")
                    raise _Refused(f"barcode data has no NUL terminator within {MAX_BARCODE_BYTES} bytes")
                self._print_barcode(arg, data[i + 3:end])
                return end + 1
            if i + 3 >= len(data):
                raise _Truncated("GS k ends before its length byte")
            length = data[i + 3]
            if i + 4 + length > len(data):
                raise _Truncated(f"barcode announces {length} bytes, {len(data) - i - 4} follow")
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
            if len(params) - 1 > MAX_QR_BYTES:
                raise _Refused(f"QR data of {len(params) - 1} bytes; a QR symbol holds at most {MAX_QR_BYTES}")
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

    def finish(self, offset: int = 0) -> Image.Image:
        """Print what is left in the line buffer and return the paper; ``offset`` (the job's length) names
        where a refusal happened."""
        try:
            self._print_line(feed_empty=False)
        except _Refused as exc:
            raise EscposError(offset, str(exc)) from None
        return self.paper.image()


def interpret(data: bytes, width_dots: int = 576) -> tuple[Image.Image, RenderStats]:
    """Render ``data``; raise EscposError (NotEscposError if it does not look like a print job at all)."""
    if not data:
        raise NotEscposError("the file is empty")
    if len(data) > MAX_JOB_BYTES:
        raise EscposError(MAX_JOB_BYTES, f"the job is {len(data)} bytes; a print job is at most {MAX_JOB_BYTES}")
    interpreter = Interpreter(width_dots)
    interpreter.feed_bytes(data)
    stats = interpreter.stats
    if stats.commands == 0 and stats.unknown > 0 or stats.unknown > max(8, stats.commands):
        raise NotEscposError(
            f"this does not look like ESC/POS: {stats.unknown} unknown control bytes against "
            f"{stats.commands} known commands"
        )
    return interpreter.finish(len(data)), stats


def render_escpos(data: bytes, width_dots: int = 576) -> Image.Image:
    """The printed paper as a greyscale image ``width_dots`` wide (384 for 58 mm, 576 for 80 mm)."""
    return interpret(data, width_dots)[0]
