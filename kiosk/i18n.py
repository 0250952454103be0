"""The one translation function for every user-facing string.

Messages are keyed (``"home.title"``) and live in ``kiosk/locale/<lang>/*.toml``: one file per area of the
product, merged at load, so parts of the product add their strings without editing a shared file.
A missing translation falls back to zh_CN, then to the key itself (visible, so it gets noticed and fixed).
The Kivy side wraps this in an observable ``_()`` so a language switch re-renders every label.
"""

from __future__ import annotations

import threading
import tomllib
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")

_state = threading.local()
_current = {"language": DEFAULT_LANGUAGE}


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@cache
def catalog(language: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / language).glob("*.toml")):
        with path.open("rb") as handle:
            try:
                table = tomllib.load(handle)
            except tomllib.TOMLDecodeError as error:
                raise ValueError(f"translation file {path}: {error}; fix the TOML syntax there") from None
        _flatten("", table, messages)
    return messages


def set_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not supported; use one of {', '.join(LANGUAGES)}")
    _current["language"] = language


def current_language() -> str:
    return _current["language"]


def translate(key: str, language: str | None = None, **values: object) -> str:
    lang = language or _current["language"]
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


_ = translate
