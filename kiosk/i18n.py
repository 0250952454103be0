"""The one translation function for every user-facing string.

Messages are keyed (``"home.title"``) and live in gettext catalogs, ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po``
(msgctxt = the key, msgid = the Chinese text; see kiosk/i18n_po.py), which translators edit in Poedit or
Weblate. The kiosk reads the compiled ``kiosk.mo`` beside it (``run.sh`` compiles it at install) or, when that
is missing or older than the .po, one Babel compiles into the cache directory at first load. A part of the
product may still add ``kiosk/locale/<lang>/<area>.toml`` files: they are merged over the catalog, and
``python -m kiosk.i18n_po convert`` moves them into it.
A missing translation falls back to zh_CN, then to the key itself (visible, so it gets noticed and fixed).
The Kivy side wraps this in an observable ``_()`` so a language switch re-renders every label.
"""

from __future__ import annotations

import json
import os
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


def _compiled_path(language: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gov-kiosk" / f"locale-{language}.json"


@cache
def catalog(language: str) -> dict[str, str]:
    """The merged messages of one language. Parsing ~100 KB of TOML (pure Python) took a noticeable part of the
    cold start (issue #16), so the merged result is kept as JSON next to the font cache and reused while no
    .toml file changed (their names, sizes and times are its key)."""
    paths = sorted((LOCALE_DIR / language).glob("*.toml"))
    po = LOCALE_DIR / language / "LC_MESSAGES" / "kiosk.po"
    sources = [po] if po.exists() else []
    key = [[path.name, stat.st_size, stat.st_mtime_ns] for path in sources + paths for stat in (path.stat(),)]
    compiled = _compiled_path(language)
    try:
        cached = json.loads(compiled.read_bytes())
        if cached["key"] == key:
            return cached["messages"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    messages = _from_po(po, language) if sources else {}
    messages.update(_parse(paths))
    try:
        compiled.parent.mkdir(parents=True, exist_ok=True)
        partial = compiled.with_suffix(f".{os.getpid()}.part")
        partial.write_text(json.dumps({"key": key, "messages": messages}, ensure_ascii=False), encoding="utf-8")
        partial.replace(compiled)  # atomic: two kiosks starting at once never read half a file
    except OSError:
        pass  # a read-only cache: parse the TOML at every start, as before
    return messages


def _from_po(po: Path, language: str) -> dict[str, str]:
    """The messages of the compiled catalog: the .mo beside the .po when it is up to date, else one compiled
    now into the cache directory (or a temporary one when the cache cannot be written)."""
    from kiosk.i18n_po import compile_mo, mo_messages

    beside = po.with_suffix(".mo")
    if beside.exists() and beside.stat().st_mtime_ns >= po.stat().st_mtime_ns:
        return mo_messages(beside)
    compiled = _compiled_path(language).with_suffix(".mo")
    try:
        return mo_messages(compile_mo(po, compiled))
    except OSError:
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            return mo_messages(compile_mo(po, Path(scratch) / "kiosk.mo"))


def _parse(paths: list[Path]) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in paths:
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


# Which plural form a count takes, as the catalogs' Plural-Forms headers say (tests/test_i18n_catalogs.py holds
# the two together): Chinese has one form ("3个工作日"), English two ("1 working day", "3 working days").
PLURAL_FORM = {"zh_CN": lambda n: 0, "en": lambda n: 0 if n == 1 else 1}
PLURAL_VALUES = ("count", "days")  # the value a message's plural form follows, where it has forms
PLURAL_SEPARATOR = "#"  # "confirm.days#1": the second plural form of confirm.days (msgstr[1])


def translate(key: str, language: str | None = None, **values: object) -> str:
    lang = language or _current["language"]
    text = _plural(key, lang, values) if values else None
    text = text or catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def _plural(key: str, language: str, values: dict[str, object]) -> str | None:
    """The plural form of ``key`` for the count among ``values`` (msgid_plural entries); None when it has none."""
    for name in PLURAL_VALUES:
        count = values.get(name)
        if isinstance(count, int) and not isinstance(count, bool):
            rule = PLURAL_FORM.get(language)
            return catalog(language).get(f"{key}{PLURAL_SEPARATOR}{rule(count)}") if rule is not None else None
    return None


def join(kind: str, parts: list[str] | tuple[str, ...], language: str | None = None) -> str:
    """Parts of a sentence joined as the language writes them: ``kind`` is ``list`` (材料A、材料B / "A, B"),
    ``clause`` (，/ ", ") or ``item`` (；/ "; "). A screen never writes Chinese punctuation into English text."""
    return translate(f"text.{kind}_separator", language).join(parts)


_ = translate
