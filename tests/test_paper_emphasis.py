"""The receipt number and every deadline stand out on paper (issue #13): printed bold at double height, with
the size command right before the value and the normal size back right after it. Checked on the real ESC/POS
bytes, and on the paper the virtual printer draws from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from escpos.constants import ESC, GS
from PIL import Image

from devices.printer import open_printer
from devices.printer.interpreter import TOP_MARGIN_DOTS, render_escpos
from kiosk.printing import Document, KeyValue, demo, documents, get_profile, render
from kiosk.printing.service_documents import appointment_slip

P58, P80 = get_profile("58mm"), get_profile("80mm")
DOUBLE_HEIGHT = GS + b"!\x01"  # GS ! n: width x1 (high nibble 0), height x2 (low nibble 1)
NORMAL_SIZE = GS + b"!\x00"
BOLD_ON = ESC + b"E\x01"


def gb(text: str) -> bytes:
    return text.encode("gb18030")


def emphasised(data: bytes, label: str, value: str) -> bool:
    """The label at normal size, then bold and double height, the value, its line end, and normal size again
    before anything else prints."""
    start = data.find(gb(f"{label}：") + BOLD_ON + DOUBLE_HEIGHT + gb(value) + b"\n")
    if start < 0:
        return False
    after = data[start:].index(b"\n") + start + 1
    commands = data[after:after + 6]  # bold off and normal size, as the next commands (3 bytes each)
    return NORMAL_SIZE in commands and ESC + b"E\x00" in commands


@pytest.mark.parametrize("profile", [P58, P80], ids=["58mm", "80mm"])
def test_the_receipt_number_and_the_time_limit_print_at_double_height(profile) -> None:
    receipt = demo.RECEIPT
    data = render(documents.acceptance_receipt(receipt), profile)
    assert emphasised(data, "受理编号", receipt.receipt_number)
    # The time limit wraps on 58 mm paper: every one of its lines is tall, and the size resets after the last.
    start = data.index(gb("承诺时限："))
    tall_part = data[start:data.index(NORMAL_SIZE, start)]
    assert DOUBLE_HEIGHT in tall_part and gb("3个工作日") in tall_part and gb("工作日）") in tall_part
    # Nothing else is tall: the item, the applicant and the status lines print at normal size.
    assert data.count(DOUBLE_HEIGHT) == 2
    assert len(data) <= 2048  # the emphasis costs bytes, still inside the 2 KB budget of a standard receipt


def test_a_bundle_prints_every_member_receipt_number_tall() -> None:
    import dataclasses

    bundle = dataclasses.replace(demo.RECEIPT, members=(("出生医学证明首次签发", "SL20240603000201"),
                                                        ("新生儿出生登记（入户）", "SL20240603000202")))
    data = render(documents.acceptance_receipt(bundle), P80)
    assert emphasised(data, "出生医学证明首次签发", "SL20240603000201")
    assert emphasised(data, "新生儿出生登记（入户）", "SL20240603000202")


def test_the_supply_deadline_of_a_waiver_prints_at_double_height() -> None:
    data = render(documents.commitment_slip(demo.COMMITMENT), P80)
    assert emphasised(data, "受理编号", demo.COMMITMENT.receipt_number)
    assert emphasised(data, "补交期限", "2024年06月17日")


def test_the_appointment_time_and_number_print_at_double_height() -> None:
    slip = appointment_slip(centre_name=demo.CENTRE, item_name="婚姻登记预约", number="YY0007",
                            date=dt.date(2026, 12, 3), slot_label="上午", start="09:00", end="09:30",
                            point_name="金水区政务服务中心", applicant_name="欧阳娜娜", id_number=demo.ID_NUMBER,
                            check_in_code="CHK123", kiosk_id=demo.KIOSK)
    data = render(slip, P80)
    assert emphasised(data, "预约号", "YY0007") or DOUBLE_HEIGHT + gb("YY0007") in data
    when = data.index(gb("2026-12-03"))
    assert data.rfind(DOUBLE_HEIGHT, 0, when) > data.rfind(NORMAL_SIZE, 0, when)  # tall when the time prints
    assert data.index(NORMAL_SIZE, when) < data.index(gb("金水区政务服务中心"), when)  # and normal after it


def ink_rows(image: Image.Image) -> np.ndarray:
    """Indices of the rows of the picture that carry ink."""
    return np.flatnonzero((np.asarray(image.convert("L")) < 128).any(axis=1))


def test_on_paper_the_tall_value_is_twice_as_tall_and_the_next_line_normal_again() -> None:
    doc = Document().add(KeyValue("受理编号", "SL20240603000123", tall=True), KeyValue("办理事项", "户籍证明开具"))
    image = render_escpos(render(doc, P80), P80.dots_width)
    ink = ink_rows(image)
    gaps = np.flatnonzero(np.diff(ink) > 1)  # the white between the two printed lines
    first, second = ink[: gaps[0] + 1], ink[gaps[0] + 1:]
    first_height, second_height = first[-1] - first[0] + 1, second[-1] - second[0] + 1
    assert first_height >= 1.7 * second_height  # double height (the glyphs, scaled twice)
    assert 16 <= second_height <= 26  # the next line is back to the 24-dot font


@pytest.mark.parametrize("profile", [P58, P80], ids=["58mm", "80mm"])
def test_the_virtual_printers_receipt_png_leaves_a_margin_above_the_first_line(tmp_path: Path, profile) -> None:
    printer = open_printer(f"sim://{tmp_path}?width={profile.dots_width}")
    png = printer.write(render(documents.acceptance_receipt(demo.RECEIPT), profile))
    assert png is not None
    image = Image.open(png)
    image.load()
    first_ink = ink_rows(image)[0]
    assert first_ink >= TOP_MARGIN_DOTS  # the centre's name is not drawn against the edge, nothing of it cut
    assert (np.asarray(image)[:TOP_MARGIN_DOTS] == 255).all()
