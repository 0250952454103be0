"""The whole office guide in English (issue #17 leftover): a foreign resident who switched to English reads
户籍证明开具's 审查标准, 查询渠道 and 救济途径 in English (a law or a Chinese web page keeps its Chinese name in
brackets after the English, so the citizen can find it), and the 看样本 popup's text is English too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from uisteps import open_item

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

ITEM = "户籍证明开具"
ITEM_EN = "Household registration certificate"
MATERIAL_EN = "Household register (hukou booklet)"
SAMPLE_START_EN = "Bring the original household register"
HAN = re.compile(r"[\u3400-\u9fff]")
BRACKETED = re.compile(r"\([^()]*\)")  # "(《中华人民共和国户口登记条例》)": the Chinese name a citizen shows


def han_outside_brackets(text: str) -> list[str]:
    return HAN.findall(BRACKETED.sub("", text))


def shown_sections(guide) -> dict[str, str]:
    """Heading → lines, as the guide's section labels show them now."""
    def said(label) -> str:
        return getattr(label, "source_text", "") or label.text

    return {said(view.ids.heading): said(view.ids.lines) for view in reversed(guide.ids.sections.children)}


def open_guide_in_english(ui):
    open_item(ui, ITEM)
    ui.app.access.set_language("en")
    guide = ui.app.screen("guide")
    ui.pilot.wait_until(lambda: guide.complete and guide.item_name == ITEM_EN
                        and _("finish.guide.remedy") in shown_sections(guide), "the whole guide in English")
    return guide


def test_the_review_inquiry_and_remedy_sections_read_in_english(ui, tmp_path: Path) -> None:
    guide = open_guide_in_english(ui)
    sections = shown_sections(guide)
    for heading in ("finish.guide.review_standard", "finish.guide.inquiry", "finish.guide.remedy"):
        title = _(heading)
        assert not HAN.search(title), f"the heading {title!r} is English"
        lines = sections[title]
        assert lines and han_outside_brackets(lines) == [], f"{title}: Chinese outside brackets in {lines!r}"
    assert "matches the population register" in sections[_("finish.guide.review_standard")]
    assert "0371-12345" in sections[_("finish.guide.inquiry")]  # numbers as they are
    assert "administrative lawsuit" in sections[_("finish.guide.remedy")]
    # The law is named in English, with its Chinese title in brackets to show at the window.
    basis = sections[_("guide.basis")]
    assert "Regulations of the PRC on Household Registration (《中华人民共和国户口登记条例》)" in basis
    assert han_outside_brackets(basis) == []
    guide.ids.scroll.scroll_y = 0  # the end of the guide, where these sections are
    shot = ui.pilot.screenshot(tmp_path / "guide-end-en.png")  # for a person to look at
    assert shot.stat().st_size > 0


def test_the_sample_popup_reads_in_english(ui, tmp_path: Path) -> None:
    from screens.sample_view import shown_sample_view

    open_guide_in_english(ui)
    pilot = ui.pilot
    pilot.tap_text(_("finish.sample.show_for", name=MATERIAL_EN))
    pilot.wait_until(lambda: shown_sample_view() is not None, "the sample popup")
    view = shown_sample_view()
    pilot.wait_for_text(SAMPLE_START_EN)  # on the glass, not only in the property
    assert view.title == MATERIAL_EN
    assert view.text.startswith(SAMPLE_START_EN) and not HAN.search(view.text), view.text
    assert view.sample_text == view.text  # 打印样本 prints the English the citizen read
    assert not any(HAN.search(text) for text in pilot.visible_texts() if SAMPLE_START_EN in text)
    pilot.wait_until(lambda: view.has_picture, "the sample picture")
    pilot.screenshot(tmp_path / "sample-en.png")  # for a person to look at
    pilot.tap_text(_("samples.close"))
    pilot.wait_until(lambda: view.parent is None, "the popup closed")


def test_a_materials_notes_use_english_punctuation_in_english(ui) -> None:
    """"(may be supplied later, …)" after an English material, not "（…，…）" as in the Chinese guide."""
    open_item(ui, "住房公积金租房提取")  # 房屋租赁合同 is 容缺 (may come later), 无房证明 the platform fetches
    ui.app.access.set_language("en")
    guide = ui.app.screen("guide")
    ui.pilot.wait_until(lambda: guide.complete and _("finish.guide.remedy") in shown_sections(guide)
                        and not HAN.search(guide.item_name), "the guide in English")
    materials = shown_sections(guide)[_("guide.materials")]
    notes = [line for line in materials.split("\n") if "(" in line]
    assert notes, f"no material with a note: {materials!r}"
    assert "（" not in materials and "，" not in materials, materials
