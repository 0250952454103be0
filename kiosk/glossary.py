"""Plain words for elder mode: ``plain("法定办结时限：20个工作日")`` -> "法律规定最多几天办完：20个上班日（…）".

The word list lives in the locale files (``kiosk/locale/<lang>/glossary.toml``, table ``[glossary]``), so
translators and service-centre staff edit it without touching code. Longer terms win over shorter ones they
contain ("法定办结时限" before "办结时限"), and a replacement is never itself searched again.
"""

from __future__ import annotations

import re
from functools import cache

from kiosk.i18n import catalog, current_language

PREFIX = "glossary."


@cache
def glossary(language: str) -> dict[str, str]:
    """term -> plain words for ``language`` (empty when the language has no list)."""
    return {key[len(PREFIX):]: value for key, value in catalog(language).items() if key.startswith(PREFIX)}


@cache
def _pattern(language: str) -> re.Pattern[str] | None:
    terms = sorted(glossary(language), key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)


def plain(text: str, language: str | None = None) -> str:
    """``text`` with every glossary term replaced by its plain words (one pass, longest term first)."""
    lang = language or current_language()
    pattern = _pattern(lang)
    if pattern is None or not text:
        return text
    words = {term.lower(): value for term, value in glossary(lang).items()}
    return pattern.sub(lambda match: words[match.group(0).lower()], text)


def terms_in(text: str, language: str | None = None) -> list[tuple[str, str]]:
    """The glossary terms found in ``text``, in order, with their plain words (for a "what does it mean" list)."""
    lang = language or current_language()
    pattern = _pattern(lang)
    if pattern is None:
        return []
    words = {term.lower(): value for term, value in glossary(lang).items()}
    seen: dict[str, str] = {}
    for match in pattern.finditer(text or ""):
        seen.setdefault(match.group(0), words[match.group(0).lower()])
    return list(seen.items())
