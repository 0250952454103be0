"""The ESC/POS renderer: exact bytes per element, GB18030 text, QR length fields, widths, masking.

Golden files live in tests/golden/printing/; regenerate after an intended change with
    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_printing_escpos.py -q
and review the diff (and the PNGs from ``kiosk receipt-render``) before committing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kiosk.printing import (
    Align,
    Barcode,
    Cut,
    Document,
    Feed,
    KeyValue,
    QrCode,
    Separator,
    Table,
    Text,
    Title,
    demo,
    documents,
    get_profile,
    render,
)
from kiosk.printing.escpos import CHINESE_OFF, CHINESE_ON, INIT, qr_native
from kiosk.printing.layout import text_columns, wrap

GOLDEN = Path(__file__).parent / "golden" / "printing"
P80, P58 = get_profile("80mm"), get_profile("58mm")


def assert_golden(name: str, data: bytes) -> None:
    path = GOLDEN / f"{name}.bin"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} missing; run with UPDATE_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"{name}: bytes differ from {path}"


def body(element, profile=P80) -> bytes:
    """The bytes of one element, without the ESC @ every document starts with."""
    data = render(Document([element]), profile)
    assert data.startswith(INIT)
    return data[len(INIT):]


def printed_text(data: bytes, profile=P80) -> str:
    """The text lines the printer prints, as the interpreter decodes them (GB18030 in Chinese mode)."""
    from devices.printer.interpreter import interpret

    return "\n".join(interpret(data, profile.dots_width)[1].lines)


# -- exact bytes of each element ----------------------------------------------------------------------------
def test_ascii_text_is_plain_bytes_with_line_feed() -> None:
    assert body(Text("Hello")) == b"Hello\n"


def test_chinese_text_enters_chinese_mode_once_and_leaves_at_the_end() -> None:
    data = body(Text("受理回执"))
    assert data == CHINESE_ON + "受理回执".encode("gb18030") + b"\n" + CHINESE_OFF
    assert data[len(CHINESE_ON):-len(CHINESE_OFF) - 1].decode("gb18030") == "受理回执"


def test_four_byte_gb18030_characters_are_sent_whole() -> None:
    data = body(Text("𠮷"))
    assert "𠮷".encode("gb18030") in data and len("𠮷".encode("gb18030")) == 4


def test_bold_center_and_size_are_set_and_reset_only_on_change() -> None:
    data = body(Text("AB", Align.CENTER, bold=True, scale=2))
    assert data == b"\x1ba\x01" + b"\x1bE\x01" + b"\x1d!\x11" + b"AB\n"
    two = render(Document([Text("A", bold=True), Text("B", bold=True), Text("C")]), P80)[2:]
    assert two == b"\x1bE\x01A\nB\n\x1bE\x00C\n"


def test_title_is_double_size_when_it_fits_and_double_height_when_it_does_not() -> None:
    assert body(Title("受理回执"), P58).startswith(b"\x1ba\x01\x1bE\x01\x1d!\x11" + CHINESE_ON)
    long = "容缺受理告知承诺单"  # 18 columns: wider than 16 at double width on 58 mm
    assert body(Title(long), P58).startswith(b"\x1ba\x01\x1bE\x01\x1d!\x01" + CHINESE_ON)


def test_separator_fills_the_line() -> None:
    assert body(Separator(), P58) == b"-" * 32 + b"\n"
    assert body(Separator("="), P80) == b"=" * 48 + b"\n"


def test_key_value_wraps_the_value_under_itself() -> None:
    data = body(KeyValue("办理事项", "城乡居民基本养老保险参保登记"), P58)
    lines = data.removeprefix(CHINESE_ON).removesuffix(CHINESE_OFF).decode("gb18030").splitlines()
    assert lines == ["办理事项：城乡居民基本养老保险参", "          保登记"]


def test_feed_and_cut() -> None:
    assert body(Feed(2)) == b"\x1bd\x02"
    assert body(Cut()) == b"\x1bd\x04\x1dV\x01"


def test_native_qr_command_sequence_and_length_fields() -> None:
    payload = b"SL20240603000123"
    data = qr_native(payload, 6, "M")
    assert data == (
        b"\x1d(k\x04\x001A2\x00"  # model 2
        b"\x1d(k\x03\x001C\x06"  # module 6 dots
        b"\x1d(k\x03\x001E1"  # error correction M
        b"\x1d(k\x13\x001P0" + payload  # store: pL pH = len + 3
        + b"\x1d(k\x03\x001Q0"  # print
    )


@pytest.mark.parametrize("size", [1, 252, 253, 300, 1000])
def test_qr_store_length_field_counts_cn_fn_m_and_data(size: int) -> None:
    data = qr_native(b"9" * size, 4)
    store = data.index(b"1P0")
    p_l, p_h = data[store - 2], data[store - 1]
    assert p_l + 256 * p_h == size + 3
    assert data[store + 3:store + 3 + size] == b"9" * size


def test_every_gs_k_function_in_a_receipt_has_a_correct_length_field() -> None:
    data = render(documents.acceptance_receipt(demo.RECEIPT), P80)
    starts = [m.start() for m in re.finditer(rb"\x1d\(k", data)]
    assert len(starts) == 5
    for here, there in zip(starts, starts[1:] + [data.index(b"\n", starts[-1])], strict=True):
        length = data[here + 3] | data[here + 4] << 8
        assert here + 5 + length == there  # each function ends exactly where the next begins


def test_profile_without_native_qr_sends_a_raster_image() -> None:
    data = body(QrCode("ABC"), get_profile("58mm", native_qr=False))
    assert b"\x1d(k" not in data
    i = data.index(b"\x1dv0\x00")
    xbytes, rows = data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
    assert xbytes * 8 >= rows > 0  # square symbol, padded to whole bytes
    assert len(data) >= i + 8 + xbytes * rows


def test_code128_barcode_uses_code_set_b_and_hri_below() -> None:
    data = body(Barcode("A023"), P58)
    assert data.endswith(b"\x1dH\x02\x1df\x00\x1dk\x49\x06{BA023\n")
    assert b"\x1dh\x50" in data and b"\x1dw\x03" in data


def test_barcode_rejects_what_code_set_b_cannot_encode() -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        body(Barcode("排队A1"))


def test_table_columns_line_up_in_printer_columns() -> None:
    table = Table(["年月", "摘要", "金额(元)"], [["2024-05", "汇缴", "1,860.00"], ["2024-03", "提取（租房）", "-1,500.00"]],
                  [Align.LEFT, Align.LEFT, Align.RIGHT])
    lines = body(table, P58).removeprefix(CHINESE_ON).removesuffix(CHINESE_OFF).decode("gb18030").splitlines()
    assert all(text_columns(line) <= 32 for line in lines)
    amounts = [line for line in lines if line.endswith("0")]
    assert {text_columns(line) for line in amounts} == {text_columns(amounts[0])}  # right edges line up


# -- layout -------------------------------------------------------------------------------------------------
def test_wrap_counts_chinese_as_two_columns_and_keeps_words_whole() -> None:
    assert wrap("政务服务一网通办", 8) == ["政务服务", "一网通办"]
    assert wrap("receipt number SL2024", 16) == ["receipt number", "SL2024"]
    assert wrap("一二三，四", 6) == ["一二", "三，四"]  # a comma never starts a line


@pytest.mark.parametrize("profile", [P58, P80], ids=["58mm", "80mm"])
@pytest.mark.parametrize("name", ["receipt", "notice", "commitment", "query", "ticket", "test-page"])
def test_no_printed_line_is_wider_than_the_paper(profile, name: str) -> None:
    from cli.commands.printing import build_document
    from devices.printer.interpreter import interpret

    _, stats = interpret(render(build_document(name, profile.name), profile), profile.dots_width)
    assert stats.edge_wraps == 0  # the printer never had to break a line our layout made too long


# -- documents ----------------------------------------------------------------------------------------------
DOCS = {
    "receipt": lambda: documents.acceptance_receipt(demo.RECEIPT),
    "notice": lambda: documents.missing_materials_notice(demo.NOTICE),
    "commitment": lambda: documents.commitment_slip(demo.COMMITMENT),
    "query": lambda: documents.query_result(demo.QUERY),
    "ticket": lambda: documents.queue_ticket(demo.TICKET),
}


@pytest.mark.parametrize("profile", [P58, P80], ids=["58mm", "80mm"])
@pytest.mark.parametrize("name", sorted(DOCS))
def test_documents_match_golden_bytes(name: str, profile) -> None:
    assert_golden(f"{name}-{profile.name}", render(DOCS[name](), profile))


def test_test_page_matches_golden_bytes() -> None:
    assert_golden("test-page-58mm", render(documents.test_page(P58), P58))


@pytest.mark.parametrize("name", ["receipt", "notice", "commitment", "query"])
def test_slips_never_show_a_full_id_number_phone_or_name(name: str) -> None:
    text = printed_text(render(DOCS[name](), P80))
    assert demo.ID_NUMBER not in text and demo.PHONE not in text and "欧阳明远" not in text
    assert "4101**********1234" in text


def test_receipt_shows_what_the_citizen_needs() -> None:
    text = printed_text(render(documents.acceptance_receipt(demo.RECEIPT), P80))
    for expected in ("受理回执", "SL20240603000123", "城乡居民基本养老保险参保登记", "138****5678", "2024年06月03日 14:25",
                     "已提交至省政务服务平台", "ZZJS-24H-003"):
        assert expected in text


def test_receipt_without_phone_has_no_phone_line() -> None:
    from dataclasses import replace

    text = printed_text(render(documents.acceptance_receipt(replace(demo.RECEIPT, phone=None)), P80))
    assert "联系电话" not in text


def test_notice_lists_every_missing_material() -> None:
    text = printed_text(render(documents.missing_materials_notice(demo.NOTICE), P58), P58)
    assert "共4项" in text
    for material in demo.NOTICE.missing:
        assert material.name in text


def test_commitment_slip_states_deadline_and_withdrawal() -> None:
    text = printed_text(render(documents.commitment_slip(demo.COMMITMENT), P58), P58)
    assert "补交期限：2024年06月17日" in text
    assert "视为申请人撤回申请" in text.replace("\n", "")
    assert "经营场所使用证明" in text


def test_english_receipt_uses_english_labels() -> None:
    text = printed_text(render(documents.acceptance_receipt(demo.RECEIPT, language="en"), P80))
    assert "Acceptance receipt" in text and "Receipt no.: SL20240603000123" in text


def test_standard_receipt_is_within_the_2kb_budget() -> None:
    for profile in (P58, P80):
        assert len(render(documents.acceptance_receipt(demo.RECEIPT), profile)) <= 2048


def test_the_offices_chinese_name_after_an_english_one_stays_on_one_line() -> None:
    """English paper names an item "Household registration certificate (户籍证明开具)": at 48 columns the aside
    broke as "(户籍" / "证明开具)". It moves whole to the next line; Chinese text still breaks anywhere."""
    from kiosk.printing.layout import wrap

    assert wrap("Item: Household registration certificate (户籍证明开具)", 48) == [
        "Item: Household registration certificate", "(户籍证明开具)"]
    assert wrap("办理事项：户籍证明开具（含新生儿）及其他内容很长很长很长很长很长", 48)[0] == \
        "办理事项：户籍证明开具（含新生儿）及其他内容很长"  # full-width brackets: filled to the edge as before
    long_aside = "A (" + "很长的括号内容" * 4 + ") done"
    assert all(len(line) > 0 for line in wrap(long_aside, 48)) and wrap(long_aside, 48)[0].startswith("A (很")
