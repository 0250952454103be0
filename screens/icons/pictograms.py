"""The pictograms as simple vector drawings (Pillow ImageDraw), rendered to PNG at build time.

One style for all: a 48-unit grid, round-capped strokes 3.5 units thick, no fills except small dots, white
on transparent. Drawn at 8x and scaled down for smooth edges. Run ``python -m screens.icons.pictograms`` to
write ``<name>.png`` (256 px) beside this file after changing a drawing.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

GRID = 48
STROKE = 3.5
SUPERSAMPLE = 8
WHITE = (255, 255, 255, 255)


class Pen:
    """Draws in grid units on a supersampled canvas."""

    def __init__(self, size: int) -> None:
        self.scale = size * SUPERSAMPLE / GRID
        self.image = Image.new("RGBA", (size * SUPERSAMPLE, size * SUPERSAMPLE), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)
        self.width = max(1, round(STROKE * self.scale))

    def _p(self, *points: float) -> list[float]:
        return [value * self.scale for value in points]

    def line(self, *points: float) -> None:
        scaled = self._p(*points)
        self.draw.line(scaled, fill=WHITE, width=self.width, joint="curve")
        radius = self.width / 2  # round caps
        for x, y in zip(scaled[::2], scaled[1::2], strict=True):
            self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)

    def rect(self, x0: float, y0: float, x1: float, y1: float, radius: float = 3) -> None:
        self.draw.rounded_rectangle(self._p(x0, y0, x1, y1), radius=radius * self.scale, outline=WHITE,
                                    width=self.width)

    def circle(self, cx: float, cy: float, r: float) -> None:
        self.draw.ellipse(self._p(cx - r, cy - r, cx + r, cy + r), outline=WHITE, width=self.width)

    def dot(self, cx: float, cy: float, r: float) -> None:
        self.draw.ellipse(self._p(cx - r, cy - r, cx + r, cy + r), fill=WHITE)

    def arc(self, cx: float, cy: float, r: float, start: float, end: float) -> None:
        self.draw.arc(self._p(cx - r, cy - r, cx + r, cy + r), start, end, fill=WHITE, width=self.width)

    def polyline(self, points: list[tuple[float, float]], closed: bool = False) -> None:
        flat = [v for point in points + (points[:1] if closed else []) for v in point]
        self.line(*flat)

    def result(self, size: int) -> Image.Image:
        return self.image.resize((size, size), Image.Resampling.LANCZOS)


def _shield(pen: Pen) -> None:
    pen.polyline([(24, 5), (40, 10), (40, 24)])
    pen.arc(24, 24, 16, 0, 90)
    pen.arc(24, 24, 16, 90, 180)
    pen.polyline([(8, 24), (8, 10), (24, 5)])


def shebao(pen: Pen) -> None:
    """社保: a shield with a person in it (insurance that protects a person)."""
    _shield(pen)
    pen.circle(24, 18, 5)
    pen.arc(24, 37, 10, 205, 335)


def yibao(pen: Pen) -> None:
    """医保: a card with a medical cross."""
    pen.rect(6, 10, 42, 38, 4)
    pen.line(24, 16, 24, 32)
    pen.line(16, 24, 32, 24)


def gongjijin(pen: Pen) -> None:
    """公积金: a house with a coin (money saved for housing)."""
    pen.polyline([(5, 22), (20, 8), (35, 22)])
    pen.polyline([(10, 18), (10, 38), (21, 38)])
    pen.circle(33, 33, 9.5)
    pen.polyline([(29, 28), (33, 33), (37, 28)])  # ¥
    pen.line(33, 33, 33, 39)
    pen.line(29.5, 34.5, 36.5, 34.5)


def shuiwu(pen: Pen) -> None:
    """税务: a form with a percent sign."""
    pen.polyline([(10, 5), (30, 5), (38, 13), (38, 43), (10, 43)], closed=True)
    pen.line(17, 35, 31, 17)
    pen.circle(18, 19, 2.5)
    pen.circle(30, 33, 2.5)


def budongchan(pen: Pen) -> None:
    """不动产: a building with windows."""
    pen.rect(12, 6, 36, 43, 2)
    for row in (14, 22, 30):
        pen.dot(19, row, 2.2)
        pen.dot(29, row, 2.2)
    pen.line(20, 43, 20, 36, 28, 36, 28, 43)
    pen.line(5, 43, 43, 43)


def zhengxin(pen: Pen) -> None:
    """征信: a gauge (a credit score read off a meter)."""
    pen.arc(24, 30, 18, 180, 360)
    pen.line(6, 30, 10, 30)
    pen.line(38, 30, 42, 30)
    angle = math.radians(-50)
    pen.line(24, 30, 24 + 13 * math.cos(angle), 30 + 13 * math.sin(angle))
    pen.dot(24, 30, 3)
    pen.line(12, 40, 36, 40)


def huji(pen: Pen) -> None:
    """户籍: the household register booklet (户口本) with a person on it."""
    pen.rect(10, 5, 38, 43, 3)
    pen.line(15, 5, 15, 43)
    pen.circle(27, 17, 4.5)
    pen.arc(27, 33, 8, 205, 335)
    pen.line(21, 37, 33, 37)


def minzheng(pen: Pen) -> None:
    """民政: a heart held in a hand (care and support)."""
    heart = []
    for step in range(0, 61):
        t = 2 * math.pi * step / 60
        x = 16 * math.sin(t) ** 3
        y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
        heart.append((24 + x * 0.62, 16 - y * 0.62))
    pen.polyline(heart)
    pen.polyline([(5, 30), (12, 30), (20, 36), (30, 36), (38, 32), (43, 32)])
    pen.line(12, 42, 36, 42)


def qita(pen: Pen) -> None:
    """Any other item (卫健, 一件事 …): a sheet of paper with lines of text (an office guide)."""
    pen.polyline([(11, 5), (29, 5), (37, 13), (37, 43), (11, 43)], closed=True)
    for row in (18, 26, 34):
        pen.line(17, row, 31, row)


def gengduo(pen: Pen) -> None:
    """更多事项: four tiles, one of them a plus (more items than these)."""
    pen.rect(6, 6, 21, 21, 3)
    pen.rect(27, 6, 42, 21, 3)
    pen.rect(6, 27, 21, 42, 3)
    pen.line(34.5, 27, 34.5, 42)
    pen.line(27, 34.5, 42, 34.5)


DRAWINGS: dict[str, Callable[[Pen], None]] = {
    "shebao": shebao, "yibao": yibao, "gongjijin": gongjijin, "shuiwu": shuiwu,
    "budongchan": budongchan, "zhengxin": zhengxin, "huji": huji, "minzheng": minzheng,
    "qita": qita, "gengduo": gengduo,
}


def render(name: str, size: int = 256) -> Image.Image:
    pen = Pen(size)
    DRAWINGS[name](pen)
    return pen.result(size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the category pictograms to PNG.")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent, help="folder for the PNGs")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet (dark background) here")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    images = {}
    for name in DRAWINGS:
        images[name] = render(name, args.size)
        images[name].save(args.out / f"{name}.png", optimize=True)
    if args.sheet:
        sheet = Image.new("RGBA", (args.size * 4, args.size * ((len(images) + 3) // 4)), (23, 84, 166, 255))
        for index, image in enumerate(images.values()):
            sheet.alpha_composite(image, ((index % 4) * args.size, (index // 4) * args.size))
        sheet.save(args.sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
