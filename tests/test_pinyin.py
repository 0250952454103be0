"""The pinyin engine and the catalog search by pinyin, on the lexicon that ships with the kiosk (no window)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kiosk.catalog import load_catalog_file
from kiosk.pinyin import Lexicon, LexiconError, PinyinEngine, handwriting, shared_lexicon
from kiosk.pinyin.lexicon import LEXICON_FILE
from kiosk.search import matches_letters, search_items

CATALOG_FILE = Path(__file__).resolve().parent.parent / "kiosk" / "sandbox" / "data" / "catalog.json"


@pytest.fixture(scope="module")
def engine() -> PinyinEngine:
    return PinyinEngine(shared_lexicon())


def texts(engine: PinyinEngine, letters: str, mode: str = "text", position: int = 0, count: int = 8) -> list[str]:
    return [c.text for c in engine.candidates(letters, mode, position)[:count]]  # type: ignore[arg-type]


# -- full pinyin ----------------------------------------------------------------------------------------
def test_full_pinyin_gives_the_word_first(engine) -> None:
    assert texts(engine, "gongjijin")[0] == "公积金"
    assert texts(engine, "shebao")[0] == "社保"
    assert texts(engine, "nihao")[0] == "你好"
    assert texts(engine, "zhangjianguo")[0] == "张建国"


def test_a_spelled_out_syllable_beats_one_still_being_typed(engine) -> None:
    # "xian" is the syllable xian (先, 县 …), not the start of xiang (想): those come after.
    first = texts(engine, "xian")
    assert "先" in first and "想" not in first
    assert texts(engine, "xi'an")[0] == "西安"  # the apostrophe splits xi-an


def test_single_characters_for_one_syllable_most_common_first(engine) -> None:
    found = texts(engine, "zhong")
    assert found[0] == "中" and "种" in found


def test_heteronyms_are_found_by_every_reading(engine) -> None:
    assert "行" in texts(engine, "hang", count=20) and "行" in texts(engine, "xing", count=20)
    assert shared_lexicon().readings("行")[0] == "xing"  # the usual reading first


def test_shorter_candidates_keep_the_rest_of_the_letters(engine) -> None:
    found = engine.candidates("zhangjianguo")
    assert found[0].consumed == len("zhangjianguo")
    zhang = next(c for c in found if c.text == "张")
    assert zhang.consumed == len("zhang")  # picking 张 leaves "jianguo" to type on


# -- initials -------------------------------------------------------------------------------------------
def test_initials(engine) -> None:
    assert texts(engine, "zjg")[0] == "张建国"  # a demo citizen: in the lexicon
    assert texts(engine, "gjj")[0] == "公积金"
    assert "社保" in texts(engine, "sb")


def test_mixed_full_syllables_and_initials(engine) -> None:
    assert texts(engine, "zhangjg")[0] == "张建国"
    assert texts(engine, "gongjj")[0] == "公积金"


# -- names ----------------------------------------------------------------------------------------------
def test_name_mode_puts_surnames_first_for_the_first_character(engine) -> None:
    assert texts(engine, "zhang", mode="name")[0] == "张"
    assert texts(engine, "wang", mode="name")[0] == "王"
    assert texts(engine, "li", mode="name")[0] == "李"
    # In ordinary text 里/理 may come first; in a name the surname does.
    assert texts(engine, "ouyang", mode="name")[0] == "欧阳"


def test_name_mode_puts_given_name_characters_after_the_surname(engine) -> None:
    given = texts(engine, "jian", mode="name", position=1)
    assert given[0] == "建"
    assert texts(engine, "hao", mode="name", position=1)[0] in ("浩", "皓", "昊", "豪")
    assert texts(engine, "hao", mode="text")[0] == "好"  # the same letters in ordinary text


def test_whole_names_first_in_name_mode(engine) -> None:
    assert texts(engine, "lxy", mode="name")[0] == "李秀英"
    assert texts(engine, "wangxiaoming", mode="name")[0] == "王小明"


# -- paging ---------------------------------------------------------------------------------------------
def test_paging_walks_through_every_candidate_without_repeats(engine) -> None:
    first = engine.page("shi", 0)
    assert len(first.candidates) == 8 and first.pages > 3 and not first.has_previous and first.has_next
    seen: list[str] = []
    for number in range(first.pages):
        page = engine.page("shi", number)
        assert page.page == number
        seen.extend(c.text for c in page.candidates)
    assert len(seen) == len(set(seen)) == len(engine.candidates("shi"))
    last = engine.page("shi", first.pages - 1)
    assert last.has_previous and not last.has_next
    assert engine.page("shi", 999).page == first.pages - 1  # past the end: the last page


# -- empty and nonsense ---------------------------------------------------------------------------------
@pytest.mark.parametrize("letters", ["", "'", "   ", "123", "中文", "''''"])
def test_empty_input_has_no_candidates(engine, letters: str) -> None:
    assert engine.candidates(letters) == ()
    page = engine.page(letters)
    assert page.candidates == () and page.pages == 0 and not page.has_next


@pytest.mark.parametrize("letters", ["vvv", "iiii", "uuuu", "vqx"])
def test_nonsense_letters_have_no_candidates(engine, letters: str) -> None:
    # No syllable starts with v, i or u: nothing to offer, and no exception.
    assert engine.candidates(letters) == ()


def test_a_long_run_of_letters_answers_quickly_and_sensibly(engine) -> None:
    found = engine.candidates("zhangjianguozhangjianguozhangjianguo")
    assert found and all(len(c.text) <= 8 for c in found)


# -- the lexicon file -----------------------------------------------------------------------------------
def test_lexicon_contains_catalog_words_and_demo_names() -> None:
    lexicon = shared_lexicon()
    words = {entry.word for entry in lexicon.bucket("gjj")}
    assert "公积金" in words
    assert "张建国" in {entry.word for entry in lexicon.bucket("zjg")}
    assert "出生医学证明" in {entry.word for entry in lexicon.bucket("csyxzm")}


def test_words_added_at_run_time_are_found(engine) -> None:
    lexicon = Lexicon()
    assert lexicon.add_words(["婚育证明"]) == 1
    assert lexicon.add_words(["婚育证明"]) == 0  # once
    assert PinyinEngine(lexicon).candidates("hyzm")[0].text == "婚育证明"


def test_a_missing_or_broken_lexicon_says_how_to_rebuild_it(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="build_lexicon"):
        Lexicon(tmp_path / "none.gz")
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"not a lexicon\n1\n2\n"))
    with pytest.raises(LexiconError, match="rebuild"):
        Lexicon(broken)
    assert LEXICON_FILE.stat().st_size < 3_000_000  # compact enough to ship in the repository


# -- catalog search -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def catalog():
    return load_catalog_file(CATALOG_FILE)


def names(items) -> set[str]:
    return {item.name for item in items}


def test_search_by_initials_and_full_pinyin(catalog) -> None:
    lexicon = shared_lexicon()
    housing_fund = {item.name for item in catalog.items if "公积金" in item.name}
    assert housing_fund and names(search_items(catalog, "gjj", lexicon)) == housing_fund
    assert names(search_items(catalog, "gongjijin", lexicon)) == housing_fund
    social = names(search_items(catalog, "sb", lexicon))
    assert "社会保险个人参保证明打印" in social and "社会保障卡申领" in social
    assert names(search_items(catalog, "shebao", lexicon)) >= {"社会保险个人参保证明打印"}
    assert "户籍证明开具" in names(search_items(catalog, "hukou", lexicon))  # 户口 is what people say


def test_search_narrows_after_every_letter(catalog) -> None:
    lexicon = shared_lexicon()
    counts = [len(search_items(catalog, "gongjijin"[:n], lexicon)) for n in range(1, 10)]
    assert counts == sorted(counts, reverse=True) and counts[-1] >= 1


def test_search_chinese_and_nothing(catalog) -> None:
    lexicon = shared_lexicon()
    assert names(search_items(catalog, "提取", lexicon)) == {"住房公积金租房提取", "离退休提取住房公积金"}
    assert search_items(catalog, "qxz", lexicon) == []
    assert len(search_items(catalog, "", lexicon)) == len(catalog.items)


def test_search_without_the_lexicon_still_matches_chinese(catalog) -> None:
    assert names(search_items(catalog, "提取", None)) == {"住房公积金租房提取", "离退休提取住房公积金"}


def test_letters_match_consecutive_syllables_only() -> None:
    readings = (("gong",), ("ji",), ("jin",))
    assert matches_letters("gjj", readings) and matches_letters("gongjij", readings)
    assert matches_letters("jijin", readings) and not matches_letters("gjin", (("gong",), ("ji",)))
    assert not matches_letters("gj", (("gong",), ("bao",), ("ji",)))  # not consecutive


def test_letters_no_syllable_has_keep_what_comes_before(engine) -> None:
    found = engine.candidates("zhangvv")
    assert found[0].text in ("张", "长", "章") and found[0].consumed == len("zhang")


# -- handwriting (Zinnia with Debian's Simplified Chinese model) ------------------------------------------
def _line(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [(x0 + (x1 - x0) * i / 10, y0 + (y1 - y0) * i / 10) for i in range(11)]


@pytest.mark.skipif(not handwriting.available(), reason="zinnia + its Simplified Chinese model not installed")
def test_handwritten_strokes_are_recognised() -> None:
    recognizer = handwriting.shared_recognizer()
    assert recognizer is not None
    one = [_line(40, 150, 260, 150)]
    ten = [*one, _line(150, 40, 150, 260)]
    three = [_line(70, 70, 230, 70), _line(90, 150, 210, 150), _line(40, 235, 260, 235)]
    assert recognizer.recognize(one, 300, 300)[0] == "一"
    assert recognizer.recognize(ten, 300, 300)[0] == "十"
    assert recognizer.recognize(three, 300, 300)[0] == "三"
    # The pad's size does not matter: strokes are scaled to the model's square.
    assert recognizer.recognize([[(x * 2, y * 2) for x, y in s] for s in ten], 600, 600)[0] == "十"
    assert recognizer.recognize([], 300, 300) == []


def test_a_missing_handwriting_model_says_which_package(tmp_path: Path) -> None:
    with pytest.raises(handwriting.HandwritingUnavailable, match="tegaki-zinnia-simplified-chinese"):
        handwriting.HandwritingRecognizer(tmp_path / "none.model")


# -- the kiosk's own places (address choices) -----------------------------------------------------------
def test_places_come_from_the_config_the_demo_or_nowhere() -> None:
    from types import SimpleNamespace

    from pydantic import ValidationError

    from kiosk.places import DEMO_PLACES, Places, places_for

    own = Places(prefix="河南省新乡市辉县市", townships={"城关街道": ("东关村", "西关村")})
    assert places_for(SimpleNamespace(places=own, platform=SimpleNamespace(url="https://x"))) is own
    assert places_for(SimpleNamespace(platform=SimpleNamespace(url="embedded"))) is DEMO_PLACES
    assert places_for(SimpleNamespace(platform=SimpleNamespace(url="https://zwfw.example.gov.cn"))) is None
    assert own.address("城关街道", "东关村", " 3组12号 ") == "河南省新乡市辉县市城关街道东关村3组12号"
    with pytest.raises(ValidationError, match="no village"):
        Places(prefix="河南省新乡市", townships={"城关街道": ()})
