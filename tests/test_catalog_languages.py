"""The catalog carries both languages (issue #13): English names and guide texts per item, served by the
platform, shown when the citizen switched to English, and Chinese wherever English is missing."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from cli.main import main
from kiosk.catalog import (
    TRANSLATABLE,
    CatalogError,
    item_text,
    load_catalog_file,
    localized,
    parse_catalog,
    translation_gaps,
)
from kiosk.sandbox.store import DATA_DIR

RAW = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
CATALOG = load_catalog_file(DATA_DIR / "catalog.json")


def has_chinese(text: str) -> bool:
    # Except inside brackets: a law or a Chinese web page is named in English, then in Chinese in brackets
    # ("Civil Code of the PRC, Article 1049 (《中华人民共和国民法典》)") so the citizen can find it.
    return any("\u4e00" <= char <= "\u9fff" for char in re.sub(r"\([^()]*\)", "", text))


def english_texts(item) -> list[str]:
    shown = localized(item, "en")
    guide = shown.guide
    return [shown.name, shown.department, guide.service_object, guide.result, *guide.conditions, *guide.process,
            *(material.name for material in guide.materials), *guide.legal_basis, *guide.review_standard,
            *guide.inquiry_channels, *filter(None, (guide.remedy, guide.fee.basis)),
            *(material.sample for material in guide.materials if material.sample)]


@pytest.mark.parametrize("item", CATALOG.items, ids=lambda item: item.code)
def test_every_demo_item_reads_in_english(item) -> None:
    assert translation_gaps(item) == []
    texts = english_texts(item)
    assert all(text and not has_chinese(text) for text in texts), [t for t in texts if has_chinese(t)]
    assert item_text(item, "name", "en") != item.name


def test_the_chinese_stays_what_it_was() -> None:
    item = CATALOG.item("GJJ-002")
    assert localized(item, "zh_CN") is item and item_text(item, "name", "zh_CN") == "住房公积金租房提取"
    english = localized(item, "en")
    # Materials keep their flags, in the same order: only the shown name changes.
    assert [m.waivable for m in english.guide.materials] == [m.waivable for m in item.guide.materials]
    assert english.guide.materials[2].name == "Housing lease contract" and item.guide.materials[2].name == "房屋租赁合同"
    # A law is cited in English followed by its title as enacted, in Chinese: the office finds it by that.
    assert english.guide.legal_basis[0] == "Regulations on the Administration of Housing Provident Funds, Article 24 " \
                                           "(《住房公积金管理条例》)"
    assert english.code == item.code and english.fields == item.fields  # what is sent is unchanged


def test_an_item_without_english_shows_chinese_and_is_still_valid() -> None:
    raw = copy.deepcopy(RAW)
    del raw["items"][0]["i18n"]
    raw["items"][1]["i18n"] = {"en": {"name": "Medical insurance enrolment record (print)"}}  # name only
    catalog = parse_catalog(raw, "<test>")
    bare, partial = catalog.items[0], catalog.items[1]
    assert localized(bare, "en") is bare
    for field in TRANSLATABLE:
        assert item_text(bare, field, "en") == item_text(bare, field, "zh_CN")
    assert localized(partial, "en").name == "Medical insurance enrolment record (print)"
    assert localized(partial, "en").guide.result == partial.guide.result  # the rest in Chinese
    assert [field for field, _ in translation_gaps(bare)] == ["i18n.en"]
    assert "i18n.en.result" in [field for field, _ in translation_gaps(partial)]


def test_a_translated_list_must_follow_the_chinese_one_for_one() -> None:
    raw = copy.deepcopy(RAW)
    item = next(i for i in raw["items"] if i["code"] == "GJJ-002")
    item["i18n"]["en"]["materials"] = item["i18n"]["en"]["materials"][:3]  # one material left untranslated
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "<test>")
    assert "item GJJ-002" in str(error.value) and "i18n.en.materials has 3 entries but the guide has 4" in str(error.value)


@pytest.mark.parametrize("field", ["legal_basis", "review_standard", "inquiry_channels", "material_samples"])
def test_a_translated_guide_list_of_another_length_is_refused_naming_the_field(field: str) -> None:
    raw = copy.deepcopy(RAW)
    english = next(i for i in raw["items"] if i["code"] == "GJJ-002")["i18n"]["en"]
    english[field] = [*english[field], "One more line that the Chinese guide does not have"]
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "<test>")
    assert "item GJJ-002" in str(error.value) and f"i18n.en.{field} has" in str(error.value)
    assert "translate each one, in the same order" in str(error.value)


def test_an_english_sample_for_a_material_without_a_chinese_one_is_refused_naming_the_material() -> None:
    raw = copy.deepcopy(RAW)
    english = next(i for i in raw["items"] if i["code"] == "HJ-001")["i18n"]["en"]
    assert english["material_samples"][0] == ""  # 居民身份证 has no sample
    english["material_samples"][0] = "Bring your resident ID card."
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "<test>")
    assert "item HJ-001" in str(error.value)
    assert "i18n.en.material_samples.0: material '居民身份证' has no sample in Chinese" in str(error.value)


def test_the_served_catalog_checks_clean_of_english_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "check", str(DATA_DIR / "catalog.json")]) == 0
    out = capsys.readouterr().out
    assert "ok (20 items)" in out and "(warning only)" not in out and "i18n" not in out


def test_localized_gives_the_rest_of_the_guide_in_english() -> None:
    certificate = localized(CATALOG.item("HJ-001"), "en").guide
    assert certificate.review_standard[0] == "Your identity matches the population register"
    assert certificate.inquiry_channels[0] == ("Hotline of the Household Registration Division of the Municipal "
                                               "Public Security Bureau: 110 (for anything that is not an "
                                               "emergency, call 0371-12345)")
    assert certificate.remedy.startswith("If you disagree with the result, within 60 days of receiving it")
    register = certificate.materials[1]
    assert register.name == "Household register (hukou booklet)"
    assert register.sample.startswith("Bring the original household register (hukou booklet)")
    assert register.sample_image == "household-register.png"  # the same picture in every language
    assert certificate.materials[0].sample == ""  # no sample in either language
    renewal = localized(CATALOG.item("HJ-003"), "en").guide
    assert renewal.fee.amount_yuan == 20 and "20 yuan per card" in renewal.fee.basis
    assert "发改价格〔2003〕2322号" in renewal.fee.basis  # the notice as the office knows it
    chinese = CATALOG.item("HJ-001").guide
    assert localized(CATALOG.item("HJ-001"), "zh_CN").guide.remedy == chinese.remedy
    assert chinese.remedy.startswith("对办理结果不服的") and chinese.materials[1].sample.startswith("交户口簿原件")


def test_a_missing_english_sample_shows_the_chinese_one_and_is_a_warning() -> None:
    raw = copy.deepcopy(RAW)
    raw_item = next(i for i in raw["items"] if i["code"] == "GJJ-002")
    raw_item["i18n"]["en"]["material_samples"][2] = ""  # the lease contract's model text, left untranslated
    del raw_item["i18n"]["en"]["remedy"]
    item = parse_catalog(raw, "<test>").item("GJJ-002")
    shown = localized(item, "en").guide
    assert shown.materials[2].sample.startswith("示范文本")  # Chinese rather than nothing
    assert shown.materials[1].sample.startswith("Bring the original debit card")
    assert shown.remedy.startswith("对办理结果不服的")
    gaps = dict(translation_gaps(item))
    assert set(gaps) == {"i18n.en.material_samples.2", "i18n.en.remedy"}
    assert "房屋租赁合同" in gaps["i18n.en.material_samples.2"]


def test_english_of_a_text_the_chinese_guide_lacks_is_shown_to_nobody() -> None:
    """A guide published before 审查标准/查询渠道/救济途径 existed still parses (`kiosk catalog check` names the
    gap); the English left in its i18n block is not shown, so a foreigner reads what everyone else reads."""
    raw = copy.deepcopy(RAW)
    raw_item = next(i for i in raw["items"] if i["code"] == "HJ-001")
    for key in ("review_standard", "inquiry_channels", "remedy"):
        del raw_item["guide"][key]
    english = localized(parse_catalog(raw, "<test>").item("HJ-001"), "en").guide
    assert (english.review_standard, english.inquiry_channels, english.remedy) == ((), (), "")


def test_law_titles_keep_their_chinese_and_samples_show_no_id_number() -> None:
    for item in CATALOG.items:
        english = localized(item, "en").guide
        for chinese, translated in zip(item.guide.legal_basis, english.legal_basis, strict=True):
            title = re.match(r"《[^》]+》", chinese)
            assert title and f"({title.group()}" in translated, (item.code, translated)
        for material in english.materials:
            assert not re.search(r"\d{17}[\dXx]", material.sample), "a sample shows only masked ID numbers"


def test_catalog_check_warns_about_missing_english_but_accepts_the_item(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = copy.deepcopy(RAW)
    del next(i for i in raw["items"] if i["code"] == "HJ-001")["i18n"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert main(["catalog", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ok (20 items)" in out
    assert f"{path}: item HJ-001: i18n.en: no en text" in out and "(warning only)" in out
    assert out.count("(warning only)") == 1  # the other 19 items carry their English


def test_the_platform_serves_both_languages(client) -> None:
    answer = client.catalog()
    item = answer.catalog.item("SB-003")
    assert item.name == "基本养老保险待遇申领（退休）"
    assert localized(item, "en").name == "Basic pension claim (retirement)"
    assert answer.raw["items"][0]["i18n"]["en"]["name"]  # on the wire, in the contract's shape


def test_english_words_find_items() -> None:
    from kiosk.search import search_items

    assert [i.code for i in search_items(CATALOG, "pension", lexicon=None)] == ["SB-003"]
    assert {i.code for i in search_items(CATALOG, "credit report", lexicon=None)} == {"ZX-001", "ZX-002"}
    assert [i.code for i in search_items(CATALOG, "公积金 提取", lexicon=None)]  # Chinese as before


@pytest.mark.ui
def test_a_citizen_who_switched_to_english_reads_the_catalog_and_guide_in_english(ui) -> None:
    from kiosk.i18n import translate as _

    app, pilot = ui.app, ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    app.access.toggle_language()
    try:
        pilot.wait_for_text("Housing provident fund withdrawal for rent")
        pilot.tap_text("Housing provident fund withdrawal for rent")
        pilot.wait_for_screen("guide")
        guide = app.screen("guide")
        assert guide.item_name == "Housing provident fund withdrawal for rent"
        assert guide.department == "Municipal Housing Provident Fund Management Centre"
        for text in ("Housing lease contract", "Neither you nor your spouse owns a home in this city",
                     "The centre reviews it", "The withdrawal is paid into your own bank card"):
            assert text in guide.body
        assert "房屋租赁合同" not in guide.body
    finally:
        app.end_session()  # the next citizen starts in Chinese
    pilot.wait_for_screen("home")
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    pilot.wait_for_text("住房公积金租房提取")


def test_ticket_services_come_from_the_categories_in_words_citizens_know() -> None:
    from kiosk.desk.service import service_label, ticket_services

    services = {service.name: service.department for service in ticket_services(CATALOG.items)}
    assert list(services)[:7] == ["社保医保", "公积金", "户籍", "不动产", "税务", "征信", "民政"]
    assert "医保" not in services and "市医疗保障局" not in services  # 社保 and 医保 share one window
    assert services["社保医保"] == "市人力资源和社会保障局"  # the queue the platform numbers (the contract)
    assert services["户籍"] == "市公安局户政管理支队"
    hall = {"社保医保": "市医疗保障局", "综合窗口": "市政务服务和数据管理局"}  # [kiosk] ticket_services
    assert [(s.name, s.department) for s in ticket_services(CATALOG.items, hall)] == list(hall.items())
    assert service_label("户籍", "en") == "Household registration (hukou)"
    assert service_label("综合窗口", "en") == "综合窗口"  # a hall's own name, as written


@pytest.mark.ui
def test_english_chosen_while_the_guide_is_shown_turns_the_whole_guide_english(ui) -> None:
    """The top bar's English toggle on the guide: the item's name, department and every section change, not only
    the words the kv rules bind (the guide's sections are set from Python)."""
    from kiosk.i18n import translate as _

    app, pilot = ui.app, ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    pilot.tap_text("住房公积金租房提取")
    pilot.wait_for_screen("guide")
    guide = app.screen("guide")
    pilot.wait_until(lambda: guide.complete, "the whole guide")
    assert "房屋租赁合同" in guide.body
    try:
        pilot.tap(app.top_bar.ids.language_toggle)  # "English" in the top bar
        pilot.wait_until(lambda: guide.complete and "Housing lease contract" in guide.body, "the guide in English")
        assert guide.item_name == "Housing provident fund withdrawal for rent"
        assert "房屋租赁合同" not in guide.body
        pilot.wait_for_text("Housing lease contract")  # on the glass, not only in the property
    finally:
        app.end_session()


def test_a_form_fields_english_must_name_a_field_and_follow_its_choices() -> None:
    raw = copy.deepcopy(RAW)
    english = next(i for i in raw["items"] if i["code"] == "HJ-001")["i18n"]["en"]
    english["fields"]["purpose"]["choices"] = english["fields"]["purpose"]["choices"][:3]
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "<test>")
    assert "item HJ-001" in str(error.value)
    assert "i18n.en.fields.purpose.choices has 3 entries but the field has 4 choices" in str(error.value)

    raw = copy.deepcopy(RAW)
    english = next(i for i in raw["items"] if i["code"] == "HJ-001")["i18n"]["en"]
    english["fields"]["phone_number"] = english["fields"].pop("phone")
    with pytest.raises(CatalogError) as error:
        parse_catalog(raw, "<test>")
    assert "i18n.en.fields.phone_number: the item has no field 'phone_number'; translate one of phone, purpose" \
        in str(error.value)


