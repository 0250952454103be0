"""Resident identity numbers (GB 11643-1999): parse, validate, upgrade 15-digit numbers.

Errors carry a reason a citizen can read on screen (in the UI language, via ``kiosk.i18n``): the message
key names what is wrong (length, check digit, date, region) so the screen can say exactly that.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

# ISO 7064 MOD 11-2 weights for the first 17 digits, and the check character for each remainder.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes (first two digits).
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}


class IdNumberError(ValueError):
    """An ID number that is not valid. ``key`` is the i18n message key; ``detail`` fills it."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str  # normalised, 18 characters, upper-case X
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_code: str  # six digits
    province: str

    def __repr__(self) -> str:  # never print the full number, even in a traceback
        from kiosk.masking import mask_id_number

        return f"ResidentId({mask_id_number(self.number)})"


def _digits(text: str) -> bool:
    # str.isdigit() also accepts "²" and other Unicode digits that int() rejects; only ASCII counts here.
    return text.isascii() and text.isdigit()


def normalise(text: str) -> str:
    """What a citizen or a scanner typed, as the 18 (or 15) characters to check.

    NFKC turns full-width digits and "Ｘ" from a Chinese input method into ASCII; whitespace anywhere (spaces
    in groups, a scanner's trailing CR/LF) is dropped; a lower-case x becomes X.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(folded.split()).upper()


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def upgrade_15_to_18(number15: str) -> str:
    """A 15-digit (pre-1999) number: insert the century '19' and append the check character."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def parse_id_number(text: str, today: dt.date | None = None) -> ResidentId:
    """Return the parsed number or raise IdNumberError with a reason a citizen can read."""
    number = normalise(text)
    if len(number) == 15:
        if not _digits(number):
            raise IdNumberError("id.error.characters")
        number = upgrade_15_to_18(number)
    if len(number) != 18:
        raise IdNumberError("id.error.length", str(len(number)))
    if not _digits(number[:17]) or not (_digits(number[17]) or number[17] == "X"):
        raise IdNumberError("id.error.characters")
    province = PROVINCES.get(number[:2])
    if province is None:
        raise IdNumberError("id.error.region")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("id.error.date") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise IdNumberError("id.error.date")
    if check_character(number[:17]) != number[17]:
        raise IdNumberError("id.error.check_digit")
    return ResidentId(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
        province=province,
    )


def is_valid_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except IdNumberError:
        return False
    return True
