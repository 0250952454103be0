"""Touch-only input in the real window: every character is typed with the on-screen keys (no hardware key
events), and each flow completes against the sandbox platform."""

from __future__ import annotations

import json

import pytest
from uisteps import apply_from_guide, materials_next, submit, tick_materials

from kiosk.i18n import translate as _
from kiosk.pinyin import handwriting
from kiosk.pinyin.lexicon import lexicon_if_loaded

pytestmark = pytest.mark.ui

SHOP = "91410105MA9K3F7T28"  # 郑州市金水区惠民便利店有限公司


def identify(ui) -> None:
    """The demo citizen 王小明 shows his electronic social security card (a QR code the platform verifies) to
    the camera: a verified identity, what records and applications need. He is the legal representative of
    the demo shop. (Typing an ID number is tested elsewhere; it only claims an identity.)"""
    pilot = ui.pilot
    pilot.wait_for_screen("identify")
    ui.app.demo.identity_qr("social_card")
    pilot.wait_until(lambda: pilot.current not in ("identify", "face"), "the identity check", timeout=60)


def open_item(ui, name: str) -> None:
    """As uisteps.open_item, but lets the catalog list settle first: it is rebuilt when the device states
    (availability) arrive, and a tap on a button of the old list would miss."""
    pilot = ui.pilot
    if pilot.current == "home":
        pilot.tap_text(_("home.start"))
        pilot.wait_for_screen("catalog")
    pilot.frames(10)
    pilot.tap_text(name)
    pilot.wait_for_screen("guide")


def wait_for_pinyin(ui) -> None:
    ui.pilot.wait_until(lambda: lexicon_if_loaded() is not None, "the pinyin lexicon", timeout=30)


def bottom_on_window(widget) -> float:
    return widget.to_window(widget.x, widget.y)[1]


def form(ui):
    return ui.app.screen("form")


def test_newborn_name_by_pinyin_with_candidates_completes_the_birth_certificate(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "出生医学证明首次签发")
    apply_from_guide(ui)
    identify(ui)
    tick_materials(ui, ["父母双方居民身份证"])
    materials_next(ui)
    pilot.wait_for_screen("form")
    assert form(ui).field.key == "child_name"
    keyboard = form(ui).ids.keyboard
    assert keyboard.layout == "pinyin" and keyboard.mode == "name"
    wait_for_pinyin(ui)
    # The surname: "zhang" offers 张 first in a name field.
    pilot.tap_keys("zhang")
    pilot.wait_until(lambda: keyboard.candidates, "candidates for zhang")
    assert len(keyboard.candidates) >= 8 and keyboard.candidates[0].text == "张"
    pilot.choose_candidate("张")
    # The given name, one character at a time; a wrong letter is taken back with the delete key.
    pilot.tap_keys("haoo")
    pilot.tap_key("back")
    assert keyboard.composing == "hao"
    pilot.choose_candidate("浩")
    pilot.tap_keys("yu")
    pilot.choose_candidate("宇")
    assert form(ui).value == "张浩宇" and keyboard.composing == ""
    pilot.wait_for_text("张浩宇")  # shown in the field, above the keyboard
    assert bottom_on_window(form(ui).ids.field_value) >= keyboard.top  # the keyboard covers neither the
    assert bottom_on_window(form(ui).ids.form_next) >= keyboard.top  # field nor the button
    scroll = form(ui).ids.form_scroll
    assert bottom_on_window(form(ui).ids.field_value) >= scroll.y  # and the field is scrolled into view
    pilot.tap(form(ui).ids.form_next)
    # The birth date on the date pad (digits only, no dead keys), then the phone on the phone pad (no X).
    assert form(ui).field.key == "child_birth_date" and keyboard.layout == "date"
    pilot.tap_keys("20261115")
    pilot.tap(form(ui).ids.form_next)
    assert form(ui).field.type == "phone" and keyboard.layout == "phone"
    with pytest.raises(AssertionError):
        pilot.keyboard_key("X")
    pilot.tap_keys("13912345678")
    pilot.tap(form(ui).ids.form_next)
    submit(ui)
    pilot.wait_for_screen("result", timeout=30)
    receipt = ui.app.screen("result").receipt_number
    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt]))
    assert len(rows) == 1
    assert json.loads(rows[0]["body"])["form"]["child_name"] == "张浩宇"


