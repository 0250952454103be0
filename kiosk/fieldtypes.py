"""The one contract for form fields: each field type, its normalisation and the pattern its value matches.

The kiosk (kiosk.rules.forms, the form screen) and the platform (the sandbox's models) both call
``validate_field`` from here, and the catalog serves each field's type with its ``pattern`` and limits, so a
value the kiosk accepted is never refused later by the platform for its format (issue #14: a landline the
kiosk accepted used to die in the outbox with a 422).

This module is contract, not rules: it imports nothing but the national number standards (GB 11643 ID
numbers and residence permits, GB 32100 unified social credit codes) and pydantic-free plain Python, so a
platform implementation may import it without the kiosk's business rules.

A normalised value always matches its type's ``pattern`` (tests/test_contract_fields.py checks it), and
normalising a normalised value gives it back unchanged, so the platform re-checking what the kiosk sends is
a no-op for every good value.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, Protocol

from kiosk.creditcode import CreditCodeError, parse_credit_code
from kiosk.idnumber import IdNumberError, parse_id_number

FieldType = Literal["id_number", "phone", "date", "choice", "amount", "credit_code", "text"]
DateRange = Literal["any", "past", "future"]

_MOBILE = r"1[3-9][0-9]{9}"
# 区号-号码: 010 and 02x are three-digit area codes, every other one has four digits; 7- or 8-digit numbers.
_LANDLINE = r"0(?:10|2[0-9]|[3-9][0-9]{2})-[2-9][0-9]{6,7}"


@dataclass(frozen=True, slots=True)
class TypeRule:
    """What a field type means on the wire."""

    pattern: str | None  # the normalised value matches this (anchored); None: choices or free text
    description: str  # for the catalog editor and the OpenAPI reader


FIELD_TYPES: dict[str, TypeRule] = {
    "id_number": TypeRule(r"^[0-9]{17}[0-9X]$",
                          "resident ID or residence-permit number, 18 characters, valid check digit (GB 11643)"),
    "phone": TypeRule(rf"^(?:{_MOBILE}|{_LANDLINE})$",
                      "mobile (13812345678) or landline with its area code (0371-65551234)"),
    "date": TypeRule(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "a calendar date, YYYY-MM-DD"),
    "amount": TypeRule(r"^[0-9]{1,12}\.[0-9]{2}$", "yuan with two decimals, between the field's limits"),
    "credit_code": TypeRule(r"^[0-9A-HJ-NPQRTUWXY]{18}$",
                            "unified social credit code, 18 characters, valid check character (GB 32100)"),
    "choice": TypeRule(None, "exactly one of the field's choices"),
    "text": TypeRule(None, "free text up to the field's max_length (and its pattern, when one is given)"),
}


def standard_pattern(field_type: str) -> str | None:
    return FIELD_TYPES[field_type].pattern


class FieldLike(Protocol):
    """The attributes of a field the contract reads (kiosk.catalog.FormField has them all)."""

    @property
    def key(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def choices(self) -> tuple[str, ...]: ...
    @property
    def max_length(self) -> int: ...
    @property
    def min_amount(self) -> float: ...
    @property
    def max_amount(self) -> float: ...
    @property
    def date_range(self) -> str: ...
    @property
    def pattern(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field outside the catalog's forms, e.g. the applicant's phone in an application body."""

    key: str
    type: str
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int = 50
    min_amount: float = 0.01
    max_amount: float = 10_000_000
    date_range: DateRange = "any"
    pattern: str | None = None

    def __post_init__(self) -> None:
        if self.pattern is None:
            object.__setattr__(self, "pattern", standard_pattern(self.type))


APPLICANT_PHONE = FieldSpec(key="phone", type="phone", required=False)


class FieldError(ValueError):
    """A form value that is not acceptable. ``key`` is the i18n message key (``flows.field.*``, or the
    ``id.error.*`` / ``creditcode.error.*`` key of the identity parsers); ``field`` is the field's key.
    The message never quotes the value (it may be personal data): a platform puts it in a problem body."""

    def __init__(self, key: str, field: str, detail: str = "") -> None:
        super().__init__(f"field {field}: {key}" + (f" ({detail})" if detail else ""))
        self.key = key
        self.field = field
        self.detail = detail


