"""The whole office guide in English (issue #17 leftover): a foreign resident who switched to English reads
户籍证明开具's 审查标准, 查询渠道 and 救济途径 in English (a law or a Chinese web page keeps its Chinese name in
brackets after the English, so the citizen can find it), and the 看样本 popup's text is English too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from uisteps import (
    apply_from_guide,
    fill_form,
    identify_with_card_and_face,
    identify_with_code,
    materials_next,
    open_item,
)

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


CHINESE_PUNCTUATION = re.compile("[、，；（）]")


def test_the_application_in_english_writes_no_chinese_punctuation(ui) -> None:
    """From the materials list to the confirm screen, the lists a screen joins itself (the materials the
    platform fetches, a material's notes, the 容缺 missing list, the fee lines) use the language's own commas,
    semicolons and brackets: "Rental contract (original, may be supplied later)", not "（原件，可容缺）"."""
    pilot, app = ui.pilot, ui.app
    open_item(ui, "住房公积金租房提取")
    app.access.set_language("en")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    pilot.wait_for_screen("materials")
    materials = app.screen("materials")
    pilot.wait_until(lambda: not materials.loading, "the materials list")
    shown = [text for text in pilot.visible_texts() if text.strip()]
    latin = [text for text in shown if re.search("[A-Za-z]{3}", text)]
    assert latin, shown
    assert [text for text in latin if CHINESE_PUNCTUATION.search(HAN.sub("", text))] == [], latin
    assert materials.shared_text and not CHINESE_PUNCTUATION.search(materials.shared_text), materials.shared_text
    # The item's own names in English on this screen too, as the guide showed them.
    assert materials.item_name == "Housing provident fund withdrawal for rent"
    assert any(text.startswith("Debit card of a bank account in your own name") for text in shown), shown
    assert "Certificates that you and your spouse own no home" in materials.shared_text

    toggles = [w for w in materials.ids.material_list.children if getattr(w, "material", "") in
               ("居民身份证", "本人名下银行借记卡")]
    for toggle in toggles:  # the rental contract stays at home: 容缺
        pilot.tap(toggle)
    materials_next(ui)
    pilot.wait_for_screen("commitment")
    body = app.screen("commitment").body
    assert "1. Housing lease contract (" in body, body
    assert "(" in body and not CHINESE_PUNCTUATION.search(HAN.sub("", body)), body
    pilot.tap(app.screen("commitment").ids.agree_toggle)
    pilot.tap(app.screen("commitment").ids.commitment_next)
    pilot.wait_for_screen("form")
    assert app.screen("form").label == "Mobile phone number"
    fill_form(ui, ["13912345678", "3000"])
    pilot.wait_for_screen("confirm")
    summary = app.screen("confirm").summary
    assert not HAN.search(summary.replace(app.screen("confirm").summary.split("Applicant[/b]  ")[1][:3], "")), summary
    assert "Amount to withdraw (yuan)[/b]  3000.00" in summary and "To supply: Housing lease contract;" in summary


def test_a_choice_reads_in_english_and_is_sent_as_the_catalogs_chinese(ui) -> None:
    """证明用途 shows "Employment"; the application the platform receives says 就业, the catalog's value."""
    pilot, app = ui.pilot, ui.app
    open_item(ui, ITEM)
    app.access.set_language("en")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not app.screen("materials").loading, "the materials list")
    pilot.wait_for_text(MATERIAL_EN)
    for toggle in app.screen("materials").ids.material_list.children:
        pilot.tap(toggle)  # both materials at hand
    materials_next(ui)
    fill_form(ui, ["13912345678", "Employment"])
    pilot.wait_for_screen("confirm")
    summary = app.screen("confirm").summary
    assert f"Service[/b]  {ITEM_EN}" in summary and "What the certificate is for[/b]  Employment" in summary, summary
    pilot.tap_text(_("confirm.submit"))
    pilot.wait_for_screen("result", timeout=30)
    receipt = app.screen("result").receipt_number
    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt]))
    assert len(rows) == 1
    import json

    assert json.loads(rows[0]["body"])["form"]["purpose"] == "就业"
    # On paper the English name with the office's Chinese beside it, for the window where it is handed over.
    pilot.wait_until(lambda: app.screen("result").printed, "the receipt to print")
    printed = [job.data.decode("gb18030", "replace") for job in ui.runtime.virtual_printer.jobs]
    receipt_text = next(text for text in printed if receipt in text)
    assert re.sub(r"\s+", "", f"{ITEM_EN} ({ITEM})") in re.sub(r"\s+", "", receipt_text), receipt_text


