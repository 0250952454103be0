"""The ID card's base message: the fixed-width UTF-16LE text block, parsed into ``IdCard``, for every card a
GA 467 reader reads: resident ID cards, Hong Kong/Macau/Taiwan residence permits and foreign permanent-resident
ID cards.

"Read base message" data is ``TEXT_LEN(2) PHOTO_LEN(2) TEXT(256) PHOTO(1024)``; "read base message with
fingerprint" adds ``FP_LEN(2)`` after the photo length and the fingerprint data (2 x 512 bytes, or none) after
the photo (lengths big-endian). The photo is an encrypted WLT blob only a licensed decoder can open, and the
fingerprints are biometric templates only the reader's fingerprint module can compare: we never decode, keep
or log either; they are sliced past and dropped here. ``encode_*`` are the inverse, used by the simulator.

The text block's layout depends on the card; the character at byte offset 248 says which one:

- blank (space or NUL): resident ID card, GA/T 490: name 30, sex 2, nation 4, birth date 16, address 70,
  number 36, issuing authority 30, valid from 16, valid until 16, reserved 36 (bytes).
- ``J``: Hong Kong/Macau/Taiwan residence permit (港澳台居民居住证机读信息规范, 2018): as the resident card, but
  the nation field is reserved and the last 36 bytes hold the travel-permit number (通行证号码) 18, the issue
  count (签发次数) 4, reserved 6, the card type ``J`` 2, reserved 6.
- ``I``: foreign permanent-resident ID card, 2017 version (外国人永久居留身份证芯片机读数据项): English name 120,
  sex 2, number 30 (15 characters), nationality code 6 (GB/T 2659, ISO 3166-1 alpha-3), Chinese name 30,
  valid from 16, valid until 16, birth date 16, card version 4, accepting-authority code 8, card type ``I`` 2,
  reserved 6.

Sources: the published data-item tables of GA/T 490 (as reproduced on wiki.nfc.im's 二代居民身份证 page), the
2017 foreign permanent-resident card table (as reproduced by reader vendors, e.g. afzhan.com news 212938, and
the PERSONINFO struct of yechangpeng/Paperless's Centerm/IDCardDef.h), and the 2018 residence-permit layout as
reader SDKs document it. The 2023 foreign permanent-resident card (18-digit numbers starting with 9) uses a
layout we found no public table for; such a card is reported as unreadable with its type character.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from devices.idreader.frames import CardDataError

TEXT_LEN = 256
PHOTO_LEN = 1024
FINGERPRINT_LEN = 1024  # two fingerprint templates of 512 bytes
ADDRESS_LEN = 70  # "read latest address" answer: 35 UTF-16 characters
CARD_TYPE_OFFSET = 248  # bytes into the text block
LONG_TERM = "长期"


class CardKind(enum.StrEnum):
    """Which card was on the reader (the same values as ``kiosk.idnumber.IdKind``)."""

    RESIDENT = "resident"  # 居民身份证
    HK_MO_TW_PERMIT = "hk_mo_tw_permit"  # 港澳台居民居住证, type character J
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证, type character I


TYPE_CHARACTERS: dict[str, CardKind] = {
    " ": CardKind.RESIDENT,
    "\x00": CardKind.RESIDENT,
    "J": CardKind.HK_MO_TW_PERMIT,
    "I": CardKind.FOREIGN_PERMANENT,
}

# (field, width in UTF-16 characters), in card order; 128 characters = 256 bytes each.
TEXT_FIELDS: tuple[tuple[str, int], ...] = (  # resident ID card
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
PERMIT_FIELDS: tuple[tuple[str, int], ...] = (  # J: Hong Kong/Macau/Taiwan residence permit
    ("name", 15),
    ("sex", 1),
    ("reserved1", 2),
    ("birth_date", 8),
    ("address", 35),
    ("id_number", 18),
    ("issuer", 15),
    ("valid_from", 8),
    ("valid_until", 8),
    ("pass_number", 9),
    ("issue_count", 2),
    ("reserved2", 3),
    ("card_type", 1),
    ("reserved3", 3),
)
FOREIGN_FIELDS: tuple[tuple[str, int], ...] = (  # I: foreign permanent-resident ID card (2017)
    ("english_name", 60),
    ("sex", 1),
    ("id_number", 15),
    ("nationality", 3),
    ("name", 15),
    ("valid_from", 8),
    ("valid_until", 8),
    ("birth_date", 8),
    ("card_version", 2),
    ("authority_code", 4),
    ("card_type", 1),
    ("reserved", 3),
)
LAYOUTS: dict[CardKind, tuple[tuple[str, int], ...]] = {
    CardKind.RESIDENT: TEXT_FIELDS,
    CardKind.HK_MO_TW_PERMIT: PERMIT_FIELDS,
    CardKind.FOREIGN_PERMANENT: FOREIGN_FIELDS,
}

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
PERMIT_PREFIXES = ("810000", "820000", "830000")  # Hong Kong, Macau, Taiwan


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    # Local on purpose: devices/ must not import kiosk (kiosk.masking is the one for screens and receipts).
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end :]


@dataclass(frozen=True, slots=True)
class IdCard:
    """What the chip says. Holds personal data: pass it on, never log it; repr/str are masked.

    ``name`` is the name to address the holder by: the Chinese name, or for a foreign permanent resident
    without one, the English name. Fields a kind of card does not have are empty ("")."""

    name: str
    sex: str  # "M" or "F", as kiosk.idnumber.ResidentId.sex
    nation_code: str  # resident cards: "01" .. "56", "97", "98"; other cards ""
    birth_date: dt.date
    address: str  # the address on the chip (foreign permanent-resident cards have none)
    id_number: str  # 18 characters, upper-case X; a 2017 foreign card: 15 (3 letters, 12 digits)
    issuer: str  # issuing authority's name (foreign cards: none; see authority_code)
    valid_from: dt.date
    valid_until: dt.date | None  # None: long-term (长期)
    kind: CardKind = CardKind.RESIDENT
    english_name: str = ""  # foreign permanent-resident cards
    nationality_code: str = ""  # foreign permanent-resident cards: ISO 3166-1 alpha-3, e.g. "CAN"
    card_version: str = ""  # foreign permanent-resident cards
    authority_code: str = ""  # foreign permanent-resident cards: the accepting authority's code
    pass_number: str = ""  # residence permits: the Mainland travel permit's number (通行证号码)
    issue_count: int | None = None  # residence permits: how many times a permit was issued (签发次数)
    latest_address: str | None = None  # "read latest address": the current address where the chip's is stale
    has_fingerprint: bool = False  # the card holds fingerprint templates (read, never kept)

    @property
    def sex_label(self) -> str:
        return SEX_LABELS[self.sex]

    @property
    def nation(self) -> str:
        return NATIONS.get(self.nation_code, "")

    @property
    def current_address(self) -> str:
        """The address to use: the latest one the reader gave, else the one on the chip."""
        return self.latest_address or self.address

    @property
    def long_term(self) -> bool:
        return self.valid_until is None

    def expired(self, today: dt.date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or dt.date.today())

    def __repr__(self) -> str:
        return (
            f"IdCard({self.kind.value}, name={_mask(self.name, 1, 0)!r}, "
            f"id_number={_mask(self.id_number, 4, 4)!r})"
        )

    __str__ = __repr__


def _date(text: str, field: str) -> dt.date:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise CardDataError(f"card field {field} is not an 8-digit date")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardDataError(f"card field {field} is not a calendar date") from None


def _resident_style_number(number: str) -> None:
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        raise CardDataError("card field id_number is not 18 characters of digits (last may be X)")
    if not (number[17].isdigit() or number[17] == "X"):
        raise CardDataError("card field id_number is not 18 characters of digits (last may be X)")


def _foreign_number(number: str) -> None:
    if len(number) == 15 and number[:3].isascii() and number[:3].isalpha() and number[3:].isdigit():
        return  # 2017 numbers: nationality letters and twelve digits
    if len(number) == 18 and number.startswith("9"):
        _resident_style_number(number)
        return
    raise CardDataError("card field id_number is neither 3 letters and 12 digits nor 18 characters starting with 9")


def card_from_fields(fields: Mapping[str, str], kind: CardKind = CardKind.RESIDENT) -> IdCard:
    """Build an IdCard from the card's text fields (codes as on the chip); errors name the field only."""
    try:
        sex = SEXES[fields["sex"]]
    except KeyError:
        raise CardDataError("card field sex is not 1 or 2") from None
    number = fields["id_number"].upper()
    until = fields["valid_until"]
    extra: dict[str, object] = {}
    if kind is CardKind.RESIDENT:
        nation = fields["nation"]
        if len(nation) != 2 or not nation.isdigit():
            raise CardDataError("card field nation is not a 2-digit code")
        _resident_style_number(number)
        name = fields["name"]
    elif kind is CardKind.HK_MO_TW_PERMIT:
        nation = ""
        _resident_style_number(number)
        if not number.startswith(PERMIT_PREFIXES):
            raise CardDataError("card field id_number of a residence permit does not start with 810000/820000/830000")
        count = fields["issue_count"]
        if count and not count.isdigit():
            raise CardDataError("card field issue_count is not a number")
        name = fields["name"]
        extra = {"pass_number": fields["pass_number"], "issue_count": int(count) if count else None}
    else:
        nation = ""
        _foreign_number(number)
        nationality = fields["nationality"]
        if len(nationality) != 3 or not nationality.isascii() or not nationality.isalpha():
            raise CardDataError("card field nationality is not a 3-letter code")
        name = fields["name"] or fields["english_name"]
        extra = {
            "english_name": fields["english_name"],
            "nationality_code": nationality.upper(),
            "card_version": fields["card_version"],
            "authority_code": fields["authority_code"],
        }
    if not name:
        raise CardDataError("card field name is empty")
    return IdCard(
        name=name,
        sex=sex,
        nation_code=nation,
        birth_date=_date(fields["birth_date"], "birth_date"),
        address=fields.get("address", ""),
        id_number=number,
        issuer=fields.get("issuer", ""),
        valid_from=_date(fields["valid_from"], "valid_from"),
        valid_until=None if until == LONG_TERM else _date(until, "valid_until"),
        kind=kind,
        **extra,  # type: ignore[arg-type]
    )


