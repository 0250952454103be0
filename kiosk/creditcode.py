"""Unified social credit codes (统一社会信用代码, GB 32100-2015): parse and validate.

18 characters from a 31-letter alphabet (digits and upper-case letters without I, O, S, V, Z):

    1      registration authority (1 机构编制, 5 民政, 9 市场监管/工商, Y 其他 ...)
    2      entity category within that authority
    3-8    administrative region (GB/T 2260, six digits)
    9-17   organisation code (GB 11714)
    18     check character: 31 - (sum of value x weight mod 31), where 31 maps to 0

Errors carry an i18n key (``creditcode.error.*`` in ``kiosk/locale/<lang>/ident.toml``) so the screen can say
exactly what to fix.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Registration authorities (first character) defined by GB 32100-2015 and its later assignments.
AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}


class CreditCodeError(ValueError):
    """A credit code that is not valid. ``key`` is the i18n message key."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CreditCode:
    code: str  # normalised: 18 characters, upper case
    authority: str  # e.g. "市场监管"
    category: str  # the second character, as printed
    region_code: str  # six digits
    organisation_code: str  # nine characters

    def __str__(self) -> str:
        return self.code


def check_character(first17: str) -> str:
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(text: str) -> CreditCode:
    """Return the parsed code or raise CreditCodeError naming what is wrong."""
    code = "".join(unicodedata.normalize("NFKC", text or "").split()).upper()
    if len(code) != 18:
        raise CreditCodeError("creditcode.error.length", str(len(code)))
    bad = [char for char in code if char not in _VALUES]
    if bad:
        # I, O, S, V, Z are left out of the alphabet because they look like 1, 0, 5, U, 2.
        raise CreditCodeError("creditcode.error.characters", "".join(sorted(set(bad)))[:8])
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        raise CreditCodeError("creditcode.error.authority", code[0])
    region = code[2:8]
    if not region.isdigit():
        raise CreditCodeError("creditcode.error.region")
    if check_character(code[:17]) != code[17]:
        raise CreditCodeError("creditcode.error.check_digit")
    return CreditCode(
        code=code, authority=authority, category=code[1], region_code=region, organisation_code=code[8:17]
    )


def is_valid_credit_code(text: str) -> bool:
    try:
        parse_credit_code(text)
    except CreditCodeError:
        return False
    return True
