"""材料样本 pictures (issue #17): what a correct material looks like, served by the reference platform.

    GET /v1/catalog/samples/{picture}     -> image/png (a catalog material's ``sample_image``); 404 problem if unknown

The pictures are drawn here with Pillow from demo data (an invented citizen of the demo, the demo's ID number
range), each crossed by a large diagonal "样本" so no one mistakes a print of it for a real document. Each is
drawn once per sandbox process and kept (a few tens of KB each); a real platform serves scanned specimens.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable

from fastapi import APIRouter, Response
from PIL import Image, ImageDraw, ImageFont

from kiosk.sandbox.problems import ProblemError, problem_responses

PNG_MEDIA_TYPE = "image/png"
INK = (30, 30, 30)
FRAME = (120, 90, 60)
_WATERMARK = "样本"
_WATERMARK_FILL = (200, 30, 30, 110)  # translucent red: the document stays readable under it
# The demo's invented citizen (kiosk/demo_props.py, tests/conftest.py DEMO_CITIZEN): never a real person.
_DEMO_NAME = "张建国"
# Masked as every ID number a kiosk shows or prints is: a specimen is printed and shown on a public screen too,
# and a full number on paper is what an ID-number scan of the kiosk's output must never find.
_DEMO_ID = "4101**********2015"


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    from devices.fonts import cjk_face

    face = cjk_face("Bold" if bold else "Regular")
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _watermark(picture: Image.Image, fill: tuple[int, int, int, int] = _WATERMARK_FILL) -> Image.Image:
    """The large diagonal 样本 across the middle of the picture."""
    width, height = picture.size
    size = int(min(width, height) * 0.42)
    layer = Image.new("RGBA", (width * 2, height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    left, top, right, bottom = draw.textbbox((0, 0), _WATERMARK, font=_font(size, bold=True))
    draw.text((width - (right - left) // 2 - left, height - (bottom - top) // 2 - top), _WATERMARK,
              font=_font(size, bold=True), fill=fill)
    layer = layer.rotate(30, resample=Image.Resampling.BICUBIC)
    layer = layer.crop((width // 2, height // 2, width // 2 + width, height // 2 + height))
    return Image.alpha_composite(picture.convert("RGBA"), layer).convert("RGB")


def _household_register() -> Image.Image:
    """居民户口簿 常住人口登记卡 (本人页), filled with the demo citizen."""
    picture = Image.new("RGB", (900, 660), (250, 246, 232))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((16, 16, 883, 643), outline=FRAME, width=4)
    draw.text((450, 60), "常住人口登记卡", font=_font(44, bold=True), fill=INK, anchor="mm")
    rows = (
        (("姓名", _DEMO_NAME), ("户主或与户主关系", "户主")),
        (("性别", "男"), ("民族", "汉")),
        (("出生日期", "1950年03月15日"), ("出生地", "河南省郑州市")),
        (("籍贯", "河南省郑州市"), ("宗教信仰", "无")),
        (("公民身份号码", _DEMO_ID), ("", "")),
        (("文化程度", "高中"), ("婚姻状况", "已婚")),
        (("服务处所", "无"), ("职业", "退休")),
    )
    top, row_height = 110, 64
    for index, ((key_a, value_a), (key_b, value_b)) in enumerate(rows):
        y = top + index * row_height
        draw.line((40, y, 860, y), fill=FRAME, width=2)
        draw.text((52, y + 32), key_a, font=_font(24), fill=FRAME, anchor="lm")
        draw.text((220, y + 32), value_a, font=_font(28), fill=INK, anchor="lm")
        if key_b:
            draw.text((480, y + 32), key_b, font=_font(24), fill=FRAME, anchor="lm")
            draw.text((680, y + 32), value_b, font=_font(26 if len(value_b) > 5 else 28), fill=INK, anchor="lm")
    bottom = top + len(rows) * row_height
    draw.line((40, bottom, 860, bottom), fill=FRAME, width=2)
    draw.text((450, bottom + 40), "承办人签章  登记日期 2010年05月01日", font=_font(24), fill=FRAME, anchor="mm")
    return picture


def _rental_contract() -> Image.Image:
    """房屋租赁合同, its first page: the parties, the house, the term, the rent, the signatures."""
    picture = Image.new("RGB", (640, 860), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((12, 12, 627, 847), outline=(160, 160, 160), width=2)
    draw.text((320, 70), "房屋租赁合同", font=_font(44, bold=True), fill=INK, anchor="mm")
    lines = (
        "出租人（甲方）：李秀兰",
        "承租人（乙方）：" + _DEMO_NAME,
        "房屋坐落：郑州市中原区建设路 18 号",
        "　　　　　3 号楼 2 单元 501 室",
        "租赁期限：2026年01月01日至",
        "　　　　　2026年12月31日",
        "月租金：人民币 1500 元",
        "签订日期：2025年12月20日",
    )
    for index, line in enumerate(lines):
        draw.text((56, 150 + index * 62), line, font=_font(28), fill=INK)
    draw.text((56, 690), "甲方（签字）：李秀兰", font=_font(26), fill=INK)
    draw.text((56, 750), "乙方（签字）：" + _DEMO_NAME, font=_font(26), fill=INK)
    return picture


def _bank_card() -> Image.Image:
    """本人名下一类账户借记卡: the front of a card, ISO ID-1 proportions (85.6 × 54 mm)."""
    picture = Image.new("RGB", (856, 540), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((10, 10, 845, 529), radius=40, fill=(28, 86, 150))
    draw.text((60, 70), "示范银行  借记卡", font=_font(44, bold=True), fill=(255, 255, 255))
    draw.text((60, 130), "DEBIT CARD  一类账户", font=_font(26), fill=(210, 225, 245))
    draw.rounded_rectangle((70, 200, 190, 290), radius=12, fill=(214, 180, 90))  # the chip
    draw.text((60, 340), "6222 0000 0000 0000 123", font=_font(50, bold=True), fill=(255, 255, 255))
    draw.text((60, 430), "持卡人：" + _DEMO_NAME, font=_font(30), fill=(255, 255, 255))
    draw.text((560, 430), "银联", font=_font(44, bold=True), fill=(230, 60, 60))
    return picture


def _couple_photo() -> Image.Image:
    """双方近期半身免冠合影: 2 寸 (35 × 53 mm), red background, two head-and-shoulder outlines side by side."""
    picture = Image.new("RGB", (636, 420), (205, 30, 40))
    draw = ImageDraw.Draw(picture)
    for centre in (200, 436):
        draw.ellipse((centre - 70, 70, centre + 70, 250), fill=(248, 224, 200), outline=INK, width=3)
        draw.pieslice((centre - 150, 250, centre + 150, 560), 180, 360, fill=(250, 250, 250), outline=INK, width=3)
    draw.text((318, 36), "红底 2 寸合影 35×53 毫米", font=_font(24), fill=(255, 255, 255), anchor="mm")
    return picture


_ON_RED = (255, 255, 255, 130)  # a red watermark would vanish on the photo's red background
_DRAWERS: dict[str, Callable[[], Image.Image]] = {
    "household-register.png": _household_register,
    "rental-contract.png": _rental_contract,
    "bank-card.png": _bank_card,
    "couple-photo.png": _couple_photo,
}
SAMPLE_NAMES = frozenset(_DRAWERS)
_drawing = threading.Lock()  # two first requests at once draw a picture once


@functools.cache
def _rendered(name: str) -> bytes:
    buffer = io.BytesIO()
    _watermark(_DRAWERS[name](), _ON_RED if name == "couple-photo.png" else _WATERMARK_FILL).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def sample_png(name: str) -> bytes | None:
    """The PNG of a sample picture, drawn on first use and kept; None for a name the platform has none of."""
    if name not in _DRAWERS:
        return None
    with _drawing:
        return _rendered(name)


def samples_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["catalog"])

    # {picture}, not {name}: "name" in a URL reads as a person's name to anyone auditing the contract for
    # personal data in URLs (tests/test_flows_sandbox.py checks every path parameter).
    @router.get("/catalog/samples/{picture}", response_class=Response, responses={
        200: {"description": "the sample picture, watermarked 样本",
              "content": {PNG_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
        **problem_responses(404)})
    def sample_picture(picture: str) -> Response:
        png = sample_png(picture)
        if png is None:
            raise ProblemError(404, f"no sample picture named {picture!r}; the names are the catalog materials' "
                               "sample_image values", kind="sample-not-found")
        return Response(content=png, media_type=PNG_MEDIA_TYPE, headers={"Cache-Control": "max-age=86400"})

    return router