def _field_text(raw: bytes, field: str) -> str:
    try:
        # Cards pad with spaces; some readers pad with NULs. Strip both.
        return raw.decode("utf-16-le").strip(" \x00")
    except UnicodeDecodeError:
        raise CardDataError(f"card field {field} is not UTF-16LE text") from None


def card_kind(text_block: bytes) -> CardKind:
    """The kind of card from its text block's type character at byte offset 248."""
    marker = _field_text(text_block[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2], "card_type") or " "
    try:
        return TYPE_CHARACTERS[marker]
    except KeyError:
        printable = marker if marker.isascii() and marker.isprintable() else f"U+{ord(marker[0]):04X}"
        raise CardDataError(
            f"card type character {printable!r} at byte {CARD_TYPE_OFFSET} is not one this reader knows "
            "(blank: resident card, J: residence permit, I: foreign permanent-resident card)"
        ) from None


def text_fields(text_block: bytes) -> tuple[CardKind, dict[str, str]]:
    """The card's kind and its text fields, each cut from the block at its byte offset and decoded alone
    (a character outside the BMP in one field cannot shift the fields after it)."""
    if len(text_block) != TEXT_LEN:
        raise CardDataError(f"card text block has {len(text_block)} bytes, expected {TEXT_LEN}")
    kind = card_kind(text_block)
    fields: dict[str, str] = {}
    position = 0
    for field, width in LAYOUTS[kind]:
        fields[field] = _field_text(text_block[position : position + 2 * width], field)
        position += 2 * width
    return kind, fields


