"""The one place that masks personal data for screens, receipts and logs (DESIGN.md personal-data rules)."""

from __future__ import annotations


def mask_id_number(id_number: str) -> str:
    """4101**********1234: first four and last four characters of an 18-character ID number."""
    text = (id_number or "").strip()
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_name(name: str) -> str:
    """张* / 欧阳** : keep the family name's first character only."""
    text = (name or "").strip()
    if not text:
        return ""
    return text[0] + "*" * max(1, len(text) - 1)


def mask_phone(phone: str) -> str:
    """138****5678: keep the first three and last four digits."""
    text = (phone or "").strip()
    if len(text) < 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]
