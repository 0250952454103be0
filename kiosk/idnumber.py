"""Identity numbers of every legal ID card (GB 11643-1999 layout and check digit): parse, validate, upgrade
15-digit numbers, and say which kind of card a number belongs to.

- Resident ID cards (居民身份证): region code of a province (11..65, 71, 81, 82), birth date, sequence, check.
- Hong Kong / Macau / Taiwan residence permits (港澳台居民居住证, 2018): the same layout with the address code
  810000 (Hong Kong), 820000 (Macau) or 830000 (Taiwan) (《港澳台居民居住证申领发放办法》).
- Foreign permanent-resident ID cards, 2023 version (外国人永久居留身份证): 18 characters, "9" first, then the
  two-digit province code of the accepting authority, the three-digit nationality code (ISO 3166-1 numeric),
  the birth date, a three-digit sequence (odd for men) and the MOD 11-2 check character, "the same check as
  the citizen identity number" (National Immigration Administration, 新版外国人永久居留身份证机读信息规则, 2023).
  The 2017 cards' 15-character numbers (three letters and twelve digits) have no public check rule; they are
  not accepted as typed numbers.

Errors carry a reason a citizen can read on screen (in the UI language, via ``kiosk.i18n``): the message
key names what is wrong (length, check digit, date, region) so the screen can say exactly that.
"""

from __future__ import annotations

import datetime as dt
import enum
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


# Residence permits use these address codes instead of a place of household registration.
PERMIT_REGIONS: dict[str, str] = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾省"}
FOREIGN_PREFIX = "9"


class IdKind(enum.StrEnum):
    """Which card a number belongs to (the same values as ``devices.idreader.card.CardKind``)."""

    RESIDENT = "resident"  # 居民身份证
    HK_MO_TW_PERMIT = "hk_mo_tw_permit"  # 港澳台居民居住证
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证


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
    region_code: str  # six digits (for a foreign permanent resident: "9", province, nationality)
    province: str  # the province of registration, the permit's region, or the accepting province
    kind: IdKind = IdKind.RESIDENT
    nationality_code: str = ""  # ISO 3166-1 numeric, foreign permanent residents only

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
    upgraded = len(number) == 15
    if upgraded:
        if not _digits(number):
            raise IdNumberError("id.error.characters")
        number = upgrade_15_to_18(number)
    if len(number) != 18:
        raise IdNumberError("id.error.length", str(len(number)))
    if not _digits(number[:17]) or not (_digits(number[17]) or number[17] == "X"):
        raise IdNumberError("id.error.characters")
    kind, province = _kind_and_province(number)
    if upgraded and kind is not IdKind.RESIDENT:
        raise IdNumberError("id.error.region")  # only resident cards ever had 15-digit numbers
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
        kind=kind,
        nationality_code=number[3:6] if kind is IdKind.FOREIGN_PERMANENT else "",
    )


def _kind_and_province(number: str) -> tuple[IdKind, str]:
    """The card kind and place of an 18-character number whose characters are already checked."""
    if number.startswith(FOREIGN_PREFIX):
        accepting = PROVINCES.get(number[1:3])
        # 000 is no country, and 156 is China: a Chinese citizen gets a resident card, not a permanent-residence one.
        if accepting is None or number[3:6] in ("000", "156"):
            raise IdNumberError("id.error.region")
        return IdKind.FOREIGN_PERMANENT, accepting
    if number[:2] in ("81", "82", "83"):
        permit_region = PERMIT_REGIONS.get(number[:6])
        if permit_region is not None:
            return IdKind.HK_MO_TW_PERMIT, permit_region
        if number[:2] == "83":  # 83 is never a resident region code
            raise IdNumberError("id.error.region")
    province = PROVINCES.get(number[:2])
    if province is None:
        raise IdNumberError("id.error.region")
    return IdKind.RESIDENT, province


def is_valid_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except IdNumberError:
        return False
    return True


def _legacy_foreign_number(number: str) -> bool:
    """A 2017 foreign permanent-resident card's number: three letters (the nationality) and twelve digits."""
    return len(number) == 15 and number[:3].isascii() and number[:3].isalpha() and _digits(number[3:])


def parse_card_number(
    text: str, kind: str, birth_date: dt.date, sex: str, today: dt.date | None = None
) -> ResidentId:
    """The number read from a card's chip (SAM-authenticated), checked against the kind of card it came from.

    A typed number goes through ``parse_id_number``; a card's number does too, and must then belong to the
    card's kind (a residence permit with a resident number is a damaged or forged chip). The one exception is
    a 2017 foreign permanent-resident card's 15-character number, which has no public check rule: it is taken
    on the chip's word, with the chip's birth date and sex."""
    number = normalise(text)
    if kind == IdKind.FOREIGN_PERMANENT and _legacy_foreign_number(number):
        return ResidentId(
            number=number,
            birth_date=birth_date,
            sex=sex,
            region_code="",
            province="",
            kind=IdKind.FOREIGN_PERMANENT,
            nationality_code=number[:3],
        )
    parsed = parse_id_number(number, today)
    if parsed.kind != kind:
        raise IdNumberError("id.error.card_kind")
    return parsed