def parse_text_block(text_block: bytes) -> IdCard:
    kind, fields = text_fields(text_block)
    return card_from_fields(fields, kind)


def _lengths(data: bytes, count: int, what: str) -> list[int]:
    if len(data) < 2 * count:
        raise CardDataError(f"{what} has {len(data)} bytes; it needs at least the {count} lengths")
    return [int.from_bytes(data[2 * i : 2 * i + 2], "big") for i in range(count)]


def parse_base_message(data: bytes) -> IdCard:
    """Parse the data of a successful "read base message" response; the photo is skipped, never kept."""
    text_len, photo_len = _lengths(data, 2, "base message")
    if text_len != TEXT_LEN:
        raise CardDataError(f"base message text length is {text_len}, expected {TEXT_LEN}")
    if len(data) < 4 + text_len + photo_len:
        raise CardDataError(f"base message has {len(data)} bytes, shorter than its lengths say")
    return parse_text_block(data[4 : 4 + text_len])


def parse_fingerprint_message(data: bytes) -> IdCard:
    """Parse "read base message with fingerprint" data: three lengths, then text, photo and fingerprints.
    The text starts two bytes later than in a base message (frame offset 16 instead of 14)."""
    text_len, photo_len, fingerprint_len = _lengths(data, 3, "fingerprint message")
    if text_len != TEXT_LEN:
        raise CardDataError(f"fingerprint message text length is {text_len}, expected {TEXT_LEN}")
    if len(data) < 6 + text_len + photo_len + fingerprint_len:
        raise CardDataError(f"fingerprint message has {len(data)} bytes, shorter than its lengths say")
    card = parse_text_block(data[6 : 6 + text_len])
    return _with(card, has_fingerprint=fingerprint_len > 0)


