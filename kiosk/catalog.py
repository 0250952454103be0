"""The service catalog: items and their office guides (办事指南), validated with pydantic.

A guide must name every material; a vague catch-all ("其他材料", "有关材料") fails validation, because the
regulations require the full list so a citizen never makes a wasted trip.

``check_catalog`` validates item by item, so one broken item does not hide the problems of the others: a
catalog editor sees every problem (file, item code, field) in one run of ``kiosk catalog check``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kiosk.creditcode import CreditCodeError, parse_credit_code
from kiosk.idnumber import IdNumberError, parse_id_number

Category = Literal[
    "社保", "医保", "公积金", "税务", "不动产", "征信", "户籍", "民政", "卫健", "市场监管", "一件事", "其他"
]
ItemKind = Literal["query_print", "application", "appointment", "bundle"]
Delivery = Literal["window", "kiosk_pickup", "mail", "electronic", "print_now"]
FieldType = Literal["id_number", "phone", "date", "choice", "amount", "credit_code", "text"]
MaterialForm = Literal["original", "copy", "electronic"]
# The document builders in kiosk.printing.documents that can print an item's result.
PrintBuilder = Literal["query_result", "acceptance_receipt", "queue_ticket", "commitment_slip"]

VAGUE_MATERIAL_WORDS = ("其他材料", "有关材料", "相关材料", "其它材料", "等材料", "其他证明")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Material(_Model):
    name: Annotated[str, Field(min_length=2, max_length=60)]
    form: MaterialForm = "original"
    count: Annotated[int, Field(ge=1, le=20)] = 1
    required: bool = True
    waivable: bool = False  # may be supplied later under 容缺受理
    shared: bool = False  # the platform fetches it by data sharing; the citizen need not bring it
    pledgeable: bool = False  # under 告知承诺制 the applicant's written commitment stands in for it for now

    @field_validator("name")
    @classmethod
    def _not_vague(cls, name: str) -> str:
        for word in VAGUE_MATERIAL_WORDS:
            if word in name:
                raise ValueError(f"material {name!r} is vague ({word}); name the exact document")
        return name

    @model_validator(mode="after")
    def _waivable_is_required(self) -> Material:
        # 容缺 waives a required material for now; an optional one is never missing, so the flag would lie.
        if (self.waivable or self.pledgeable) and not self.required:
            raise ValueError(f"material {self.name!r} is optional, so it cannot be waivable or pledgeable; "
                             "drop the flag or make it required")
        return self


class Fee(_Model):
    amount_yuan: Annotated[float, Field(ge=0)] = 0.0
    basis: str = ""  # the legal basis of a fee; required when the amount is not zero

    @model_validator(mode="after")
    def _basis_for_fee(self) -> Fee:
        if self.amount_yuan > 0 and not self.basis:
            raise ValueError("a fee needs its legal basis")
        return self

    @property
    def free(self) -> bool:
        return self.amount_yuan == 0


class FormField(_Model):
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: Annotated[str, Field(min_length=1, max_length=30)]
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: Annotated[int, Field(ge=1, le=500)] = 50  # text fields
    min_amount: Annotated[float, Field(ge=0)] = 0.01  # amount fields, in yuan
    max_amount: Annotated[float, Field(gt=0)] = 10_000_000
    date_range: Literal["any", "past", "future"] = "any"  # e.g. an appointment date lies in the future

    @model_validator(mode="after")
    def _choices_for_choice(self) -> FormField:
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError(f"field {self.key!r} is a choice: list at least two choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"field {self.key!r} has choices but is of type {self.type}; make it a choice")
        if self.min_amount > self.max_amount:
            raise ValueError(f"field {self.key!r}: min_amount is above max_amount")
        return self


class PrintTemplate(_Model):
    """Which document builder prints the item's result, and the title printed on it."""

    builder: PrintBuilder
    title: Annotated[str, Field(min_length=2, max_length=40)]