def test_credit_code_with_a_wrong_check_character_is_refused_at_the_field_then_corrected(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "企业信用报告打印")
    apply_from_guide(ui)
    identify(ui)
    pilot.wait_for_screen("form")
    keyboard = form(ui).ids.keyboard
    assert form(ui).field.type == "credit_code" and keyboard.layout == "credit_code"
    for letter in "IOSVZ":  # not in the GB 32100 alphabet: no such key
        with pytest.raises(AssertionError):
            pilot.keyboard_key(letter)
    pilot.tap_keys(SHOP[:17] + "9")  # the right check character is 8
    # Said at the field as soon as the 18th character is typed, before any "next".
    pilot.wait_for_text("统一社会信用代码第18位校验不对")
    assert pilot.current == "form"
    pilot.tap(form(ui).ids.form_next)  # refused: still the form
    assert pilot.current == "form" and "第18位校验不对" in form(ui).error_text
    pilot.tap_key("back")
    assert form(ui).error_text == ""
    pilot.tap_keys("8")
    pilot.wait_for_text(_("keyboard.credit_code.ok"))
    pilot.tap(form(ui).ids.form_next)
    pilot.wait_for_screen("query")
    query = ui.app.screen("query")
    pilot.wait_until(lambda: query.state in ("ready", "failed"), "the query result", timeout=30)
    assert query.state == "ready", query.status_text
    assert ui.app.session.query_document.subject_name == "郑州市金水区惠民便利店有限公司"


def test_search_by_initials_finds_the_housing_fund_items_and_one_completes(ui) -> None:
    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    catalog = ui.app.screen("catalog")
    wait_for_pinyin(ui)
    pilot.tap(catalog.ids.search_box)
    assert catalog.ids.keyboard.layout == "latin"
    shown = []
    for letter in "GJJ":
        pilot.tap_key(letter)
        shown.append({button.code for button in catalog.ids.item_list.children})  # results after each key
    assert shown[-1] == {"GJJ-001", "GJJ-002", "GJJ-003"}
    assert len(shown[0]) > len(shown[-1])
    pilot.tap_key("hide")
    assert catalog.ids.keyboard.layout == ""
    pilot.tap_text("住房公积金缴存证明打印")
    pilot.wait_for_screen("guide")
    apply_from_guide(ui)
    identify(ui)
    pilot.wait_for_screen("query")
    pilot.wait_until(lambda: ui.app.screen("query").state == "ready", "the query result", timeout=30)


def test_address_offers_the_kiosks_own_places_before_free_text(ui) -> None:
    """社会保障卡申领: the mailing address starts with taps (township, village), then the house number."""
    pilot = ui.pilot
    open_item(ui, "社会保障卡申领")
    apply_from_guide(ui)
    identify(ui)
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not ui.app.screen("materials").loading, "the materials list")
    materials = ui.app.screen("materials")
    for name in [m.name for m in ui.app.current_item().guide.materials if m.required and not m.shared]:
        pilot.tap_text(name)
    materials_next(ui)
    pilot.wait_for_screen("form")
    wait_for_pinyin(ui)
    while form(ui).field.key != "mail_address":
        field = form(ui).field
        if field.key == "child_name":
            pilot.tap_keys("wang")
            pilot.choose_candidate("王")
            pilot.tap_keys("yue")
            pilot.choose_candidate("悦")
        else:
            pilot.tap_keys("13912345678")
        pilot.tap(form(ui).ids.form_next)
    assert form(ui).address_stage == "township" and form(ui).ids.keyboard.layout == ""
    pilot.tap_text("兴达路街道", exact=True)
    pilot.tap_text("庙李村", exact=True)
    assert form(ui).ids.keyboard.layout == "pinyin"
    pilot.tap_keys("12")
    pilot.tap_keys("hao")
    pilot.choose_candidate("号")
    assert form(ui).value == "河南省郑州市金水区兴达路街道庙李村12号"
    pilot.tap(form(ui).ids.form_next)
    pilot.wait_until(lambda: pilot.current != "form", "the form to be done")
    assert materials is not None


@pytest.mark.skipif(not handwriting.available(), reason="zinnia + its Simplified Chinese model not installed")
def test_a_character_written_on_the_pad_is_offered_and_chosen(ui) -> None:
    """The writing pad (Zinnia, Debian's Simplified Chinese model) on a name field: 十 drawn with a finger."""
    pilot = ui.pilot
    wait_for_pinyin(ui)
    catalog = ui.app.catalog_state.catalog
    form(ui).start(catalog.item("WJ-001"), {}, first_field="child_name")  # straight to the field
    ui.app.go("form")
    pilot.wait_for_screen("form")
    keyboard = form(ui).ids.keyboard
    pilot.tap_keys("wang")
    pilot.choose_candidate("王")
    pilot.tap_key("hand")
    assert keyboard.writing and keyboard.pad is not None
    pilot.draw(keyboard.pad, [(0.15 + 0.07 * i, 0.5) for i in range(11)])  # 一 …
    pilot.draw(keyboard.pad, [(0.5, 0.15 + 0.07 * i) for i in range(11)])  # … then 丨: 十
    pilot.wait_until(lambda: any(c.text == "十" for c in keyboard.candidates), "十 among the candidates")
    pilot.choose_candidate("十")
    assert form(ui).value == "王十" and keyboard.pad.strokes == []  # the pad is clear for the next one
    pilot.tap_key("pinyin")
    assert not keyboard.writing
    pilot.tap_keys("yi")
    pilot.choose_candidate("一")
    assert form(ui).value == "王十一"