def parse_latest_address(data: bytes) -> str | None:
    """The "read latest address" answer: 70 bytes of UTF-16LE text; blank means no newer address."""
    if len(data) != ADDRESS_LEN:
        raise CardDataError(f"latest address has {len(data)} bytes, expected {ADDRESS_LEN}")
    try:
        address = data.decode("utf-16-le").strip(" \x00")
    except UnicodeDecodeError:
        raise CardDataError("latest address is not UTF-16LE text") from None
    return address or None


def _with(card: IdCard, **changes: object) -> IdCard:
    return replace(card, **changes)  # type: ignore[arg-type]


def with_latest_address(card: IdCard, address: str | None) -> IdCard:
    return _with(card, latest_address=address) if address else card


# --- the other direction, for the simulator -------------------------------------------------------------------

CARD_FILE_FIELDS = (  # a resident card file
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
CARD_FILE_FIELDS_BY_KIND: dict[CardKind, tuple[str, ...]] = {
    CardKind.RESIDENT: CARD_FILE_FIELDS,
    CardKind.HK_MO_TW_PERMIT: tuple(f for f, _ in PERMIT_FIELDS if not f.startswith(("reserved", "card_type"))),
    CardKind.FOREIGN_PERMANENT: tuple(f for f, _ in FOREIGN_FIELDS if not f.startswith(("reserved", "card_type"))),
}
# Simulator-only keys a card file may have besides its text fields.
CARD_FILE_OPTIONS = ("card_type", "fingerprint", "latest_address")


def kind_of_fields(fields: Mapping[str, object]) -> CardKind:
    marker = str(fields.get("card_type", "") or " ")
    try:
        return TYPE_CHARACTERS[marker]
    except KeyError:
        raise ValueError(f"card_type {marker!r}: use \"\" (resident card), \"J\" or \"I\"") from None


def load_card_file(path: str | Path) -> dict[str, str]:
    """A JSON card file: the text fields as on the chip (sex "1"/"2", nation "01", dates YYYYMMDD or 长期),
    plus ``card_type`` ("", "J" or "I"), and for the simulator ``fingerprint`` (true/false) and
    ``latest_address``. Values come back as strings ("1"/"" for fingerprint)."""
    with Path(path).open(encoding="utf-8") as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a card file holds one JSON object with the fields {', '.join(CARD_FILE_FIELDS)}")
    try:
        kind = kind_of_fields(raw)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    wanted = CARD_FILE_FIELDS_BY_KIND[kind]
    missing = [name for name in wanted if name not in raw]
    if missing:
        raise ValueError(f"{path}: card file lacks {', '.join(missing)}")
    fields = {name: str(raw[name]) for name in wanted}
    fields["card_type"] = str(raw.get("card_type", "") or "")
    fields["fingerprint"] = "1" if raw.get("fingerprint") else ""
    fields["latest_address"] = str(raw.get("latest_address", "") or "")
    return fields


def encode_text_block(fields: Mapping[str, str]) -> bytes:
    kind = kind_of_fields(fields)
    values = dict(fields)
    if kind is not CardKind.RESIDENT:
        values["card_type"] = str(fields["card_type"])
    text = []
    for field, width in LAYOUTS[kind]:
        value = str(values.get(field, ""))
        if len(value) > width:
            raise ValueError(f"card field {field} is longer than {width} characters")
        text.append(value.ljust(width))
    return "".join(text).encode("utf-16-le")


def encode_base_message(fields: Mapping[str, str], photo: bytes = bytes(PHOTO_LEN)) -> bytes:
    return TEXT_LEN.to_bytes(2, "big") + len(photo).to_bytes(2, "big") + encode_text_block(fields) + photo


def encode_fingerprint_message(
    fields: Mapping[str, str], fingerprint: bytes = b"", photo: bytes = bytes(PHOTO_LEN)
) -> bytes:
    lengths = TEXT_LEN.to_bytes(2, "big") + len(photo).to_bytes(2, "big") + len(fingerprint).to_bytes(2, "big")
    return lengths + encode_text_block(fields) + photo + fingerprint


def encode_latest_address(address: str) -> bytes:
    if len(address) > ADDRESS_LEN // 2:
        raise ValueError(f"latest address is longer than {ADDRESS_LEN // 2} characters")
    return address.ljust(ADDRESS_LEN // 2).encode("utf-16-le")
