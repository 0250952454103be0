"""The service catalog: items and their office guides (办事指南), validated with pydantic.

A guide must name every material; a vague catch-all ("其他材料", "有关材料") fails validation, because the
regulations require the full list so a citizen never makes a wasted trip.

``check_catalog`` validates item by item, so one broken item does not hide the problems of the others: a
catalog editor sees every problem (file, item code, field) in one run of ``kiosk catalog check``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kiosk.fieldtypes import FieldError as FieldError  # re-exported: the form screen and tests import it here
from kiosk.fieldtypes import FieldType, check_pattern
from kiosk.fieldtypes import validate_field as validate_field

Category = Literal[
    "社保", "医保", "公积金", "税务", "不动产", "征信", "户籍", "民政", "卫健", "市场监管", "一件事", "其他"
]
ItemKind = Literal["query_print", "application", "appointment", "bundle"]
Delivery = Literal["window", "kiosk_pickup", "mail", "electronic", "print_now"]
MaterialForm = Literal["original", "copy", "electronic"]
# The document builders in kiosk.printing.documents that can print an item's result.
PrintBuilder = Literal["query_result", "acceptance_receipt", "queue_ticket", "commitment_slip"]

FIELD_TYPE_NAMES = frozenset(get_args(FieldType))
# A material named by a catch-all sends a citizen home for a second trip: a guide names the exact document
# (许昌市条例 第十四条). Each entry is a phrase that only a catch-all contains (tests/test_desk_finish.py
# checks every one against a real material name that must still pass).
VAGUE_MATERIAL_WORDS = (
    "其他材料", "其它材料", "有关材料", "相关材料", "等材料", "必要材料", "相应材料", "补充材料",
    "其他证明", "其它证明", "有关证明", "相关证明", "其他有效证件", "其它有效证件", "有效证件", "其他证件", "其它证件",
    "有关证件", "相关证件", "其他文件", "其它文件", "有关文件", "相关文件", "其他资料", "其它资料", "有关资料",
    "相关资料", "要求的其他", "要求提供的", "规定的其他", "认为需要", "另行通知", "视情况", "等证明", "等文件",
    "等证件", "等资料",
)


# A sample picture's name: lower-case words and dashes ending in .png (no path, nothing to escape in a URL).
SAMPLE_IMAGE_PATTERN = r"^(|[a-z0-9][a-z0-9-]{0,58}\.png)$"


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
    # 材料样本 / 示范文本 (issue #17): what a correct one looks like, shown on tap at the guide and printable;
    # "" when the platform has none for this material.
    sample: Annotated[str, Field(max_length=400)] = ""
    # The picture of that sample the platform serves at GET /v1/catalog/samples/{sample_image} (a PNG file name,
    # so it is safe in a URL path); "" when the platform has no picture for it.
    sample_image: Annotated[str, Field(max_length=64, json_schema_extra={"pattern": SAMPLE_IMAGE_PATTERN})] = ""

    @field_validator("name")
    @classmethod
    def _not_vague(cls, name: str) -> str:
        for word in VAGUE_MATERIAL_WORDS:
            if word in name:
                raise ValueError(f"material {name!r} is vague ({word}); name the exact document")
        return name

    @field_validator("sample_image")
    @classmethod
    def _picture_name(cls, name: str) -> str:
        if not re.fullmatch(SAMPLE_IMAGE_PATTERN, name):
            raise ValueError(f"sample_image {name!r} is not a picture name the platform can serve; use lower-case "
                             "letters, digits and dashes ending in .png (e.g. household-register.png), or leave it empty")
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
    # The regex a normalised value matches. Filled with the type's standard pattern from kiosk.fieldtypes, so
    # the served catalog tells the platform (and any reader) exactly what the kiosk sends; only a text field
    # may carry a narrower pattern of its own.
    pattern: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _contract_pattern(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("type"), str) and data["type"] in FIELD_TYPE_NAMES:
            data = {**data, "pattern": check_pattern(data["type"], data.get("pattern"))}
        return data

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
    # The rest of a complete guide (issue #17; `kiosk catalog check` requires them, see guide_gaps):
    review_standard: tuple[Annotated[str, Field(min_length=4, max_length=200)], ...] = ()  # 审查标准
    inquiry_channels: tuple[Annotated[str, Field(min_length=4, max_length=120)], ...] = ()  # 查询渠道
    remedy: Annotated[str, Field(max_length=300)] = ""  # 救济途径: review and litigation, where and by when

    @model_validator(mode="after")
    def _promise_within_law(self) -> Guide:
        # The promise must shorten the legal limit (承诺时限 < 法定时限); only an immediate item (即办, 0 and 0)
        # has nothing to shorten.
        if self.legal_limit_days and self.promised_limit_days >= self.legal_limit_days:
            raise ValueError(f"the promised time limit ({self.promised_limit_days} working days) must be shorter "
                             f"than the legal time limit ({self.legal_limit_days}); promise fewer days")
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


class FieldTranslation(_Model):
    """A form field's label in one more language, and its choices' (one for one with the Chinese choices, in
    the same order). Only what is shown changes: the value kept and sent stays the Chinese choice."""

    label: Annotated[str, Field(min_length=1, max_length=80)]
    choices: tuple[Annotated[str, Field(min_length=1, max_length=60)], ...] | None = None


class ItemTranslation(_Model):
    """An item's texts in one more language (the contract carries both: issue #13), for what the catalog and
    guide screens show. Every field is optional: what is left out shows in Chinese. Lists follow the Chinese
    ones one for one (same count, same order), so the n-th English material is the n-th material.

    Length limits: the same kind as the Chinese field's, with room for English, which takes about twice the
    characters of Chinese for the same words (the name's 40 became 120, a material's 60 became 160)."""

    name: Annotated[str, Field(min_length=2, max_length=120)] | None = None
    department: Annotated[str, Field(min_length=2, max_length=120)] | None = None
    service_object: Annotated[str, Field(min_length=2, max_length=300)] | None = None
    result: Annotated[str, Field(min_length=2, max_length=300)] | None = None
    conditions: tuple[Annotated[str, Field(min_length=2, max_length=300)], ...] | None = None
    process: tuple[Annotated[str, Field(min_length=2, max_length=200)], ...] | None = None
    materials: tuple[Annotated[str, Field(min_length=2, max_length=160)], ...] | None = None  # names only
    # The rest of a complete guide (issue #17). A law is named in English followed by its Chinese title in
    # brackets ("Social Insurance Law of the PRC (《中华人民共和国社会保险法》)"): the office cites it as enacted.
    legal_basis: tuple[Annotated[str, Field(min_length=2, max_length=300)], ...] | None = None
    review_standard: tuple[Annotated[str, Field(min_length=4, max_length=400)], ...] | None = None  # 审查标准
    inquiry_channels: tuple[Annotated[str, Field(min_length=4, max_length=240)], ...] | None = None  # 查询渠道
    remedy: Annotated[str, Field(min_length=4, max_length=600)] | None = None  # 救济途径
    fee_basis: Annotated[str, Field(min_length=2, max_length=300)] | None = None  # the fee's legal basis
    # One per material, in the guide's order: the English of its sample text, "" where it has none.
    material_samples: tuple[Annotated[str, Field(max_length=800)], ...] | None = None
    # The application form's labels and choices, by field key: what the form and confirm screens show.
    fields: dict[str, FieldTranslation] | None = None


# The languages an item may carry besides its Chinese (the kiosk's gettext languages other than zh_CN).
TranslatedLanguage = Literal["en"]


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
    # {"en": {...}}: the item's English; an item without it shows its Chinese in every language.
    i18n: dict[TranslatedLanguage, ItemTranslation] = Field(default_factory=dict)

    def _field_translations_match(self, language: str, translation: ItemTranslation) -> None:
        fields = {field.key: field for field in self.fields}
        for key, shown in (translation.fields or {}).items():
            if key not in fields:
                raise ValueError(f"i18n.{language}.fields.{key}: the item has no field {key!r}; translate one of "
                                 f"{', '.join(fields) or '(none: it has no form)'}")
            field = fields[key]
            if shown.choices is not None and len(shown.choices) != len(field.choices):
                raise ValueError(f"i18n.{language}.fields.{key}.choices has {len(shown.choices)} entries but the "
                                 f"field has {len(field.choices)} choices; translate each one, in the same order")

    @model_validator(mode="after")
    def _translations_follow_the_lists(self) -> CatalogItem:
        # A translated list of another length would put one material's English on another material.
        guide = self.guide
        chinese = {"conditions": guide.conditions, "process": guide.process, "materials": guide.materials,
                   "legal_basis": guide.legal_basis, "material_samples": guide.materials}
        # 审查标准 and 查询渠道 are followed where the Chinese guide has them. A guide still without them is
        # guide_gaps' problem (`kiosk catalog check` names it), and their English is not shown until it has them.
        chinese.update({name: getattr(guide, name) for name in ("review_standard", "inquiry_channels")
                        if getattr(guide, name)})
        for language, translation in self.i18n.items():
            self._field_translations_match(language, translation)
            for field_name, originals in chinese.items():
                translated = getattr(translation, field_name)
                if translated is not None and len(translated) != len(originals):
                    raise ValueError(f"i18n.{language}.{field_name} has {len(translated)} entries but the guide "
                                     f"has {len(originals)}; translate each one, in the same order")
            # English for a text the Chinese guide does not have would tell a foreigner more than the office
            # tells everyone else.
            for position, (material, sample) in enumerate(zip(guide.materials, translation.material_samples or (),
                                                              strict=False)):
                if sample and not material.sample:
                    raise ValueError(f"i18n.{language}.material_samples.{position}: material {material.name!r} has "
                                     f"no sample in Chinese, so it can have none in {language}; leave it \"\" or "
                                     "give the material its Chinese sample first")
        return self

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


# -- languages ------------------------------------------------------------------------------------------------
# Texts of a complete guide (issue #17) that older guides may still lack (guide_gaps): their English is shown only
# with their Chinese, so a foreigner is never told more than everyone else.
_SHOWN_WITH_CHINESE_ONLY = ("review_standard", "inquiry_channels", "remedy", "fee_basis")
TRANSLATABLE = ("name", "department", "service_object", "result", "conditions", "process", "materials",
                "legal_basis", "review_standard", "inquiry_channels", "remedy", "fee_basis", "material_samples")


def item_text(item: CatalogItem, field_name: str, language: str | None) -> Any:
    """The item's ``field_name`` (one of TRANSLATABLE) in ``language`` ("en", "zh_CN" …), falling back to the
    Chinese when the catalog has no translation of it. ``materials`` gives the material names,
    ``material_samples`` their sample texts (each one in Chinese where its English is ""), ``fee_basis`` the
    fee's legal basis."""
    if field_name not in TRANSLATABLE:
        raise KeyError(f"{field_name} is not a translatable item field; one of {', '.join(TRANSLATABLE)}")
    translation = item_translation(item, language)
    translated = getattr(translation, field_name, None) if translation is not None else None
    original = _chinese_text(item, field_name)
    if field_name in _SHOWN_WITH_CHINESE_ONLY and not original:
        return original  # what the Chinese guide does not say yet is said to nobody
    if field_name == "material_samples" and translated is not None:
        return tuple(english or chinese for english, chinese in zip(translated, original, strict=True))
    return original if translated is None else translated


