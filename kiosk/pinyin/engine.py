"""Letters in, Chinese candidates out, most likely first: the core of the on-screen pinyin keyboard.

Typed letters are split into pieces: full syllables (``zhang``), initials (``z``, ``zh``) and, at the end,
any start of a syllable (``zhan`` while ``zhang`` is being typed). ``zjg``, ``zhangjg`` and
``zhangjianguo`` all reach 张建国. An apostrophe forces a split (``xi'an``).

Candidates that stand for all the letters come first; then those for the first pieces only (picking one
keeps the rest of the letters, so a long name is built pick by pick). Within a group the lexicon's score
decides; in a name field surnames come first for the first character (百家姓 order by population) and
common given-name characters after it, and names rank above other words.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from kiosk.pinyin.lexicon import Entry, Lexicon

Mode = Literal["text", "name"]
INITIALS = frozenset(["b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh", "r", "z", "c", "s", "y", "w"])
MAX_PIECES = 8  # the longest word in the lexicon has 8 syllables
MAX_SEGMENTATIONS = 24
MAX_CANDIDATES = 300
PER_PAGE = 8
DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    consumed: int  # how many of the typed letters (apostrophes included) this candidate stands for


@dataclass(frozen=True, slots=True)
class CandidatePage:
    candidates: tuple[Candidate, ...]
    page: int  # 0-based
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages


def _ranked_list(name: str) -> dict[str, int]:
    """Rank of each entry of a data list (first = 0); duplicates keep their first place."""
    ranks: dict[str, int] = {}
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for word in line.split():
            ranks.setdefault(word, len(ranks))
    return ranks


@cache
def surname_ranks() -> dict[str, int]:
    return _ranked_list("surnames.txt")


@cache
def given_name_ranks() -> dict[str, int]:
    return _ranked_list("given_names.txt")


@dataclass(frozen=True, slots=True)
class _Piece:
    letters: str
    exact: bool  # a full syllable that must match exactly (not the last piece, not an initial)
    end: int  # position in the typed text just after this piece (apostrophe included)


class PinyinEngine:
    def __init__(self, lexicon: Lexicon, cache_size: int = 256) -> None:
        self.lexicon = lexicon
        self._prefixes = frozenset(s[:i] for s in lexicon.syllables for i in range(1, len(s) + 1))
        self._cache: OrderedDict[tuple[str, Mode, int], tuple[Candidate, ...]] = OrderedDict()
        self._cache_size = cache_size
        self._generation = lexicon.generation
        self._matched: OrderedDict[tuple, list[tuple[int, int, str]]] = OrderedDict()

    # -- splitting ------------------------------------------------------------------------------------
    def segmentations(self, letters: str) -> list[list[_Piece]]:
        """Ways to split the letters into pieces, fewest pieces first (at most MAX_SEGMENTATIONS): every
        split with the fewest pieces, or one more. When nothing covers all the letters (too many, or
        letters no syllable has), the longest start that can be read is split instead."""
        text = letters.lower()
        size = len(text)
        if not text.strip("'"):
            return []

        def piece_ends(position: int) -> list[int]:
            stop = text.find("'", position)
            stop = size if stop < 0 else stop
            ends = []
            for end in range(min(stop, position + 6), position, -1):
                chunk = text[position:end]
                if chunk in self.lexicon.syllables or chunk in INITIALS or (end == size and chunk in self._prefixes):
                    ends.append(end)
            return ends

        ends_at = [piece_ends(p) if text[p] != "'" else [] for p in range(size)]
        unreachable = MAX_PIECES * 10
        fewest_from = [unreachable] * (size + 1)  # fewest pieces from here to the end
        fewest_from[size] = 0
        for position in range(size - 1, -1, -1):
            if text[position] == "'":
                fewest_from[position] = fewest_from[position + 1]
                continue
            for end in ends_at[position]:
                fewest_from[position] = min(fewest_from[position], 1 + fewest_from[end])
        if fewest_from[0] > MAX_PIECES:
            cut = self._readable_start(text, ends_at, fewest_from)
            return self.segmentations(text[:cut]) if 0 < cut < size else []
        limit = min(fewest_from[0] + 1, MAX_PIECES)
        found: list[list[_Piece]] = []

        def walk(position: int, pieces: list[_Piece]) -> None:
            if len(found) >= 64:
                return
            if position == size:
                found.append(list(pieces))
                return
            if text[position] == "'":
                walk(position + 1, pieces)
                return
            for end in ends_at[position]:
                if len(pieces) + 1 + fewest_from[end] > limit:
                    continue
                chunk = text[position:end]
                exact = chunk in self.lexicon.syllables and end != size and chunk not in INITIALS
                after = end + 1 if end < size and text[end] == "'" else end
                pieces.append(_Piece(chunk, exact, after))
                walk(end, pieces)
                pieces.pop()

        walk(0, [])
        # Prefer splits into real syllables over splits into bare initials (``xian`` before ``x-i-an``).
        found.sort(key=lambda s: (len(s), sum(1 for p in s if p.letters not in self.lexicon.syllables)))
        return found[:MAX_SEGMENTATIONS]

    @staticmethod
    def _readable_start(text: str, ends_at: list[list[int]], fewest_from: list[int]) -> int:
        """Where the longest readable start ends: after MAX_PIECES pieces of the shortest split of a too-long
        input, or the furthest reachable position when some letters fit no syllable."""
        size = len(text)
        if fewest_from[0] < MAX_PIECES * 10:  # readable to the end, only too long
            position, used = 0, 0
            while position < size and used < MAX_PIECES:
                if text[position] == "'":
                    position += 1
                    continue
                position = min(ends_at[position], key=lambda end: fewest_from[end])
                used += 1
            return position
        reachable = {0}
        furthest = 0
        for position in range(size):
            if position not in reachable:
                continue
            furthest = max(furthest, position)
            if text[position] == "'":
                reachable.add(position + 1)
            for end in ends_at[position]:
                if end < size:
                    reachable.add(end)
        return furthest

    # -- candidates -----------------------------------------------------------------------------------
    def candidates(self, letters: str, mode: Mode = "text", position: int = 0) -> tuple[Candidate, ...]:
        """All candidates for the letters, best first. ``position`` is how many characters the field holds
        already (in a name field, 0 means the surname comes next)."""
        letters = "".join(ch for ch in letters.lower() if ch.isascii() and (ch.isalpha() or ch == "'"))
        if not letters.strip("'"):
            return ()
        if self._generation != self.lexicon.generation:  # words were added: forget what was looked up
            self._cache.clear()
            self._matched.clear()
            self._generation = self.lexicon.generation
        key = (letters, mode, min(position, 1))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        result = self._compute(letters, mode, position)
        self._cache[key] = result
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return result

    def page(self, letters: str, page: int = 0, mode: Mode = "text", position: int = 0,
             per_page: int = PER_PAGE) -> CandidatePage:
        found = self.candidates(letters, mode, position)
        pages = max(1, -(-len(found) // per_page))
        page = max(0, min(page, pages - 1))
        return CandidatePage(found[page * per_page:(page + 1) * per_page], page, pages if found else 0)

    def _compute(self, letters: str, mode: Mode, position: int) -> tuple[Candidate, ...]:
        heads: dict[tuple[tuple[str, bool], ...], tuple[int, int, list[_Piece]]] = {}
        for pieces in self.segmentations(letters):
            for count in range(len(pieces), 0, -1):
                head = pieces[:count]
                signature = tuple((p.letters, p.exact) for p in head)
                heads.setdefault(signature, (head[-1].end, count, head))
        # All the letters first, then fewer pieces (real syllables before bare initials: ``jian`` → 建
        # before 加农); within a head, syllables spelled out before ones still being typed (``xian`` → 先
        # before 想), then the score.
        order = sorted(heads.items(), key=lambda pair: (-pair[1][0], pair[1][1]))
        best: dict[str, Candidate] = {}
        group: tuple[int, int] | None = None
        pending: list[tuple[int, int, str, int]] = []
        for signature, (consumed, count, head) in order:
            if (consumed, count) != group:
                self._take(pending, best)
                pending = []
                group = (consumed, count)
                if len(best) >= MAX_CANDIDATES:
                    break  # everything still to come ranks below a full list
            for partial, negative_score, word in self._ranked(signature, head, mode, position):
                pending.append((partial, negative_score, word, consumed))
        self._take(pending, best)
        return tuple(best.values())[:MAX_CANDIDATES]

    @staticmethod
    def _take(pending: list[tuple[int, int, str, int]], best: dict[str, Candidate]) -> None:
        pending.sort()
        for _partial, _score, word, consumed in pending:
            if word not in best:
                best[word] = Candidate(word, consumed)

    def _ranked(self, signature: tuple[tuple[str, bool], ...], head: list[_Piece], mode: Mode,
                position: int) -> list[tuple[int, int, str]]:
        """(partial syllables, -score, word) of every entry that fits the head, best first, at most
        MAX_CANDIDATES (no more can be shown); remembered, since typing a word asks for the same heads at
        every key (``zhang``, then ``zhangj`` …)."""
        key = (signature, mode, min(position, 1) if mode == "name" else 0)
        ranked = self._matched.get(key)
        if ranked is not None:
            self._matched.move_to_end(key)
            return ranked
        ranked = []
        for entry in self.lexicon.bucket("".join(p.letters[0] for p in head)):
            if _fits(entry, head):
                partial = sum(1 for s, p in zip(entry.syllables, head, strict=True) if s != p.letters)
                ranked.append((partial, -self._score(entry, mode, position), entry.word))
        ranked.sort()
        del ranked[MAX_CANDIDATES:]
        self._matched[key] = ranked
        if len(self._matched) > 1024:
            self._matched.popitem(last=False)
        return ranked

    @staticmethod
    def _score(entry: Entry, mode: Mode, position: int) -> int:
        if mode != "name":
            return entry.score
        if len(entry.word) == 1:
            ranks = surname_ranks() if position == 0 else given_name_ranks()
            rank = ranks.get(entry.word)
            return 2000 - rank if rank is not None else entry.score
        if entry.is_name:
            return 3000 + entry.score  # a whole name the lexicon knows (a demo citizen, a common name)
        if position == 0 and entry.word in surname_ranks():  # 欧阳, 司马 …
            return 2000 - surname_ranks()[entry.word]
        return entry.score


def _fits(entry: Entry, pieces: list[_Piece]) -> bool:
    if len(entry.syllables) != len(pieces):
        return False
    for syllable, piece in zip(entry.syllables, pieces, strict=True):
        if piece.exact:
            if syllable != piece.letters:
                return False
        elif not syllable.startswith(piece.letters):
            return False
    return True
