"""Messages in gettext catalogs (issue #13): every message exists in every language, with the same
placeholders; TOML → .po → .mo keeps every message; the kiosk compiles a missing .mo itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk import i18n, i18n_po

# The glossary is a word list per language (term → plain words), not a set of messages to translate.
PER_LANGUAGE = ("glossary.",)
PLACEHOLDER = re.compile(r"\{([a-z_0-9]*)[^}]*\}")


def messages(language: str) -> dict[str, str]:
    """key → text; a message with plural forms by its first form ("confirm.days#1" is English's second)."""
    return {key: text for key, text in i18n.catalog(language).items()
            if not key.startswith(PER_LANGUAGE) and i18n.PLURAL_SEPARATOR not in key}


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE])
def test_every_message_exists_in_every_language(language: str) -> None:
    source, translated = messages(i18n.DEFAULT_LANGUAGE), messages(language)
    missing = sorted(set(source) - set(translated))
    extra = sorted(set(translated) - set(source))
    assert not missing, f"{len(missing)} messages have no {language} text: {missing[:30]}"
    assert not extra, f"{len(extra)} {language} messages have no Chinese source: {extra[:30]}"
    empty = sorted(key for key, text in translated.items() if not text.strip() and source[key].strip())
    assert not empty, f"empty {language} texts: {empty[:30]}"


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE])
def test_placeholders_are_the_same_in_every_language(language: str) -> None:
    source, translated = messages(i18n.DEFAULT_LANGUAGE), messages(language)
    different = [key for key in source if key in translated
                 and set(PLACEHOLDER.findall(source[key])) != set(PLACEHOLDER.findall(translated[key]))]
    assert not different, f"placeholders differ between zh_CN and {language}: {different[:30]}"


def test_toml_to_po_to_mo_keeps_every_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locale = tmp_path / "locale"
    for language, texts in (("zh_CN", ('start = "点击开始办理"', 'wait = "前面还有{count}人"', 'same = "确认"')),
                            ("en", ('start = "Tap to start"', 'wait = "{count} people ahead"', 'same = "OK"'))):
        (locale / language).mkdir(parents=True)
        (locale / language / "home.toml").write_text("[home]\n" + "\n".join(texts) + "\n", encoding="utf-8")
        (locale / language / "other.toml").write_text('[other]\nsame = "确认"\n' if language == "zh_CN"
                                                       else '[other]\nsame = "Confirm"\n', encoding="utf-8")
    written = i18n_po.convert(locale, ("zh_CN", "en"))
    assert {path.name for path in written} == {"kiosk.po", "kiosk.pot"}
    po_text = (locale / "en" / "LC_MESSAGES" / "kiosk.po").read_text(encoding="utf-8")
    # A translator sees the Chinese sentence as the source, the key as context, the English as translation.
    assert 'msgctxt "home.start"\nmsgid "点击开始办理"\nmsgstr "Tap to start"' in po_text
    assert "#, python-brace-format" in po_text
    for path in locale.glob("*/*.toml"):
        path.unlink()
    # Without a compiled .mo beside the .po, the first load compiles one into the cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.catalog.cache_clear()
    try:
        assert i18n.translate("home.start", "en") == "Tap to start"
        assert i18n.translate("home.wait", "zh_CN", count=3) == "前面还有3人"
        # One Chinese text in two places stays two messages: "确认" is "OK" here and "Confirm" there.
        assert i18n.translate("home.same", "en") == "OK" and i18n.translate("other.same", "en") == "Confirm"
        assert list((tmp_path / "cache" / "gov-kiosk").glob("*.mo"))
    finally:
        i18n.catalog.cache_clear()


def test_a_compiled_mo_beside_the_po_is_used(tmp_path: Path) -> None:
    po = tmp_path / "kiosk.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgctxt "nav.home"\nmsgid "返回首页"\nmsgstr "Home"\n', encoding="utf-8")
    mo = i18n_po.compile_mo(po, tmp_path / "kiosk.mo")
    assert i18n_po.mo_messages(mo) == {"nav.home": "Home"}


def test_an_electronic_material_promises_no_upload_the_kiosk_cannot_take() -> None:
    """Issue #17: the guide and the materials list said "电子版，可扫码上传" for an upload by QR code that does not
    exist. An electronic material is fetched by the platform (data sharing, 电子证照) or brought; its note says so."""
    from kiosk.catalog import Material
    from kiosk.rules.materials import requirement_note

    photo = Material(name="新生儿近期免冠电子照片", form="electronic")
    assert requirement_note(photo, "zh_CN") == "电子版"
    assert requirement_note(photo, "en") == "electronic copy"
    for language in ("zh_CN", "en"):
        promises = [key for key, text in i18n.catalog(language).items() if "扫码上传" in text or "uploaded by QR" in text]
        assert promises == [], f"{language}: {promises}"


def test_counts_take_the_plural_form_of_the_language() -> None:
    """English said "1 working day(s)" and "2 copy(ies)": messages with a count have gettext plural forms."""
    assert i18n.translate("flows.material.form.copy", "en", count=1) == "photocopy, 1 copy"
    assert i18n.translate("flows.material.form.copy", "en", count=2) == "photocopy, 2 copies"
    assert i18n.translate("confirm.days", "en", days=1) == "1 working day"
    assert i18n.translate("confirm.days", "en", days=15) == "15 working days"
    assert i18n.translate("finish.mine.ready", "en", count=3) == "3 results ready to collect"
    assert i18n.translate("confirm.days", "zh_CN", days=15) == "15个工作日"
    assert i18n.translate("flows.material.form.original", "zh_CN", count=1) == "原件1份"
    assert not any("(s)" in text or "(ies)" in text for text in messages("en").values())


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_the_plural_rule_in_code_is_the_catalogs_own(language: str) -> None:
    import gettext

    header = i18n_po.po_path(i18n.LOCALE_DIR, language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    expression = re.search(r"Plural-Forms: nplurals=\d+; plural=([^;]+);", header).group(1)
    rule = gettext.c2py(expression)
    assert all(i18n.PLURAL_FORM[language](n) == rule(n) for n in range(0, 30))
