"""The catalog model: guides must name every material, fees need a legal basis."""

from __future__ import annotations

import copy
import json

import pytest

from kiosk.catalog import CatalogError, parse_catalog
from kiosk.sandbox.store import DATA_DIR

RAW = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))


def test_demo_catalog_is_valid_and_covers_the_categories() -> None:
    catalog = parse_catalog(RAW, "demo")
    assert {"社保", "医保", "公积金", "税务", "不动产", "征信", "户籍", "民政"} <= set(catalog.categories())


def test_a_vague_material_names_item_and_field() -> None:
    raw = copy.deepcopy(RAW)
    raw["items"][4]["guide"]["materials"].append({"name": "其他材料"})
    with pytest.raises(CatalogError) as caught:
        parse_catalog(raw, "catalog.json")
    assert "catalog.json: item HJ-001: guide.materials.2.name" in str(caught.value)
    assert "vague" in str(caught.value)


def test_a_fee_without_legal_basis_and_a_promise_beyond_the_law_fail() -> None:
    raw = copy.deepcopy(RAW)
    raw["items"][0]["guide"]["fee"] = {"amount_yuan": 10}
    raw["items"][1]["guide"]["promised_limit_days"] = 30
    with pytest.raises(CatalogError) as caught:
        parse_catalog(raw, "catalog.json")
    assert "item SB-001" in str(caught.value) and "legal basis" in str(caught.value)
    assert "item YB-001" in str(caught.value) and "legal time limit" in str(caught.value)


def test_search_finds_items_by_any_word_of_name_department_or_category() -> None:
    catalog = parse_catalog(RAW, "demo")
    assert {i.code for i in catalog.search("公积金")} == {"GJJ-001", "GJJ-002", "GJJ-003"}
    assert [i.code for i in catalog.search("证明 户籍")] == ["HJ-001"]
    assert catalog.search("") == list(catalog.items)
    assert catalog.search("没有这个事项") == []
