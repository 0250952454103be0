"""The resident ID card's base message: the fixed-width UTF-16LE text block, parsed into ``IdCard``.

"Read base message" data is ``TEXT_LEN(2) PHOTO_LEN(2) TEXT(256) PHOTO(1024)`` (lengths big-endian). The
photo is an encrypted WLT blob only a licensed decoder can open; we never decode, keep or log it: it is sliced
past and dropped here. ``encode_base_message`` is the inverse, used by the simulator.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devices.idreader.frames import CardDataError

TEXT_LEN = 256
PHOTO_LEN = 1024

# (field, width in UTF-16 characters), in card order; 128 characters = 256 bytes.
TEXT_FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 15),
    ("sex", 1),
    ("nation", 2),
    ("birth_date", 8),
    ("address", 35),
    ("id_number", 18),
    ("issuer", 15),
    ("valid_from", 8),
    ("valid_until", 8),
    ("reserved", 18),
)
LONG_TERM = "长期"

# GB/T 3304 nationality codes as printed on the card (民族).
# fmt: off
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝", "08": "壮",
    "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白", "15": "土家", "16": "哈尼",
    "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤", "22": "畲", "23": "高山", "24": "拉祜",
    "25": "水", "26": "东乡", "27": "纳西", "28": "景颇", "29": "柯尔克孜", "30": "土", "31": "达斡尔",
    "32": "仫佬", "33": "羌", "34": "布朗", "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯",
    "39": "阿昌", "40": "普米", "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克",
    "46": "德昂", "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他", "98": "外国血统中国籍人士",
}
# fmt: on
SEXES = {"1": "M", "2": "F"}
SEX_LABELS = {"M": "男", "F": "女"}


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    # Local on purpose: devices/ must not import kiosk (kiosk.masking is the one for screens and receipts).
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end :]


@dataclass(frozen=True, slots=True)
class IdCard:
    """What the chip says. Holds personal data: pass it on, never log it; repr/str are masked."""

    name: str
    sex: str  # "M" or "F", as kiosk.idnumber.ResidentId.sex
    nation_code: str  # "01" .. "56", "97", "98"
    birth_date: dt.date
    address: str
    id_number: str  # 18 characters, upper-case X
    issuer: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: long-term (长期)

    @property
    def sex_label(self) -> str:
        return SEX_LABELS[self.sex]

    @property
    def nation(self) -> str:
        return NATIONS.get(self.nation_code, "")

    @property
    def long_term(self) -> bool:
        return self.valid_until is None

    def expired(self, today: dt.date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or dt.date.today())

    def __repr__(self) -> str:
        return f"IdCard(name={_mask(self.name, 1, 0)!r}, id_number={_mask(self.id_number, 4, 4)!r})"

    __str__ = __repr__


def _date(text: str, field: str) -> dt.date:
    if len(text) != 8 or not text.isdigit():
        raise CardDataError(f"card field {field} is not an 8-digit date")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardDataError(f"card field {field} is not a calendar date") from None


def card_from_fields(fields: Mapping[str, str]) -> IdCard:
    """Build an IdCard from the card's text fields (codes as on the chip); errors name the field only."""
    try:
        sex = SEXES[fields["sex"]]
    except KeyError:
        raise CardDataError("card field sex is not 1 or 2") from None
    nation = fields["nation"]
    if len(nation) != 2 or not nation.isdigit():
        raise CardDataError("card field nation is not a 2-digit code")
    number = fields["id_number"].upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise CardDataError("card field id_number is not 18 characters of digits (last may be X)")
    name = fields["name"]
    if not name:
        raise CardDataError("card field name is empty")
    until = fields["valid_until"]
    return IdCard(
        name=name,
        sex=sex,
        nation_code=nation,
        birth_date=_date(fields["birth_date"], "birth_date"),
        address=fields["address"],
        id_number=number,
        issuer=fields["issuer"],
        valid_from=_date(fields["valid_from"], "valid_from"),
        valid_until=None if until == LONG_TERM else _date(until, "valid_until"),
    )


def parse_text_block(text_block: bytes) -> IdCard:
    if len(text_block) != TEXT_LEN:
        raise CardDataError(f"card text block has {len(text_block)} bytes, expected {TEXT_LEN}")
    try:
        text = text_block.decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardDataError("card text block is not UTF-16LE text") from None
    fields: dict[str, str] = {}
    position = 0
    for field, width in TEXT_FIELDS:
        # Cards pad with spaces; some readers pad with NULs. Strip both.
        fields[field] = text[position : position + width].strip(" \x00")
        position += width
    return card_from_fields(fields)


def parse_base_message(data: bytes) -> IdCard:
    """Parse the data of a successful "read base message" response; the photo is skipped, never kept."""
    if len(data) < 4:
        raise CardDataError(f"base message has {len(data)} bytes; it needs at least the two lengths")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_LEN:
        raise CardDataError(f"base message text length is {text_len}, expected {TEXT_LEN}")
    if len(data) < 4 + text_len + photo_len:
        raise CardDataError(f"base message has {len(data)} bytes, shorter than its lengths say")
    return parse_text_block(data[4 : 4 + text_len])


# --- the other direction, for the simulator -------------------------------------------------------------------

CARD_FILE_FIELDS = (
    "name",
    "sex",
    "nation",
    "birth_date",
    "address",
    "id_number",
    "issuer",
    "valid_from",
    "valid_until",
)


def load_card_file(path: str | Path) -> dict[str, str]:
    """A JSON card file: the text fields as on the chip (sex "1"/"2", nation "01", dates YYYYMMDD or 长期)."""
    with Path(path).open(encoding="utf-8") as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict):
        raise ValueError(
            f"{path}: a card file holds one JSON object with the fields {', '.join(CARD_FILE_FIELDS)}"
        )
    missing = [name for name in CARD_FILE_FIELDS if name not in raw]
    if missing:
        raise ValueError(f"{path}: card file lacks {', '.join(missing)}")
    return {name: str(raw[name]) for name in CARD_FILE_FIELDS}


def encode_text_block(fields: Mapping[str, str]) -> bytes:
    text = []
    for field, width in TEXT_FIELDS:
        value = str(fields.get(field, ""))
        if len(value) > width:
            raise ValueError(f"card field {field} is longer than {width} characters")
        text.append(value.ljust(width))
    return "".join(text).encode("utf-16-le")


def encode_base_message(fields: Mapping[str, str], photo: bytes = bytes(PHOTO_LEN)) -> bytes:
    return TEXT_LEN.to_bytes(2, "big") + len(photo).to_bytes(2, "big") + encode_text_block(fields) + photo