class Guide(_Model):
    legal_basis: Annotated[tuple[str, ...], Field(min_length=1)]
    conditions: tuple[str, ...] = ()
    service_object: str
    materials: tuple[Material, ...] = ()
    process: Annotated[tuple[str, ...], Field(min_length=1)]
    legal_limit_days: Annotated[int, Field(ge=0, le=365)]
    promised_limit_days: Annotated[int, Field(ge=0, le=365)]
    result: str
    delivery: Annotated[tuple[Delivery, ...], Field(min_length=1)]
    fee: Fee = Fee()
    commitment_allowed: bool = False  # 告知承诺制
    commitment_text: str = ""  # what the applicant commits to, printed and shown before they agree
    commitment_consequence: str = ""  # the legal consequence of a false commitment
    waiver_supply_days: Annotated[int, Field(ge=1, le=60)] = 5  # 容缺: working days to supply what is missing

    @model_validator(mode="after")
    def _promise_within_law(self) -> Guide:
        if self.promised_limit_days > self.legal_limit_days:
            raise ValueError("the promised time limit cannot exceed the legal time limit")
        return self

    @model_validator(mode="after")
    def _commitment_is_worded(self) -> Guide:
        # A citizen may only commit to something they can read, with the consequence spelled out.
        if self.commitment_allowed and not (self.commitment_text and self.commitment_consequence):
            raise ValueError("告知承诺 is allowed: give commitment_text and commitment_consequence")
        return self

    @model_validator(mode="after")
    def _unique_material_names(self) -> Guide:
        names = [m.name for m in self.materials]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"material {twice[0]!r} is listed twice; list it once with its count")
        return self


class CatalogItem(_Model):
    code: Annotated[str, Field(pattern=r"^[A-Z]{2,6}-[0-9]{3}$")]
    name: Annotated[str, Field(min_length=2, max_length=40)]
    department: str
    category: Category
    kind: ItemKind
    needs_online: bool = True
    needs_identity: bool = True
    guide: Guide
    fields: tuple[FormField, ...] = ()
    bundle_items: tuple[str, ...] = ()  # member item codes of a 一件事 bundle
    print_template: PrintTemplate | None = None

    @model_validator(mode="after")
    def _kind_rules(self) -> CatalogItem:
        if self.kind == "bundle" and len(self.bundle_items) < 2:
            raise ValueError("a bundle lists at least two member item codes in bundle_items")
        if self.kind != "bundle" and self.bundle_items:
            raise ValueError(f"only a bundle has bundle_items; this item is {self.kind}")
        if self.kind == "query_print" and self.print_template is None:
            raise ValueError("a query_print item needs a print_template (builder and title)")
        keys = [f.key for f in self.fields]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"form field {twice[0]!r} appears twice")
        return self

    def field(self, key: str) -> FormField:
        for form_field in self.fields:
            if form_field.key == key:
                return form_field
        raise KeyError(key)


class Catalog(_Model):
    version: str
    items: tuple[CatalogItem, ...]

    @model_validator(mode="after")
    def _cross_item_rules(self) -> Catalog:
        problems = _cross_item_problems(self.items)
        if problems:
            raise ValueError("; ".join(f"item {code}: {message}" for code, _field, message in problems))
        return self

    def item(self, code: str) -> CatalogItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def search(self, text: str) -> list[CatalogItem]:
        """Items whose name, department or category contains every word of ``text`` (case-insensitive);
        an empty text finds everything. Guides are public: no identification needed to search."""
        words = [w.casefold() for w in text.split()]
        found = []
        for item in self.items:
            haystack = f"{item.name} {item.department} {item.category} {item.code}".casefold()
            if all(word in haystack for word in words):
                found.append(item)
        return found

    def categories(self) -> list[str]:
        return list(dict.fromkeys(item.category for item in self.items))

    def members(self, bundle: CatalogItem) -> tuple[CatalogItem, ...]:
        return tuple(self.item(code) for code in bundle.bundle_items)


def _cross_item_problems(items: tuple[CatalogItem, ...]) -> list[tuple[str, str, str]]:
    """(item code, field, message) for rules that span items: unique codes, bundle members that exist."""
    problems: list[tuple[str, str, str]] = []
    by_code: dict[str, CatalogItem] = {}
    for item in items:
        if item.code in by_code:
            problems.append((item.code, "code", f"item code {item.code} appears twice"))
        by_code[item.code] = item
    for item in items:
        for position, member in enumerate(item.bundle_items):
            where = f"bundle_items.{position}"
            if member not in by_code:
                problems.append((item.code, where, f"bundle member {member} is not in the catalog"))
            elif by_code[member].kind == "bundle":
                problems.append((item.code, where, f"bundle member {member} is itself a bundle; list its items"))
    return problems


# -- problems and loading ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CatalogProblem:
    source: str  # the file (or URL) the catalog came from
    item: str  # item code, "#index" when it has none, or "" for the catalog itself
    field: str  # dotted path inside the item, e.g. "guide.materials.2.name"
    message: str

    def __str__(self) -> str:
        where = f"item {self.item}: " if self.item else ""
        return f"{self.source}: {where}{self.field}: {self.message}"


