"""Classifying scanned QR payloads: only the listed kinds pass, everything else has a reason to show."""

from __future__ import annotations

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.i18n import translate
from kiosk.qrpayload import MAX_PAYLOAD, QrKind, QrPayloadError, classify_qr


def token(size: int = 48) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).rstrip(b"=").decode()


def test_our_receipt() -> None:
    payload = classify_qr("GOVKIOSK:R:ZZ-20250601-0042\r\n")
    assert (payload.kind, payload.value, payload.needs_platform) == (
        QrKind.RECEIPT,
        "ZZ-20250601-0042",
        False,
    )


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [("CTID:1:", QrKind.EID), ("ESSC:1:", QrKind.SOCIAL_CARD), ("GOVAPP:1:", QrKind.PROVINCE_APP)],
)
def test_tokens_need_the_platform_and_stay_out_of_logs(prefix: str, kind: QrKind) -> None:
    value = token()
    payload = classify_qr(prefix + value)
    assert (payload.kind, payload.value, payload.needs_platform) == (kind, value, True)
    assert value not in repr(payload) and value not in str(payload)


def test_plain_id_number() -> None:
    payload = classify_qr("410105195003152015")
    assert (payload.kind, payload.value, payload.needs_platform) == (
        QrKind.ID_NUMBER,
        "410105195003152015",
        False,
    )
    assert "410105195003152015" not in repr(payload)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "qr.error.empty"),
        ("   \r\n", "qr.error.empty"),
        ("https://example.com/login", "qr.error.url"),
        ("HTTP://EXAMPLE.COM", "qr.error.url"),
        ("weixin://wxpay/bizpayurl?pr=abc", "qr.error.url"),
        ("alipays://platformapi/startapp", "qr.error.url"),
        ("www.example.com", "qr.error.url"),
        ("javascript:alert(1)", "qr.error.url"),
        ("GOVKIOSK:R:abc123", "qr.error.receipt"),  # lower case is not our format
        ("GOVKIOSK:R:ABC", "qr.error.receipt"),
        ("GOVKIOSK:R:" + "A" * 33, "qr.error.receipt"),
        ("GOVKIOSK:R:ABC123\nX", "qr.error.receipt"),
        ("CTID:1:short", "qr.error.malformed"),
        ("CTID:1:" + "A" * 41 + "+/", "qr.error.malformed"),  # standard base64, not base64url
        ("CTID:1:" + "A" * 45, "qr.error.malformed"),  # 45 % 4 == 1: cut off
        ("ESSC:1:" + "A" * 1025, "qr.error.malformed"),
        ("CTID:2:" + "A" * 48, "qr.error.unknown"),  # a version we do not know
        ("410105195003152016", "id.error.check_digit"),
        ("990105195003152015", "id.error.region"),
        ("410105500315201", "qr.error.unknown"),  # 15-digit numbers do not come from QR codes
        ("张建国", "qr.error.unknown"),
        ("X" * (MAX_PAYLOAD + 1), "qr.error.too_long"),
    ],
)
def test_everything_else_is_rejected_with_a_reason(text: str, key: str) -> None:
    with pytest.raises(QrPayloadError) as error:
        classify_qr(text)
    assert error.value.key == key
    assert translate(key, language="zh_CN") != key and translate(key, language="en") != key


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.builds(
            lambda p, t: p + t,
            st.sampled_from(["GOVKIOSK:R:", "CTID:1:", "ESSC:1:", "GOVAPP:1:"]),
            st.text(max_size=1100),
        ),
        st.from_regex(r"[0-9Xx]{18}", fullmatch=True),
    )
)
def test_random_payloads_never_crash(text: str) -> None:
    try:
        payload = classify_qr(text)
    except QrPayloadError as error:
        assert translate(error.key) != error.key
        return
    assert payload.kind in QrKind