def test_switching_to_english_on_the_materials_and_form_keeps_what_was_ticked_and_typed(ui) -> None:
    pilot, app = ui.pilot, ui.app
    open_item(ui, ITEM)
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    materials = app.screen("materials")
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not materials.loading, "the materials list")
    pilot.tap_text("居民户口簿")
    app.access.set_language("en")
    pilot.wait_for_text(MATERIAL_EN)  # the list again, in English
    assert materials.ticked() == ["居民户口簿"] and materials.item_name == ITEM_EN
    pilot.tap_text("Resident ID card")
    materials_next(ui)
    pilot.wait_for_screen("form")
    form = app.screen("form")
    pilot.type_keys("13912345678")
    app.access.set_language("zh_CN")
    pilot.wait_until(lambda: form.label == "联系电话", "the label in Chinese")
    assert form.value == "13912345678"  # what was typed stays
    pilot.tap(form.ids.form_next)
    app.access.set_language("en")
    pilot.wait_for_text("Employment")  # the choices turned English with the rest
    pilot.tap_text("Employment")
    pilot.wait_for_screen("confirm")
    assert "What the certificate is for[/b]  Employment" in app.screen("confirm").summary


def test_the_certificates_used_are_listed_in_english_on_one_line(ui) -> None:
    """使用电子证照 in English: "Electronic certificates used: Resident ID card, Household register (hukou
    booklet)", the materials they stand for in the citizen's words (the platform's titles are Chinese)."""
    pilot, app = ui.pilot, ui.app
    open_item(ui, ITEM)
    app.access.set_language("en")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    materials = app.screen("materials")
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not materials.loading, "the materials list")
    pilot.tap(materials.ids.use_certificates)
    pilot.wait_until(lambda: bool(materials.certificates_text), "the certificates used")
    assert materials.certificates_text == _("finish.cert.used", title=f"Resident ID card, {MATERIAL_EN}")
    assert not HAN.search(materials.certificates_text)


def test_the_appointment_days_fit_their_chips_and_the_item_reads_in_english(ui) -> None:
    """The day chips said "12-02\\nWednesday": five share a row, and the weekday broke mid-word ("Wednes" /
    "day") and spilled out of the chip. Short weekdays, and the item's English name above them."""
    pilot, app = ui.pilot, ui.app
    open_item(ui, "居民身份证到期换领预约")
    app.access.set_language("en")
    apply_from_guide(ui)
    identify_with_code(ui, "410305199007204512")  # 王小明
    pilot.wait_for_screen("appointment")
    screen = app.screen("appointment")
    pilot.wait_until(lambda: screen.stage == "choose", "the slot list")
    pilot.frames(2)
    assert screen.item_name == "Appointment to renew an expiring resident ID card"
    chips = list(screen.ids.appt_days.children)
    assert chips
    for chip in chips:
        weekday = chip.text.split("\n")[1]
        assert weekday in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), chip.text
        assert chip.texture_size[1] <= chip.height and chip.texture_size[0] <= chip.width, \
            (chip.text, chip.texture_size, chip.size)


def test_the_progress_of_an_application_reads_in_english_and_its_record_can_be_read(ui) -> None:
    """The progress screen named the item in Chinese in English, and in 长辈模式 the explanation left the record
    a sliver of the screen: what the status means and the record now scroll together above the buttons."""
    from kivy.metrics import dp

    pilot, app = ui.pilot, ui.app
    app.access.set_language("en")
    app.access.set_elder(True)
    app.counter.open_progress()
    pilot.wait_for_screen("progress")
    pilot.type_keys("20261101000001")  # 户籍证明开具, ready for pickup (sandbox seed)
    pilot.tap_text(_("desk.entry.confirm"), exact=True)
    screen = app.screen("progress")
    pilot.wait_until(lambda: screen.stage == "status", "the status")
    pilot.frames(3)
    assert screen.item_name == "Household registration certificate"
    assert screen.ids.item_name.text.replace("\n", " ") == "Household registration certificate"  # wrapped on the glass
    scroll = screen.ids.details_scroll
    history = screen.ids.history
    assert history.text and history.height > 0
    assert scroll.height >= dp(120), scroll.height  # room to read, not a sliver
    if history.height + screen.ids.explain.height > scroll.height:  # more than fits: it scrolls to the record
        scroll.scroll_y = 0
        pilot.frames(2)
        assert history.to_window(0, history.y)[1] >= scroll.to_window(0, scroll.y)[1] - 1