class CatalogError(ValueError):
    def __init__(self, message: str, problems: tuple[CatalogProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


def _message(error: dict) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def check_catalog(data: Any, source: str) -> list[CatalogProblem]:
    """Every problem in a catalog document, item by item; an empty list means it is valid."""
    if not isinstance(data, dict):
        return [CatalogProblem(source, "", "(top level)", "a catalog is a JSON object with version and items")]
    problems: list[CatalogProblem] = []
    if not isinstance(data.get("version"), str) or not data.get("version"):
        problems.append(CatalogProblem(source, "", "version", "give the catalog version as a string"))
    extra = sorted(set(data) - {"version", "items"})
    for key in extra:
        problems.append(CatalogProblem(source, "", key, "unknown top-level key; only version and items"))
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(CatalogProblem(source, "", "items", "give a non-empty list of items"))
        return problems
    parsed: list[CatalogItem] = []
    for index, raw in enumerate(raw_items):
        code = raw.get("code") if isinstance(raw, dict) else None
        label = code if isinstance(code, str) and code else f"#{index}"
        try:
            parsed.append(CatalogItem.model_validate(raw))
        except ValidationError as error:
            for detail in error.errors():
                where = ".".join(str(part) for part in detail["loc"]) or "(item)"
                problems.append(CatalogProblem(source, label, where, _message(detail)))
    for code, where, message in _cross_item_problems(tuple(parsed)):
        problems.append(CatalogProblem(source, code, where, message))
    return problems


def parse_catalog(data: dict, source: str) -> Catalog:
    problems = check_catalog(data, source)
    if problems:
        raise CatalogError("\n".join(str(p) for p in problems), tuple(problems))
    return Catalog.model_validate(data)


def load_catalog_file(path: Path) -> Catalog:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except json.JSONDecodeError as error:
        raise CatalogError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    return parse_catalog(data, str(path))


# -- form fields ---------------------------------------------------------------------------------------------
class FieldError(ValueError):
    """A form value that is not acceptable. ``key`` is the i18n message key (``flows.field.*``, or the
    ``id.error.*`` / ``creditcode.error.*`` key of the identity parsers); ``field`` is the field's key."""

    def __init__(self, key: str, field: str, detail: str = "") -> None:
        super().__init__(f"field {field}: {key}" + (f" ({detail})" if detail else ""))
        self.key = key
        self.field = field
        self.detail = detail


_PHONE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$")  # 区号-号码, e.g. 0371-65551234


def validate_field(field: FormField, value: str, today: dt.date | None = None) -> str:
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
                return parse_id_number(text, today).number
            except IdNumberError as error:
                raise FieldError(error.key, field.key, error.detail) from None
        case "credit_code":
            try:
                return parse_credit_code(text).code
            except CreditCodeError as error:
                raise FieldError(error.key, field.key, error.detail) from None
        case "phone":
            digits = re.sub(r"[\s]", "", text)
            if _PHONE.match(digits) or _LANDLINE.match(digits):
                return digits
            raise FieldError("flows.field.phone", field.key)
        case "date":
            return _validate_date(field, text, today)
        case "amount":
            return _validate_amount(field, text)
        case "choice":
            if text not in field.choices:
                raise FieldError("flows.field.choice", field.key, text[:20])
            return text
        case _:  # text
            if len(text) > field.max_length:
                raise FieldError("flows.field.too_long", field.key, str(field.max_length))
            return text


def _validate_date(field: FormField, text: str, today: dt.date) -> str:
    candidate = re.sub(r"[年月/.]", "-", text).removesuffix("日").removesuffix("-")
    try:
        day = dt.date.fromisoformat("-".join(part.zfill(2) for part in candidate.split("-")))
    except ValueError:
        raise FieldError("flows.field.date", field.key, text[:20]) from None
    if field.date_range == "future" and day <= today:
        raise FieldError("flows.field.date_future", field.key, day.isoformat())
    if field.date_range == "past" and day > today:
        raise FieldError("flows.field.date_past", field.key, day.isoformat())
    return day.isoformat()


def _validate_amount(field: FormField, text: str) -> str:
    try:
        amount = Decimal(text.replace(",", "").removeprefix("¥").removesuffix("元"))
    except InvalidOperation:
        raise FieldError("flows.field.amount", field.key, text[:20]) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise FieldError("flows.field.amount", field.key, text[:20])
    if amount < Decimal(str(field.min_amount)) or amount > Decimal(str(field.max_amount)):
        raise FieldError("flows.field.amount_range", field.key, f"{field.min_amount:.2f}-{field.max_amount:.2f}")
    return f"{amount:.2f}"
