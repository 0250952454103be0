"""One contract for form fields (kiosk/fieldtypes.py, issue #14): the kiosk's form check and the platform's accept
the same values, a normalised value matches the pattern the catalog serves, and normalising twice changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.catalog import CatalogError, FormField, load_catalog_file, parse_catalog
from kiosk.fieldtypes import FIELD_TYPES, FieldError, validate_field
from kiosk.rules.forms import check_form
from kiosk.sandbox.app import check_form as platform_check_form
from kiosk.sandbox.problems import ProblemError
from kiosk.sandbox.store import DATA_DIR

CATALOG = load_catalog_file(DATA_DIR / "catalog.json")
TODAY = dt.date.today()

phones = st.one_of(
    st.from_regex(r"\A1[3-9][0-9]{9}\Z"),
    st.from_regex(r"\A0(10|2[0-9]|[3-9][0-9]{2})-?[2-9][0-9]{6,7}\Z"),
    st.text(alphabet="0123456789 -+()（）", max_size=16),
)
amounts = st.one_of(st.decimals(min_value=0, max_value=100000, places=2).map(str),
                    st.text(alphabet="0123456789.,¥元", max_size=10))
dates = st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(str),
                  st.text(alphabet="0123456789-年月日/.", max_size=12))
FIELDS = {
    "phone": (FormField(key="phone", label="电话", type="phone"), phones),
    "amount": (FormField(key="amount", label="金额", type="amount", min_amount=1, max_amount=50000), amounts),
    "date": (FormField(key="day", label="日期", type="date"), dates),
}


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_normalised_values_match_the_served_pattern_and_are_stable(kind: str) -> None:
    field, values = FIELDS[kind]
    assert field.pattern == FIELD_TYPES[kind].pattern  # the catalog serves the contract's pattern

    @settings(max_examples=300, deadline=None)
    @given(raw=values)
    def check(raw: str) -> None:
        try:
            normalised = validate_field(field, raw, TODAY)
        except FieldError as error:
            assert error.field == field.key and error.key.startswith("flows.field.")
            return
        assert re.fullmatch(field.pattern, normalised), (raw, normalised)
        assert validate_field(field, normalised, TODAY) == normalised  # the platform's re-check is a no-op

    check()


@settings(max_examples=300, deadline=None)
@given(phone=phones, purpose=st.sampled_from(["就业", "入学", "出国（境）", "其他用途", "旅游", ""]))
def test_the_kiosk_and_the_platform_accept_the_same_forms(phone: str, purpose: str) -> None:
    item = CATALOG.item("HJ-001")
    form = {"phone": phone, "purpose": purpose}
    kiosk = check_form(item, form, TODAY)
    try:
        platform = platform_check_form(CATALOG, "HJ-001", kiosk.values if kiosk.ok else form)
    except ProblemError as problem:
        assert not kiosk.ok, (form, problem.detail)  # the platform refuses only what the kiosk refused
        assert problem.field in {f"form.{key}" for key in kiosk.errors}
        return
    if kiosk.ok:
        assert platform == kiosk.values
    else:  # the platform does not insist on required fields (yet); every value it took, the kiosk took too
        assert set(kiosk.errors) <= {key for key, value in form.items() if not value.strip()}


def test_a_catalog_cannot_change_the_pattern_of_a_typed_field() -> None:
    raw = CATALOG.model_dump(mode="json")
    item = next(i for i in raw["items"] if any(f["type"] == "phone" for f in i["fields"]))
    field = next(f for f in item["fields"] if f["type"] == "phone")
    field["pattern"] = r"^1[3-9][0-9]{9}$"  # mobiles only: what the platform used to check
    with pytest.raises(CatalogError, match="fixed by the contract"):
        parse_catalog(raw, "<test>")
