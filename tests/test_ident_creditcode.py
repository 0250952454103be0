"""Unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.creditcode import ALPHABET, CreditCodeError, check_character, parse_credit_code
from kiosk.i18n import translate

# The example in GB 32100-2015 and a code of the same shape.
VALID = ("91350100M000100Y43", "91110000600037341L")


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code: str) -> None:
    parsed = parse_credit_code(code)
    assert parsed.code == code and parsed.authority == "市场监管" and parsed.region_code == code[2:8]


def test_lower_case_and_spaces_are_normalised() -> None:
    assert parse_credit_code(" 91350100m000100y43 ").code == "91350100M000100Y43"


def test_check_31_maps_to_zero() -> None:
    # Find a body whose weighted sum is a multiple of 31: its check character must be "0", not out of range.
    for serial in range(10_000):
        body = f"91350100M{serial:08d}"
        if check_character(body) == "0":
            assert parse_credit_code(body + "0").code.endswith("0")
            return
    pytest.fail("no body with check character 0 found")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("91350100M000100Y4", "creditcode.error.length"),
        ("91350100M000100Y433", "creditcode.error.length"),
        ("91350100M000100I43", "creditcode.error.characters"),  # I is not in the alphabet
        ("91350100M0001O0Y43", "creditcode.error.characters"),
        ("B1350100M000100Y43", "creditcode.error.authority"),
        ("9135A100M000100Y43", "creditcode.error.region"),
        ("91350100M000100Y44", "creditcode.error.check_digit"),
    ],
)
def test_each_mistake_gets_its_own_reason(text: str, key: str) -> None:
    with pytest.raises(CreditCodeError) as error:
        parse_credit_code(text)
    assert error.value.key == key
    assert translate(key) != key and translate(key, language="en") != key


def test_one_changed_character_is_always_caught() -> None:
    code = VALID[0]
    for position in range(18):
        for char in ALPHABET:
            if char != code[position]:
                changed = code[:position] + char + code[position + 1 :]
                with pytest.raises(CreditCodeError):
                    parse_credit_code(changed)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=30), st.text(alphabet=ALPHABET + "IOSVZ a", min_size=17, max_size=19)))
def test_random_text_never_crashes(text: str) -> None:
    try:
        parsed = parse_credit_code(text)
    except CreditCodeError:
        return
    assert len(parsed.code) == 18
