"""The one redactor (kiosk/redaction.py) against generated variants of phone and ID numbers (issue #14): mobiles,
landlines, +86 / 0086, separators, full-width digits, 15- and 18-digit IDs and residence permits, inside text."""

from __future__ import annotations

import logging
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.idnumber import parse_id_number
from kiosk.logging_setup import RedactingFilter
from kiosk.redaction import redact

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
SEPARATORS = [" ", "-", "  ", " - ", ".", "\u3000", "－"]


def _check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


mobiles = st.builds(lambda second, rest: f"1{second}{rest}", st.sampled_from("3456789"),
                    st.text("0123456789", min_size=9, max_size=9))
landlines = st.builds(lambda area, first, rest: f"{area}{first}{rest}",
                      st.sampled_from(["010", "021", "020", "0371", "0755", "0991"]),
                      st.sampled_from("23456789"), st.text("0123456789", min_size=6, max_size=7))
id18 = st.builds(lambda region, birth, seq: (lambda head: head + _check_digit(head))(f"{region}{birth}{seq}"),
                 st.sampled_from(["410105", "110101", "810000", "820000", "830000", "440305"]),
                 st.dates(min_value=__import__("datetime").date(1930, 1, 1),
                          max_value=__import__("datetime").date(2020, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
                 st.text("0123456789", min_size=3, max_size=3))
id15 = st.builds(lambda region, rest: f"{region}{rest}", st.sampled_from(["410105", "110101"]),
                 st.text("0123456789", min_size=9, max_size=9))


@st.composite
def written(draw, numbers) -> tuple[str, str]:
    """(the number as a person or a system might write it, its digits)."""
    digits = draw(numbers)
    groups: list[str] = []
    rest = digits
    while rest:
        size = draw(st.integers(min_value=2, max_value=6))
        groups.append(rest[:size])
        rest = rest[size:]
    text = draw(st.sampled_from(SEPARATORS)).join(groups) if draw(st.booleans()) else digits
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return text, digits


@st.composite
def mobile_with_prefix(draw) -> tuple[str, str]:
    text, digits = draw(written(mobiles))
    prefix = draw(st.sampled_from(["", "+86 ", "+86-", "0086 ", "86", "+86", "＋８６ "]))
    return prefix + text, digits


surroundings = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "P", "Zs"),
                                              exclude_characters="0123456789０１２３４５６７８９"), max_size=12)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9X]", "", unicodedata.normalize("NFKC", text).upper())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number=st.one_of(mobile_with_prefix(), written(landlines), written(id18), written(id15)),
       before=surroundings, after=surroundings)
def test_no_generated_number_survives_redaction(number: tuple[str, str], before: str, after: str) -> None:
    text, digits = number
    line = f"{before} {text} {after}"
    redacted = redact(line)
    # Whatever the separators, prefix or width, the whole number never survives.
    assert digits not in _compact(redacted), (line, redacted)


@settings(max_examples=100, deadline=None)
@given(first=st.one_of(written(mobiles), written(id18)), second=st.one_of(written(landlines), written(mobiles)))
def test_two_numbers_in_one_line_are_both_hidden(first: tuple[str, str], second: tuple[str, str]) -> None:
    line = f"申请人 {first[0]}，联系电话 {second[0]}。"
    redacted = redact(line)
    assert first[1] not in _compact(redacted) and second[1] not in _compact(redacted), redacted


def test_known_shapes_are_masked_and_the_rest_is_kept() -> None:
    cases = {
        "电话13812345678": "电话138****5678",
        "+86 138 1234 5678": "+86 138****5678",
        "(0371) 6555 1234": "0371-****1234",
        "0371-65551234": "0371-****1234",
        "id 410105195003152015 ok": "id 4101**********2015 ok",
        "４１０１０５１９５００３１５２０１５": "4101**********2015",
        "old 410105500315201": "old 4101*******5201",
        "count 5 13812345678": "count 5 138****5678",
    }
    for line, expected in cases.items():
        assert redact(line) == expected
    kept = ["receipt ZW20261101000001", "2026-11-30 03:35:01 port 8765 size 52428800", "K-KIOSK-01-20261130-1",
            "127.0.0.1:8765", "HTTP 422 after 3 attempts", "v1.2.3"]
    for line in kept:
        assert redact(line) == line
    assert parse_id_number("410105195003152015").number  # the fixtures above are valid numbers


def test_the_log_filter_redacts_messages_and_tracebacks(caplog) -> None:
    logger = logging.getLogger("test.redaction")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("applicant %s phone %s", "410105195003152015", "0371 6555 1234")
        try:
            raise ValueError("bad id 410105195003152015")
        except ValueError:
            logger.exception("failed")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "410105195003152015" not in caplog.text and "65551234" not in caplog.text.replace(" ", "")
    assert "4101**********2015" in caplog.text


def test_no_log_call_passes_a_name(tmp_path) -> None:
    # Names cannot be recognised by a pattern, so they must never reach a log call: grep the sources for
    # log calls with a name-like argument.
    root = __import__("pathlib").Path(__file__).resolve().parents[1]
    suspicious = re.compile(r"\blog(?:ger)?\.(?:debug|info|warning|error|exception|critical)\(.*"
                            r"\b(?:citizen|applicant|person|subject|holder|card|verified)\w*"
                            r"(?:\.name\b|\[[\"']name[\"']\]|_name\b)")
    offenders = []
    for folder in ("kiosk", "offline", "devices", "screens"):
        for path in (root / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if suspicious.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
