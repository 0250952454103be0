"""The pinyin lexicon: words and characters grouped by acronym (the first letter of each syllable).

Loaded from the gzip'd file that ``build_lexicon`` writes (format described there). The body stays one
string; a lookup slices the bucket of one acronym and splits only that, so loading is a decompress plus an
index of a few tens of thousands of lines, and memory is the text itself. Words added at run time (the
catalog the platform served) live in a small overlay.

``shared_lexicon()`` loads once per process, on whichever thread asks first; the App asks from a worker
thread after the first frame (``preload_in_background``), so no frame waits for it.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PARSED_BUCKETS = 256
LEXICON_FILE = Path(__file__).resolve().parent / "data" / "lexicon.gz"


class LexiconError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    word: str
    syllables: tuple[str, ...]
    score: int
    is_name: bool  # a person's name (jieba's ``nr`` tag, or a demo citizen)


class Lexicon:
    def __init__(self, path: Path = LEXICON_FILE) -> None:
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
        except FileNotFoundError:
            raise LexiconError(f"pinyin lexicon {path}: file not found; build it with "
                               "`python -m kiosk.pinyin.build_lexicon` (needs the [lexicon] extra)") from None
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise LexiconError(f"pinyin lexicon {path}: unreadable ({error}); rebuild it with "
                               "`python -m kiosk.pinyin.build_lexicon`") from None
        lines_end = 0
        header: list[str] = []
        # Header: magic, syllables, bucket count, then one index line per bucket.
        for _ in range(3):
            end = text.index("\n", lines_end)
            header.append(text[lines_end:end])
            lines_end = end + 1
        if header[0] != "GKLEX1":
            raise LexiconError(f"pinyin lexicon {path}: not a lexicon file (starts {header[0][:10]!r}); rebuild it")
        self.syllables: frozenset[str] = frozenset(header[1].split()[1:])
        count = int(header[2].split()[1])
        index_end = lines_end
        for _ in range(count):
            index_end = text.index("\n", index_end) + 1
        self._index: dict[str, tuple[int, int]] = {}
        for line in text[lines_end:index_end].splitlines():
            acronym, start, end = line.split("\t")
            self._index[acronym] = (int(start), int(end))
        self._body = text[index_end:]
        self._overlay: dict[str, list[Entry]] = {}
        self._readings: dict[str, tuple[str, ...]] | None = None
        self._parsed: OrderedDict[str, list[Entry]] = OrderedDict()
        self._lock = threading.RLock()
        self.generation = 0  # bumped when words are added

    @property
    def size(self) -> int:
        return self._body.count("\n") + sum(len(rows) for rows in self._overlay.values())

    def bucket(self, acronym: str) -> list[Entry]:
        """Every entry whose syllables start with these letters, best first (overlay entries first).
        Recently used buckets stay parsed: typing one word asks for the same few buckets at every key."""
        with self._lock:
            rows = self._parsed.get(acronym)
            if rows is not None:
                self._parsed.move_to_end(acronym)
                return rows
        rows = self._parse(acronym)
        with self._lock:
            self._parsed[acronym] = rows
            if len(self._parsed) > PARSED_BUCKETS:
                self._parsed.popitem(last=False)
        return rows

    def _parse(self, acronym: str) -> list[Entry]:
        rows = list(self._overlay.get(acronym, ()))
        span = self._index.get(acronym)
        if span is not None:
            for line in self._body[span[0]:span[1] - 1].split("\n"):
                word, syllables, score, flags = line.split("\t")
                rows.append(Entry(word, tuple(syllables.split("'")), int(score), flags == "n"))
        return rows

    def readings(self, char: str) -> tuple[str, ...]:
        """Every toneless reading of one character, usual one first; () for anything else."""
        if self._readings is None:
            with self._lock:
                if self._readings is None:
                    table: dict[str, list[tuple[int, str]]] = {}
                    for letter in "abcdefghijklmnopqrstuvwxyz":
                        for entry in self._parse(letter):  # not kept parsed: read once, at load
                            if len(entry.word) == 1:
                                table.setdefault(entry.word, []).append((-entry.score, entry.syllables[0]))
                    self._readings = {char: tuple(s for _score, s in sorted(readings))
                                      for char, readings in table.items()}
        return self._readings.get(char, ())

    def add_words(self, words: Iterable[str], score: int = 160, is_name: bool = False) -> int:
        """Add words (e.g. item names of the catalog the platform served) with their usual readings; returns
        how many were new. A word with a character the lexicon cannot read is skipped."""
        with self._lock:
            added = self._add_words(list(words), score, is_name)
            if added:
                self.generation += 1  # engines drop what they remembered
        return added

    def _add_words(self, words: list[str], score: int, is_name: bool) -> int:
        added = 0
        for word in words:
            syllables: list[str] = []
            for char in word:
                readings = self.readings(char)
                if not readings:
                    break
                syllables.append(readings[0])
            else:
                if not syllables:
                    continue
                acronym = "".join(s[0] for s in syllables)
                rows = self._overlay.setdefault(acronym, [])
                if all(row.word != word for row in rows):
                    rows.append(Entry(word, tuple(syllables), score, is_name))
                    rows.sort(key=lambda row: -row.score)
                    self._parsed.pop(acronym, None)
                    added += 1
        return added


_shared: Lexicon | None = None
_shared_lock = threading.Lock()


def shared_lexicon() -> Lexicon:
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                lexicon = Lexicon()
                lexicon.readings("一")  # the reading table too: the catalog search needs it at the first key
                _shared = lexicon  # published only when complete: the UI thread never finishes the work
    return _shared


def lexicon_if_loaded() -> Lexicon | None:
    """The lexicon if it is already in memory; never loads (for code on the UI thread)."""
    return _shared


def preload_in_background() -> threading.Thread:
    thread = threading.Thread(target=shared_lexicon, name="pinyin-lexicon", daemon=True)
    thread.start()
    return thread
