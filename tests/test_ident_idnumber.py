"""Resident ID numbers (GB 11643): what a citizen typing or scanning a number would run into."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.idnumber import IdNumberError, check_character, parse_id_number, upgrade_15_to_18

DEMO = "410105195003152015"
TODAY = dt.date(2025, 6, 1)
LOCALE = Path(__file__).resolve().parents[1] / "kiosk" / "locale"


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_valid_number_is_parsed() -> None:
    resident = parse_id_number(DEMO, today=TODAY)
    assert resident.birth_date == dt.date(1950, 3, 15)
    assert resident.sex == "M"
    assert resident.region_code == "410105" and resident.province == "河南省"
    assert DEMO not in repr(resident)


def test_wrong_check_digit_is_named() -> None:
    with pytest.raises(IdNumberError) as error:
        parse_id_number(DEMO[:17] + "6", today=TODAY)
    assert error.value.key == "id.error.check_digit"


def test_lower_case_x_spaces_and_full_width_are_normalised() -> None:
    number = with_check("11010519491231002")
    assert number.endswith("X")
    assert parse_id_number(number.lower(), today=TODAY).number == number
    assert parse_id_number(" 110105 19491231 002x\r\n", today=TODAY).number == number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # what a Chinese input method may type
    assert parse_id_number(full_width, today=TODAY).number == number


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("41010519500315201", "id.error.length"),
        ("4101051950031520155", "id.error.length"),
        ("", "id.error.length"),
        ("41010519500315201A", "id.error.characters"),
        ("4101051950031520\u13695", "id.error.characters"),  # Ethiopic digit: isdigit() but not int()
        ("41010A195003152015", "id.error.characters"),
        ("41010A195003152", "id.error.characters"),
        (with_check("41010519500230201"), "id.error.date"),  # 30 February
        (with_check("41010518700101201"), "id.error.date"),  # before 1880
        (with_check("41010520300101201"), "id.error.date"),  # born in the future
        (with_check("99010519500315201"), "id.error.region"),
        (with_check("00010519500315201"), "id.error.region"),
    ],
)
def test_each_mistake_gets_its_own_reason(text: str, key: str) -> None:
    with pytest.raises(IdNumberError) as error:
        parse_id_number(text, today=TODAY)
    assert error.value.key == key


def test_fifteen_digit_number_is_upgraded() -> None:
    # 15-digit numbers (before 1999) drop the century and the check digit.
    old = "410105500315201"
    assert upgrade_15_to_18(old) == DEMO
    assert parse_id_number(old, today=TODAY).number == DEMO


def test_every_error_key_has_words_in_both_languages() -> None:
    from kiosk.i18n import catalog, translate

    for language in ("zh_CN", "en"):
        table = {key.removeprefix("id.error."): text for key, text in catalog(language).items()
                 if key.startswith("id.error.")}
        assert set(table) >= {"length", "characters", "region", "date", "check_digit"}

    assert translate("id.error.check_digit", language="zh_CN") == "身份证号码校验位不对，请核对最后一位"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"[0-9xX ]{14,20}", fullmatch=True)))
def test_random_text_never_crashes(text: str) -> None:
    try:
        resident = parse_id_number(text, today=TODAY)
    except IdNumberError:
        return
    assert len(resident.number) == 18


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY), st.integers(0, 999))
def test_every_generated_valid_number_parses(birth: dt.date, sequence: int) -> None:
    number = with_check(f"410105{birth:%Y%m%d}{sequence:03d}")
    resident = parse_id_number(number, today=TODAY)
    assert resident.birth_date == birth
    assert resident.sex == ("M" if sequence % 2 else "F")
