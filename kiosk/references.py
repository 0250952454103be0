"""The formats of the numbers a citizen carries away: the platform's receipt numbers and this kiosk's own
local references. One owner for both, so the screens, the outbox records and the desk agree on them."""

from __future__ import annotations

RECEIPT_PREFIX = "ZW"  # the platform's receipt numbers: ZW + date (8 digits) + sequence (6 digits)
RECEIPT_DIGITS = 14
LOCAL_PREFIX = "K-"  # an application or query saved on this kiosk while the platform was unreachable


def local_reference(device_id: str, day: str, seq: int) -> str:
    """K-<device>-<yyyymmdd>-<seq>: short enough to quote at a counter, unique per kiosk."""
    return f"{LOCAL_PREFIX}{device_id}-{day}-{seq:04d}"


def is_local_reference(text: str) -> bool:
    return text.startswith(LOCAL_PREFIX)


def is_receipt_number(text: str) -> bool:
    digits = text.removeprefix(RECEIPT_PREFIX)
    return text.startswith(RECEIPT_PREFIX) and len(digits) == RECEIPT_DIGITS and digits.isdigit()


def receipt_digits(text: str) -> str:
    """The digits after ZW of a well-formed receipt number, else "" (what a receipt entry box shows)."""
    return text.removeprefix(RECEIPT_PREFIX) if is_receipt_number(text) else ""


def group_receipt_digits(digits: str) -> str:
    """20261101 000001: the date, then the sequence, so a citizen can compare with the paper receipt."""
    return " ".join(part for part in (digits[:8], digits[8:]) if part)
