"""Pinyin input for the on-screen keyboard (no Kivy): a lexicon built from pypinyin + jieba data and an
engine that turns typed letters into Chinese candidates. See engine.py and build_lexicon.py."""

from kiosk.pinyin.engine import Candidate, CandidatePage, PinyinEngine
from kiosk.pinyin.lexicon import (
           Lexicon,
           LexiconError,
           lexicon_if_loaded,
           preload_in_background,
           shared_lexicon,
)

__all__ = ["Candidate", "CandidatePage", "Lexicon", "LexiconError", "PinyinEngine", "lexicon_if_loaded",
           "preload_in_background", "shared_lexicon"]
