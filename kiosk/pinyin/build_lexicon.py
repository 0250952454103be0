"""Build the pinyin lexicon (kiosk/pinyin/data/lexicon.gz) from data that ships in registry packages.

    pip install -e '.[lexicon]'         # pypinyin (readings) and jieba (word frequencies), build time only
    python -m kiosk.pinyin.build_lexicon

The result ships in the repository, so a kiosk needs neither package at run time. Sources:
- pypinyin: every reading of every character (heteronyms included) and the reading of phrases;
- jieba's dict.txt: word frequencies and part-of-speech tags (``nr`` = a person's name);
- our own words: the demo catalog's item names and their parts, the catalog screen's keyword chips, the
  demo citizens' and enterprises' names (kiosk/sandbox/data), so a citizen finds them by initials.

The file is gzip'd UTF-8 text, deterministic (mtime 0, sorted), in three parts:

    GKLEX1
    syllables <every toneless syllable, space separated>
    buckets <n>
    <acronym>\t<start>\t<end>        n lines: character offsets into the body
    <body>                           lines: word\tsyllables joined by '\tscore\tflags

The body is sorted by acronym (first letter of each syllable), then by score, best first, so a lookup reads
one contiguous slice. ``score`` is 10·ln(frequency), ``flags`` is ``n`` for a person's name or ``-``.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "data" / "lexicon.gz"
REPO = HERE.parent
MAX_SYLLABLES = 8
_HANZI = re.compile(r"^[\u4e00-\u9fff]+$")
OWN_WORD_SCORE = 160  # above almost every jieba word: the kiosk's own vocabulary comes first
NAME_SCORE = 150


def _toneless(reading: str) -> str:
    from pypinyin.contrib.tone_convert import to_normal

    return to_normal(reading).replace("ü", "v")


def _score(frequency: int) -> int:
    return int(10 * math.log(max(frequency, 1)))


def _word_syllables(word: str) -> list[str] | None:
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.NORMAL, v_to_u=False, errors="ignore")
    if len(syllables) != len(word) or not all(s.isalpha() and s.isascii() for s in syllables):
        return None
    return syllables


def _jieba_entries() -> dict[str, tuple[int, str]]:
    import jieba

    words: dict[str, tuple[int, str]] = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or not _HANZI.match(parts[0]):
            continue
        word, frequency, tag = parts[0], int(parts[1]), parts[2]
        words[word] = (frequency, tag)
    return words


def _keep_word(word: str, frequency: int, tag: str) -> bool:
    # A kiosk needs common words, not the long tail: the cut-offs keep the file small and the lists short.
    length = len(word)
    if length == 2:
        return frequency >= 10
    if length in (3, 4):
        return frequency >= 20 or (tag == "nr" and frequency >= 5)
    return length <= 6 and frequency >= 50


def _own_words() -> tuple[list[str], list[str]]:
    """(words, names): the demo catalog's vocabulary and the demo people's names."""
    import jieba

    catalog = json.loads((REPO / "sandbox" / "data" / "catalog.json").read_text(encoding="utf-8"))
    people = json.loads((REPO / "sandbox" / "data" / "citizens.json").read_text(encoding="utf-8"))
    words: list[str] = []
    for item in catalog["items"]:
        for text in (item["name"], item["category"], item["department"], *(f["label"] for f in item.get("fields", ()))):
            for chunk in re.findall(r"[\u4e00-\u9fff]+", text):
                words.append(chunk)
                words.extend(part for part in jieba.cut(chunk) if len(part) >= 2)
    from kiosk.i18n import catalog as messages

    keywords = messages("zh_CN").get("catalog.keywords", "")  # the UI's messages (gettext catalog, issue #13)
    words.extend(keywords.split())
    from kiosk.search import SYNONYMS

    for short, long in SYNONYMS.items():
        words.extend((short, *long))
    names = [person["name"] for person in people["citizens"]]
    for enterprise in people.get("enterprises", ()):
        words.extend(part for part in jieba.cut(enterprise["name"]) if len(part) >= 2)
    return words, names


def build() -> dict[str, int]:
    from pypinyin import pinyin_dict

    entries: dict[tuple[str, str], tuple[int, str]] = {}  # (word, syllables) -> (score, flags)

    def add(word: str, syllables: list[str], score: int, flags: str) -> None:
        key = (word, "'".join(syllables))
        old = entries.get(key)
        if old is None or score > old[0] or (flags == "n" and old[1] != "n"):
            entries[key] = (max(score, old[0]) if old else score, "n" if flags == "n" or (old and old[1] == "n") else "-")

    jieba_words = _jieba_entries()
    syllable_set: set[str] = set()
    # Single characters: GB2312 (the 6,763 everyday characters) plus any character jieba has seen as a word,
    # every reading; later readings rank below the first (pypinyin lists the usual reading first).
    for code_point, readings in pinyin_dict.pinyin_dict.items():
        char = chr(code_point)
        if not _HANZI.match(char):
            continue
        try:
            char.encode("gb2312")
            common = True
        except UnicodeEncodeError:
            common = False
        frequency = jieba_words.get(char, (0, ""))[0]
        if not common and frequency == 0:
            continue
        seen: list[str] = []
        for reading in readings.split(","):
            syllable = _toneless(reading)
            if syllable.isalpha() and syllable.isascii() and syllable not in seen:
                seen.append(syllable)
        for rank, syllable in enumerate(seen):
            syllable_set.add(syllable)
            # Outside GB2312 (rare or traditional forms such as 鎬) ranks well below the everyday characters.
            base = _score(frequency) + 5 if common else _score(frequency) - 40
            # A second reading (说 as yue, 块 as yue) must not crowd the usual characters of that syllable.
            add(char, [syllable], max(base if rank == 0 else min(base - 12 * rank, 60), 0), "-")
    for word, (frequency, tag) in jieba_words.items():
        if len(word) < 2 or not _keep_word(word, frequency, tag):
            continue
        syllables = _word_syllables(word)
        if syllables:
            add(word, syllables, _score(frequency), "n" if tag == "nr" else "-")
    own, names = _own_words()
    for word in own:
        syllables = _word_syllables(word)
        if syllables and len(syllables) <= MAX_SYLLABLES:
            add(word, syllables, OWN_WORD_SCORE, "-")
    for name in names:
        syllables = _word_syllables(name)
        if syllables:
            add(name, syllables, NAME_SCORE, "n")
    syllable_set -= {"ng", "hm", "hng", "m", "n"}  # interjections only; as syllables they break segmenting

    buckets: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for (word, syllables), (score, flags) in entries.items():
        parts = syllables.split("'")
        if not all(part in syllable_set for part in parts):
            continue
        acronym = "".join(part[0] for part in parts)
        buckets[acronym].append((score, word, syllables, flags))
    body_lines: list[str] = []
    index: list[str] = []
    offset = 0
    for acronym in sorted(buckets):
        rows = sorted(buckets[acronym], key=lambda row: (-row[0], row[1], row[2]))
        text = "".join(f"{word}\t{syllables}\t{score}\t{flags}\n" for score, word, syllables, flags in rows)
        index.append(f"{acronym}\t{offset}\t{offset + len(text)}")
        body_lines.append(text)
        offset += len(text)
    header = ["GKLEX1", "syllables " + " ".join(sorted(syllable_set)), f"buckets {len(index)}", *index]
    content = "\n".join(header) + "\n" + "".join(body_lines)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUTPUT, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
        out.write(content.encode("utf-8"))
    return {"entries": sum(len(rows) for rows in buckets.values()), "buckets": len(index),
            "syllables": len(syllable_set), "bytes": os.path.getsize(OUTPUT)}


if __name__ == "__main__":
    print(json.dumps(build(), ensure_ascii=False))
