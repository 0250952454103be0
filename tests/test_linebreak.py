"""Chinese line breaking: the rules a reader notices (no line starting with "，", no lonely last character)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.linebreak import CLOSING, OPENING, monospace_measure, units, wrap, wrap_text

CELL = monospace_measure(1.0)  # a CJK character is 2 px, ASCII 1 px


def cjk_width(chars: int) -> float:
    return 2.0 * chars


def test_a_line_never_starts_with_closing_punctuation() -> None:
    # Greedy breaking at 6 characters would start line 2 with "，".
    lines = wrap("请携带身份证，到窗口办理。", cjk_width(6), CELL)
    assert lines == ["请携带身份", "证，到窗口办", "理。"]
    assert all(line[0] not in CLOSING for line in lines)


def test_several_closing_marks_stay_together_with_the_character_before() -> None:
    lines = wrap("他说「明天来。」然后走了", cjk_width(7), CELL)
    assert all(line[0] not in CLOSING for line in lines)
    assert "".join(lines) == "他说「明天来。」然后走了"


def test_a_line_never_ends_with_opening_punctuation() -> None:
    lines = wrap("办理时请出示《居民身份证》原件", cjk_width(7), CELL)
    assert all(line[-1] not in OPENING for line in lines), lines
    assert lines[0] == "办理时请出示"
    assert lines[1].startswith("《居民")


def test_ascii_punctuation_follows_the_same_rules() -> None:
    lines = wrap("受理号(ZW20261101000001),请保存.", 14, CELL)
    assert all(line[0] not in CLOSING and line[-1] not in OPENING for line in lines), lines


def test_numbers_and_codes_are_not_split_when_they_fit() -> None:
    lines = wrap("受理号ZW20261101000001", 20, CELL)
    assert "ZW20261101000001" in lines
    assert units("费用3.50元") == ["费", "用", "3.50", "元"]


def test_a_number_wider_than_the_line_is_split_as_a_last_resort() -> None:
    lines = wrap("410105195003152015", 8, CELL)
    assert lines == ["41010519", "50031520", "15"]


def test_title_never_leaves_a_single_character_on_the_last_line() -> None:
    # 7 CJK per line: plain wrapping leaves "端" alone on line 2.
    assert wrap("政务服务自助终端", cjk_width(7), CELL) == ["政务服务自助终", "端"]
    assert wrap("政务服务自助终端", cjk_width(7), CELL, title=True) == ["政务服务自助", "终端"]
    # A lone character with its punctuation ("用。") counts as one character.
    lines = wrap("本事项不收取任何费用。", cjk_width(9), CELL, title=True)
    assert lines[-1] != "用。" and len(lines[-1].rstrip("。")) >= 2, lines


def test_newlines_are_kept_and_spaces_at_a_break_vanish() -> None:
    assert wrap("第一行\n\n第二行", 100, CELL) == ["第一行", "", "第二行"]
    assert wrap("hello world", 6, CELL) == ["hello", "world"]


def test_measure_is_the_width_authority() -> None:
    # A proportional font: '一' is narrow, everything else wide; the break follows the measured widths.
    def measure(text: str) -> float:
        return sum(1 if ch == "一" else 3 for ch in text)

    assert wrap("一一一一一二三", 7, measure) == ["一一一一一", "二三"]
    assert wrap_text("二三四五", 6, measure) == "二三\n四五"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="办理身份证号码，。、；：？！）」』》（「『《 abc12.", min_size=1, max_size=60),
       st.integers(min_value=4, max_value=30))
def test_rules_hold_for_any_text(text: str, width: int) -> None:
    lines = wrap(text, width, CELL, title=True)
    joined = "".join(lines)
    assert joined.replace(" ", "") == text.replace(" ", "")  # nothing lost or reordered
    for index, line in enumerate(lines):
        if index > 0 and line:
            assert line[0] not in CLOSING, lines
        if index < len(lines) - 1 and line:
            assert line[-1] not in OPENING, lines
        # A line may overflow only when one unbreakable unit is wider than the line itself.
        if CELL(line) > width:
            assert len(units(line)) == 1 or all(CELL(u) > width for u in units(line)[:1]), (line, lines)


@pytest.mark.parametrize("width", [0, -5])
def test_no_width_means_no_wrapping(width: float) -> None:
    assert wrap("请刷身份证", width, CELL) == ["请刷身份证"]


@pytest.mark.ui
def test_the_wrapping_label_breaks_by_these_rules_with_its_own_font(kiosk_display) -> None:
    from kivy.base import EventLoop

    from screens.wrapping_label import WrappingLabel

    EventLoop.ensure_window()
    label = WrappingLabel(text="请携带身份证，到窗口办理。", font_size=40, padding=(0, 0, 0, 0))
    label.width = label.measure("请携带身份证") + 2  # six characters fit, the comma after them does not
    label.rewrap()
    assert label.text.split("\n") == ["请携带身份", "证，到窗口办", "理。"]
    assert label.source_text == "请携带身份证，到窗口办理。"
    # Kivy renders exactly those lines: no extra breaks of its own.
    label.text_size = (label.width, None)
    label.rewrap()
    label.texture_update()
    assert len(label._label._cached_lines) == 3
    # A new text, a title, a wider label: each re-wraps.
    label.title = True
    label.text = "政务服务自助终端"
    label.width = label.measure("政务服务自助终") + 2
    label.text_size = (label.width, None)
    label.rewrap()
    assert label.text.split("\n") == ["政务服务自助", "终端"]
    label.width = label.text_size[0] = 2000
    label.rewrap()
    assert label.text == "政务服务自助终端"


@pytest.mark.ui
def test_the_label_renders_its_own_wrapping_when_the_text_comes_after_the_width(kiosk_display) -> None:
    """The usual order on a screen (the width is laid out, then a property binding sets the text): the core
    label rendered the unwrapped text Kivy's way, and a line began with "，" (seen on the guide's 救济途径)."""
    from kivy.base import EventLoop

    from screens.wrapping_label import WrappingLabel

    EventLoop.ensure_window()
    text = "对办理结果不服的，可自收到结果之日起六十日内向市公安局户政管理支队的上一级主管部门或本级人民政府申请行政复议，或在六个月内向人民法院提起行政诉讼。"
    label = WrappingLabel(font_size=17, padding=(0, 0, 0, 0))
    comma = text.index("议，") + 1  # the width ends right after "议": "，" would start the next line
    label.width = label.measure(text[text.index("户政"):comma]) + 1
    label.text_size = (label.width, None)
    label.text = text[text.index("户政"):]
    label.texture_update()
    rendered = ["".join(word.text for word in line.words) for line in label._label._cached_lines]
    assert rendered == label.text.split("\n")
    assert not any(line.startswith(tuple(CLOSING)) for line in rendered), rendered


@pytest.mark.ui
def test_a_reused_label_shows_each_new_text_after_a_text_that_needed_no_wrapping(kiosk_display) -> None:
    """A section heading reused from citizen to citizen: English, then Chinese, then English again, then a font
    change (长辈模式) re-wraps it. It used to re-wrap the Chinese heading it had before."""
    from kivy.base import EventLoop

    from screens.wrapping_label import WrappingLabel

    EventLoop.ensure_window()
    label = WrappingLabel(font_size=20, padding=(0, 0, 0, 0))
    label.width = label.text_size[0] = label.measure("Who can") + 2  # laid out narrow first
    label.text = "Who can apply"
    label.width = label.text_size[0] = 400  # then its real width: "Who can apply" on one line again
    label.rewrap()
    for text in ("服务对象", "Who can apply"):
        label.text = text
    label.font_size = 30  # 长辈模式: the label re-wraps what it shows
    label.rewrap()
    assert label.text == "Who can apply" and label.source_text == "Who can apply"


@pytest.mark.ui
def test_the_label_breaks_where_exact_measuring_would_though_it_measures_each_character_once(kiosk_display) -> None:
    """Issue #16: the label sums cached character widths instead of asking the font for every candidate line (3 ms
    of the UI thread as the materials screen arrived); kerning makes Latin sums run over, so near the edge it
    measures exactly. The breaks must be the ones exact measuring gives, in Chinese, English and both."""
    from kivy.base import EventLoop

    from kiosk.linebreak import wrap_text
    from screens.wrapping_label import WrappingLabel

    EventLoop.ensure_window()
    texts = ["AVATAR Today: Your WAVE of LAVA, Tokyo", "You search for yourself, and only for real estate registered "
             "in your own name", "请携带身份证原件及复印件各一份，到三楼窗口办理；Wi-Fi 免费，编号 ZW20261101000002。",
             "Social insurance enrolment certificate (print) — 社会保险个人参保证明打印"]
    label = WrappingLabel(padding=(0, 0, 0, 0))
    compared = 0
    for size in (28, 44):
        for bold in (False, True):
            label.font_size, label.bold = size, bold
            for width in range(180, 720, 23):
                label.width = width
                label.text_size = (width, None)
                for text in texts:
                    label.text = text
                    label.rewrap()
                    assert label.text == wrap_text(text, label.available_width(), label.measure), (size, bold, width)
                    compared += 1
    assert compared == 2 * 2 * len(range(180, 720, 23)) * len(texts)