def _chinese_text(item: CatalogItem, field_name: str) -> Any:
    if field_name in ("name", "department"):
        return getattr(item, field_name)
    if field_name == "materials":
        return tuple(material.name for material in item.guide.materials)
    if field_name == "material_samples":
        return tuple(material.sample for material in item.guide.materials)
    if field_name == "fee_basis":
        return item.guide.fee.basis
    return getattr(item.guide, field_name)


def localized(item: CatalogItem, language: str | None) -> CatalogItem:
    """A copy of ``item`` whose shown texts are in ``language`` where the catalog has them: for display
    only (the catalog and guide screens, the sample popup and its slip), never for what is sent to the
    platform, which knows the Chinese."""
    if _base_language(language) not in item.i18n:
        return item

    def text(field_name: str) -> Any:
        return item_text(item, field_name, language)

    materials = tuple(material.model_copy(update={"name": name, "sample": sample})
                      for material, name, sample in zip(item.guide.materials, text("materials"),
                                                        text("material_samples"), strict=True))
    guide = item.guide.model_copy(update={
        "service_object": text("service_object"), "result": text("result"), "conditions": text("conditions"),
        "process": text("process"), "materials": materials, "legal_basis": text("legal_basis"),
        "review_standard": text("review_standard"), "inquiry_channels": text("inquiry_channels"),
        "remedy": text("remedy"), "fee": item.guide.fee.model_copy(update={"basis": text("fee_basis")})})
    return item.model_copy(update={"name": text("name"), "department": text("department"), "guide": guide})


