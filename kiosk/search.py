"""Catalog search that needs few key presses: Chinese words, full pinyin or initials, after every key.

``shebao`` and ``sb`` find the 社保 items, ``gjj`` and ``gongjijin`` the 住房公积金 ones, ``hukou`` the 户籍
ones (through the everyday words in ``SYNONYMS``). Letters match a run of consecutive syllables of an item's
name, category or department (or of a synonym), each syllable typed in full or by its first letters, so a
citizen may stop spelling any syllable early. Heteronyms match by any reading (银行 by ``yinhang``).

Pinyin needs the lexicon's character readings; while it is still loading (the first seconds after start)
only Chinese and Latin text match, so the search box never waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from kiosk.catalog import Catalog, CatalogItem, item_text
from kiosk.pinyin.lexicon import Lexicon, lexicon_if_loaded

# Everyday words citizens type for what the catalog names formally: the key finds items containing a value.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "社保": ("社会保险", "社会保障"),
    "医保": ("医疗保险",),
    "户口": ("户籍",),
    "身份证": ("居民身份证",),
    "个税": ("个人所得税",),
    "房产": ("不动产",),
    "无房": ("无房证明",),
    "结婚": ("婚姻登记",),
    "生孩子": ("新生儿", "出生"),
    "出生证": ("出生医学证明",),
    "养老": ("养老保险", "退休"),
    "信用": ("信用报告", "征信"),
    "营业执照": ("统一社会信用代码", "企业"),
}


@dataclass(frozen=True, slots=True)
class _Indexed:
    item: CatalogItem
    texts: tuple[str, ...]  # name, category, department and synonyms that apply, for Chinese matching
    readings: tuple[tuple[tuple[str, ...], ...], ...]  # per text: per character, its readings


def _texts(item: CatalogItem) -> tuple[str, ...]:
    texts = [item.name, item.category, item.department]
    for word, meanings in SYNONYMS.items():
        if any(meaning in text for meaning in meanings for text in texts[:3]):
            texts.append(word)
    # A citizen who switched to English types English words: the item's English name finds it too (issue #13).
    texts += [text for text in (item_text(item, "name", "en"), item_text(item, "department", "en")) if text not in texts]
    return tuple(texts)


def _index(catalog: Catalog, lexicon: Lexicon | None) -> tuple[_Indexed, ...]:
    indexed = []
    for item in catalog.items:
        texts = _texts(item)
        readings = tuple(tuple(lexicon.readings(ch) if lexicon else () for ch in text) for text in texts)
        indexed.append(_Indexed(item, texts, readings))
    return tuple(indexed)


_recent: list[tuple[Catalog, Lexicon | None, tuple[_Indexed, ...]]] = []


def _cached_index(catalog: Catalog, lexicon: Lexicon | None) -> tuple[_Indexed, ...]:
    # By identity, not by value: hashing a whole catalog on every key press would cost more than the search.
    for known_catalog, known_lexicon, indexed in _recent:
        if known_catalog is catalog and known_lexicon is lexicon:
            return indexed
    indexed = _index(catalog, lexicon)
    _recent.insert(0, (catalog, lexicon, indexed))
    del _recent[4:]
    return indexed


def matches_letters(letters: str, readings: tuple[tuple[str, ...], ...]) -> bool:
    """Do the letters spell consecutive syllables of the text, each in full or by a prefix?"""
    count = len(readings)

    @cache
    def from_here(char: int, typed: int) -> bool:
        if typed == len(letters):
            return True
        if char == count:
            return False
        for reading in readings[char]:
            # The longest prefix of this syllable that the letters spell; any shorter prefix may continue.
            longest = 0
            while longest < len(reading) and typed + longest < len(letters) and reading[longest] == letters[typed + longest]:
                longest += 1
            for used in range(longest, 0, -1):
                if typed + used == len(letters) or from_here(char + 1, typed + used):
                    return True
        return False

    return any(from_here(start, 0) for start in range(count) if readings[start])


_LOADED: Any = object()  # "whatever lexicon is in memory now"


def search_items(catalog: Catalog, text: str, lexicon: Lexicon | None = _LOADED) -> list[CatalogItem]:
    """Items matching every word of ``text``: Chinese words by substring (synonyms included), words made of
    letters by pinyin or initials (or a substring of the item code); an empty text finds everything.
    ``lexicon=None`` searches without pinyin."""
    if lexicon is _LOADED:
        lexicon = lexicon_if_loaded()
    words = [w.casefold() for w in text.replace("，", " ").split()]
    if not words:
        return list(catalog.items)
    found = []
    for entry in _cached_index(catalog, lexicon):
        haystack = " ".join((*entry.texts, entry.item.code)).casefold()
        if all(word in haystack or (word.isascii() and word.isalpha()
                                    and any(matches_letters(word, r) for r in entry.readings))
               for word in words):
            found.append(entry.item)
    return found
