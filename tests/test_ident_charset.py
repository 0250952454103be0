"""Which text a QR code's bytes hold: right or absent, never a confident wrong reading."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.decode import DecodePipeline
from devices.decode.charset import read_text
from devices.decode.zxing import has_eci
from kiosk.qrpayload import QrPayloadError, classify_qr

# Chinese as Chinese systems write it without ECI: names, places, receipts (GB18030 bytes).
CHINESE = [
    "张建国 社保缴费回执 河南省郑州市", "医保参保证明 李秀英 一次办好", "不动产登记 金水区示范路1号 办件编号",
    "张三", "王小明", "陈静", "社保", "公积金", "户籍证明", "姓名:张建国;证号:410105195003152015",
    "河南省郑州市金水区政务服务中心", "个人信用报告", "办件编号：ZW20261101000001，请妥善保管。",
    "许昌市建安区便民服务站", "您的业务已受理，请于三个工作日内领取结果。", "缴费金额：1,234.56元",
    "欧阳娜娜", "【电子发票】开票日期2026年11月30日", "鄢陵县彭店镇", "漯河市郾城区", "镕基",
]
JAPANESE = ["こんにちは", "東京都千代田区", "カタカナ", "ﾃﾞｻﾞｲﾝQR", "日本語のテキスト", "山田太郎", "ｱｲｳ"]


@pytest.mark.parametrize("text", CHINESE)
def test_gb18030_chinese_reads_as_chinese(text: str) -> None:
    reading = read_text(text.encode("gb18030"))
    assert (reading.text, reading.charset) == (text, "gb18030")


@pytest.mark.parametrize("text", JAPANESE)
def test_shift_jis_japanese_reads_as_japanese(text: str) -> None:
    reading = read_text(text.encode("cp932"))
    assert (reading.text, reading.charset) == (text, "cp932")


@pytest.mark.parametrize("text", ["张建国 社保缴费回执", "ﾃﾞｻﾞｲﾝQR", "Grüße"])
def test_utf8_and_ascii_are_taken_as_they_are(text: str) -> None:
    assert read_text(text.encode("utf-8")).text == text
    assert read_text(b"GOVKIOSK:R:ABC123").charset == "ascii"


def test_latin1_reads_as_latin1() -> None:
    reading = read_text("Grüße aus München".encode("latin-1"))
    assert (reading.text, reading.charset) == ("Grüße aus München", "latin-1")


def test_bytes_no_reading_is_clearly_likelier_for_get_no_text() -> None:
    # Full-width punctuation only: as plausible in Chinese as in Japanese; guessing would be a coin toss.
    reading = read_text("（）《》“”".encode("gb18030"))
    assert reading.text is None and reading.charset == "unknown"
    with pytest.raises(QrPayloadError) as refused:
        classify_qr(reading.text)
    assert refused.value.key == "qr.error.charset"


def test_the_decoders_latin1_guess_is_not_mistaken_for_a_segment_charset() -> None:
    raw = "Preis 5¥ Grüße".encode("latin-1")
    assert read_text(raw, "Preis 5¥ Grüße") == read_text(raw)
    assert read_text(raw, "Preis 5¥ Grüße").charset == "latin-1"


def test_eci_and_segment_modes_decide() -> None:
    sjis = "日本語".encode("cp932")
    # With an ECI the decoder's transcoding is taken, whatever our model would say.
    assert read_text(sjis, "ｆｏｏ", eci=True).text == "ｆｏｏ"
    assert read_text(sjis, "日本語", eci=True).charset == "eci"
    # A GB2312 Hanzi-mode segment: the decoder's text is the GB reading, which its guess never produces.
    hanzi = "医保".encode("gb18030")
    assert read_text(hanzi, "医保").text == "医保"
    # Part Kanji mode, part byte mode: no single charset gives the decoder's text, so it knew better.
    mixed = "日本".encode("cp932") + "中".encode()
    assert read_text(mixed, "日本中").charset == "decoder"


def test_symbology_identifiers_say_when_there_is_an_eci() -> None:
    assert [has_eci(s) for s in ("]Q1", "]Q2", "]Q3", "]Q4", "]Q6", "]Q0", "", "]d2")] == [
        False, True, False, True, True, False, False, False,
    ]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_get_text_that_is_their_reading_or_none(raw: bytes) -> None:
    reading = read_text(raw)
    if reading.text is not None:
        assert raw.decode(reading.charset) == reading.text  # exactly that charset's reading, nothing invented


def qr_frame(payload: bytes) -> np.ndarray:
    code = qrcode.QRCode(box_size=6, border=4)
    code.add_data(payload)  # bytes: byte mode, no ECI
    code.make(fit=True)
    image = np.array(code.make_image().convert("L"), dtype=np.uint8)
    frame = np.full((720, 1280), 190, dtype=np.uint8)
    frame[100 : 100 + image.shape[0], 200 : 200 + image.shape[1]] = image
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize("backend", ["zxing", "zbar"])
@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ("日本語のテキスト".encode("cp932"), "日本語のテキスト"),
        ("医保参保证明 李秀英".encode("gb18030"), "医保参保证明 李秀英"),
        ("（）《》“”".encode("gb18030"), None),
    ],
)
def test_camera_codes_without_eci_are_right_or_refused(backend: str, payload: bytes, text: str | None) -> None:
    found = DecodePipeline(backend).decode(qr_frame(payload))
    assert [(d.raw, d.text) for d in found] == [(payload, text)]


@pytest.mark.parametrize("number", ["810000199208140021", "911036197805210018"])
def test_scanned_numbers_of_the_other_cards_are_id_numbers(number: str) -> None:
    payload = classify_qr(number)
    assert payload.kind.value == "id_number" and payload.value == number and number not in repr(payload)
