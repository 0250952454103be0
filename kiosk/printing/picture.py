"""A picture (PNG) as ESC/POS raster bands: scaled to the paper, dithered to black and white dots.

Used for 材料样本 (issue #17): a thermal head burns dots, so grey is made of dot density (Floyd–Steinberg, as
Pillow does it) and the picture is sent as GS v 0 raster images of at most ``BAND_ROWS`` rows each (some printers'
receive buffers hold less than a whole picture).
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from kiosk.printing.escpos import raster_bits  # the one GS v 0 builder (QR codes use it too)

BAND_ROWS = 128
PAPER_WHITE = 225  # grey levels this light print as blank paper
MAX_ROWS = 1600  # 20 cm of paper: a sample picture, not a poster


def dithered(png: bytes, dots_width: int) -> Image.Image:
    """The picture as a 1-bit image ``dots_width`` wide (a multiple of 8), its proportions kept."""
    with Image.open(io.BytesIO(png)) as opened:
        picture = ImageOps.exif_transpose(opened).convert("L")
    height = max(1, min(MAX_ROWS, round(picture.height * dots_width / picture.width)))
    picture = picture.resize((dots_width, height), Image.Resampling.LANCZOS)
    picture = ImageOps.autocontrast(picture, cutoff=1)  # thermal paper shows few greys: use them all
    # A tinted page (cream paper, a pale form) would dither to a field of dots that hides the writing on it.
    picture = picture.point(lambda level: 255 if level >= PAPER_WHITE else level)
    return picture.convert("1", dither=Image.Dither.FLOYDSTEINBERG)


def picture_raster(png: bytes, dots_width: int) -> bytes:
    """GS v 0 bands for the picture at the paper's full printable width."""
    image = dithered(png, dots_width - dots_width % 8)
    xbytes = image.width // 8
    # PIL "1": a set bit is white; ESC/POS: a set bit burns a dot.
    bits = bytes(byte ^ 0xFF for byte in image.tobytes())
    out = bytearray()
    for top in range(0, image.height, BAND_ROWS):
        rows = min(BAND_ROWS, image.height - top)
        out += raster_bits(xbytes, rows, bits[top * xbytes:(top + rows) * xbytes])
    return bytes(out)
