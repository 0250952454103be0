"""The service catalog: items and their office guides (办事指南), validated with pydantic.

A guide must name every material; a vague catch-all ("其他材料", "有关材料") fails validation, because the
regulations require the full list so a citizen never makes a wasted trip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Category = Literal["社保", "医保", "公积金", "税务", "不动产", "征信", "户籍", "民政", "市场监管", "其他"]
ItemKind = Literal["query_print", "application", "appointment", "bundle"]
Delivery = Literal["window", "kiosk_pickup", "mail", "electronic", "print_now"]
FieldType = Literal["id_number", "phone", "date", "choice", "amount", "credit_code", "text"]

VAGUE_MATERIAL_WORDS = ("其他材料", "有关材料", "相关材料", "其它材料", "等材料", "其他证明")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Material(_Model):
    name: Annotated[str, Field(min_length=2, max_length=60)]
    form: Literal["original", "copy", "electronic"] = "original"
    count: Annotated[int, Field(ge=1, le=20)] = 1
    required: bool = True
    waivable: bool = False  # may be supplied later under 容缺受理
    shared: bool = False  # the platform fetches it by data sharing; the citizen need not bring it

    @field_validator("name")
    @classmethod
    def _not_vague(cls, name: str) -> str:
        for word in VAGUE_MATERIAL_WORDS:
            if word in name:
                raise ValueError(f"material {name!r} is vague ({word}); name the exact document")
        return name


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

    @model_validator(mode="after")
    def _promise_within_law(self) -> Guide:
        if self.promised_limit_days > self.legal_limit_days:
            raise ValueError("the promised time limit cannot exceed the legal time limit")
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
    bundle_items: tuple[str, ...] = ()


class Catalog(_Model):
    version: str
    items: tuple[CatalogItem, ...]

    @model_validator(mode="after")
    def _unique_codes(self) -> Catalog:
        seen: set[str] = set()
        for item in self.items:
            if item.code in seen:
                raise ValueError(f"item code {item.code} appears twice")
            seen.add(item.code)
        return self

    def item(self, code: str) -> CatalogItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def categories(self) -> list[str]:
        return list(dict.fromkeys(item.category for item in self.items))


class CatalogError(ValueError):
    pass


def parse_catalog(data: dict, source: str) -> Catalog:
    try:
        return Catalog.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = item["loc"]
            where = ".".join(str(part) for part in loc)
            if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
                try:
                    code = data["items"][loc[1]].get("code", f"#{loc[1]}")
                except (KeyError, IndexError, AttributeError):
                    code = f"#{loc[1]}"
                where = f"item {code}: " + ".".join(str(part) for part in loc[2:])
            problems.append(f"{source}: {where}: {item['msg'].removeprefix('Value error, ')}")
        raise CatalogError("\n".join(problems)) from None


def load_catalog_file(path: Path) -> Catalog:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except json.JSONDecodeError as error:
        raise CatalogError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    return parse_catalog(data, str(path))