def validate_field(field: FieldLike, value: str, today: dt.date | None = None) -> str:
    """The value normalised for the platform (e.g. "2026-11-21", "1500.00"), or raise FieldError."""
    text = (value or "").strip()
    if field.type not in ("text", "choice"):
        # Full-width digits and punctuation from a Chinese input method count as what they look like; free
        # text and choices ("出国（境）") are kept exactly as written.
        text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        if field.required:
            raise FieldError("flows.field.required", field.key)
        return ""
    today = today or dt.date.today()
    match field.type:
        case "id_number":
            try:
                normalised = parse_id_number(text, today).number
            except IdNumberError as error:
                raise FieldError(error.key, field.key, error.detail) from None
        case "credit_code":
            try:
                normalised = parse_credit_code(text).code
            except CreditCodeError as error:
                raise FieldError(error.key, field.key, error.detail) from None
        case "phone":
            normalised = normalise_phone(text, field.key)
        case "date":
            normalised = _validate_date(field, text, today)
        case "amount":
            normalised = _validate_amount(field, text)
        case "choice":
            if text not in field.choices:
                raise FieldError("flows.field.choice", field.key)
            normalised = text
        case "text":
            if len(text) > field.max_length:
                raise FieldError("flows.field.too_long", field.key, str(field.max_length))
            normalised = text
        case _:
            raise FieldError("flows.field.unknown_type", field.key, str(field.type)[:20])
    pattern = field.pattern
    if pattern is not None and not re.fullmatch(pattern, normalised):
        raise FieldError(f"flows.field.{field.type}" if field.type != "text" else "flows.field.pattern", field.key)
    return normalised


def normalise_phone(text: str, key: str = "phone") -> str:
    """A mobile as 11 digits, a landline as 区号-号码; spaces, dashes, brackets and +86 / 0086 tolerated."""
    compact = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", text))
    compact = re.sub(r"^(?:\+86|0086)(?=1[3-9])", "", compact)
    if re.fullmatch(_MOBILE, compact):
        return compact
    landline = re.fullmatch(r"(0(?:10|2[0-9]|[3-9][0-9]{2}))([2-9][0-9]{6,7})", compact)
    if landline:
        return f"{landline.group(1)}-{landline.group(2)}"
    raise FieldError("flows.field.phone", key)


def _validate_date(field: FieldLike, text: str, today: dt.date) -> str:
    candidate = re.sub(r"[年月/.]", "-", text).removesuffix("日").removesuffix("-")
    try:
        day = dt.date.fromisoformat("-".join(part.zfill(2) for part in candidate.split("-")))
    except ValueError:
        raise FieldError("flows.field.date", field.key) from None
    if field.date_range == "future" and day <= today:
        raise FieldError("flows.field.date_future", field.key, day.isoformat())
    if field.date_range == "past" and day > today:
        raise FieldError("flows.field.date_past", field.key, day.isoformat())
    return day.isoformat()


def _validate_amount(field: FieldLike, text: str) -> str:
    try:
        amount = Decimal(text.replace(",", "").removeprefix("¥").removesuffix("元"))
    except InvalidOperation:
        raise FieldError("flows.field.amount", field.key) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise FieldError("flows.field.amount", field.key)
    if amount < Decimal(str(field.min_amount)) or amount > Decimal(str(field.max_amount)):
        raise FieldError("flows.field.amount_range", field.key, f"{field.min_amount:.2f}-{field.max_amount:.2f}")
    return f"{amount:.2f}"


def check_pattern(field_type: str, pattern: str | None) -> str | None:
    """The pattern a catalog field carries: its type's standard one, or (text only) a narrower one of its own.
    Raises ValueError when a catalog tries to change the pattern of a typed field or gives a bad regex."""
    standard = standard_pattern(field_type)
    if pattern is None or pattern == standard:
        return standard
    if field_type != "text":
        raise ValueError(f"the pattern of a {field_type} field is fixed by the contract ({standard}); "
                         "remove 'pattern' from the field")
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression ({error})") from None
    return pattern