def test_a_form_field_without_english_is_a_warning_and_shows_its_chinese() -> None:
    from kiosk.shown_names import shown_names

    raw = copy.deepcopy(RAW)
    english = next(i for i in raw["items"] if i["code"] == "HJ-001")["i18n"]["en"]
    del english["fields"]["purpose"]
    item = next(i for i in parse_catalog(raw, "<test>").items if i.code == "HJ-001")
    assert ("i18n.en.fields.purpose", "no en label for the form field '证明用途': it shows in Chinese") \
        in translation_gaps(item)
    purpose = next(f for f in item.fields if f.key == "purpose")
    names = shown_names(item, "en")
    assert names.label(purpose) == "证明用途" and names.value(purpose, "就业") == "就业"
    assert names.item == "Household registration certificate"


def test_shown_names_translate_for_display_and_keep_chinese_otherwise() -> None:
    from kiosk.shown_names import shown_names

    item = next(i for i in CATALOG.items if i.code == "HJ-001")
    purpose = next(f for f in item.fields if f.key == "purpose")
    english, chinese = shown_names(item, "en"), shown_names(item, "zh_CN")
    assert english.material("居民户口簿") == "Household register (hukou booklet)"
    assert english.label(purpose) == "What the certificate is for"
    assert english.value(purpose, "出国（境）") == "Going abroad (incl. Hong Kong, Macao, Taiwan)"
    assert english.material("不在目录里的材料") == "不在目录里的材料"  # not the item's: shown as it is
    assert (chinese.item, chinese.material("居民户口簿"), chinese.label(purpose), chinese.value(purpose, "就业")) \
        == ("户籍证明开具", "居民户口簿", "证明用途", "就业")