def item_translation(item: CatalogItem, language: str | None) -> ItemTranslation | None:
    """The item's texts in ``language`` ("en", "en_US" …), None where it has none (or the language is Chinese)."""
    return item.i18n.get(_base_language(language))  # type: ignore[call-overload]


def _base_language(language: str | None) -> str:
    return (language or "").split("_")[0].split("-")[0].lower()


def translation_gaps(item: CatalogItem, language: str = "en") -> list[tuple[str, str]]:
    """(field, message) for the texts an item has in Chinese but not in ``language``: a warning of `kiosk
    catalog check`, never a refusal (those texts then show in Chinese)."""
    translation = item.i18n.get(language)  # type: ignore[call-overload]
    if translation is None:
        return [(f"i18n.{language}", f"no {language} text: the item shows in Chinese to a citizen who chose "
                                     f"{language}; add i18n.{language}.name and the guide texts")]
    gaps = [(f"i18n.{language}.{name}", f"no {language} text for {name}: it shows in Chinese")
            for name in TRANSLATABLE if getattr(translation, name) is None and _has_chinese_text(item, name)]
    shown_fields = translation.fields or {}
    for field in item.fields:
        if field.key not in shown_fields:
            gaps.append((f"i18n.{language}.fields.{field.key}",
                         f"no {language} label for the form field {field.label!r}: it shows in Chinese"))
        elif field.choices and shown_fields[field.key].choices is None:
            gaps.append((f"i18n.{language}.fields.{field.key}.choices",
                         f"no {language} text for the choices of {field.label!r}: they show in Chinese"))
    for position, (material, sample) in enumerate(zip(item.guide.materials, translation.material_samples or (),
                                                      strict=False)):
        if material.sample and not sample:
            gaps.append((f"i18n.{language}.material_samples.{position}",
                         f"no {language} sample for material {material.name!r}: it shows in Chinese"))
    return gaps


def _has_chinese_text(item: CatalogItem, field_name: str) -> bool:
    original = _chinese_text(item, field_name)
    return any(original) if field_name == "material_samples" else bool(original)


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
# Defined once in kiosk.fieldtypes (the contract the platform shares); re-exported for existing callers.


def guide_gaps(item: CatalogItem) -> list[tuple[str, str]]:
    """(field, message) for what a complete office guide still lacks (issue #17, 许昌市条例 第十四条): its
    审查标准, 查询渠道 and 救济途径. A bundle's guide is its members'. Reported by `kiosk catalog check`, not by
    parsing, so a kiosk keeps serving a catalog published before these fields existed."""
    if item.kind == "bundle":
        return []
    gaps = []
    if not item.guide.review_standard:
        gaps.append(("guide.review_standard", "审查标准 missing: list what the office checks before approving"))
    if not item.guide.inquiry_channels:
        gaps.append(("guide.inquiry_channels", "查询渠道 missing: list where the citizen asks about progress "
                                              "(hotline, website, app)"))
    if not item.guide.remedy:
        gaps.append(("guide.remedy", "救济途径 missing: name the administrative review and litigation route"))
    return gaps
