"""Elder mode's plain words: terms in a guide become words an elderly citizen understands."""

from __future__ import annotations

from kiosk.glossary import glossary, plain, terms_in


def test_the_legal_time_limit_reads_as_plain_words() -> None:
    assert plain("法定办结时限：20个工作日", "zh_CN") == "法律规定最多几天办完：20个上班日（不算周末和节假日）"


def test_the_longest_term_wins_and_replacements_are_not_replaced_again() -> None:
    text = "承诺办结时限5个工作日，法定办结时限20个工作日"
    result = plain(text, "zh_CN")
    assert "我们保证几天办完" in result and "法律规定最多几天办完" in result
    assert "办结时限" not in result
    # "受理" inside the plain words of 容缺受理 is not replaced a second time.
    assert plain("容缺受理", "zh_CN") == "材料没带全也先受理，之后补交"


def test_english_terms_match_without_case() -> None:
    assert plain("Legal time limit: 20 days", "en") == "the most days the law allows: 20 days"


def test_terms_in_lists_each_term_once_in_order() -> None:
    assert terms_in("受理号ZW1；受理号ZW2；申请人", "zh_CN") == [("受理号", "办事单号"), ("申请人", "办事的人")]


def test_both_languages_have_a_list_and_text_without_terms_is_unchanged() -> None:
    assert len(glossary("zh_CN")) >= 20 and len(glossary("en")) >= 10
    assert plain("请刷身份证", "zh_CN") == "请刷身份证"
    assert plain("", "zh_CN") == ""
