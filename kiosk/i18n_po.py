"""The UI's messages as gettext catalogs (issue #13): ``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po``.

Layout of each entry: ``msgctxt`` = the key the code asks for (``home.start``), ``msgid`` = the Chinese text
(the source language), ``msgstr`` = the text in the catalog's language (the Chinese catalog repeats it). Why
not ``msgid`` = key: Poedit and Weblate show the msgid as the "source text" a translator works from; a key
like ``home.start`` says nothing, the Chinese sentence does, and msgctxt keeps two places that share one
Chinese text apart (Weblate and Poedit both show and keep msgctxt). When the Chinese text changes, the
English entry goes fuzzy in those tools, which is what a translator needs to see.

    python -m kiosk.i18n_po convert   # kiosk/locale/<lang>/*.toml → kiosk.po (+ kiosk.pot), TOML left in place
    python -m kiosk.i18n_po compile   # every kiosk.po → kiosk.mo beside it (run.sh does this at install)

The kiosk reads the compiled ``.mo`` (kiosk/i18n.py); when none was compiled at install, the first load
compiles one into the user's cache directory.
"""

from __future__ import annotations

import gettext
import sys
import tomllib
from pathlib import Path

from kiosk.i18n import LANGUAGES, LOCALE_DIR, PLURAL_SEPARATOR

DOMAIN = "kiosk"
SOURCE_LANGUAGE = "zh_CN"
PROJECT = "gov-kiosk"


def po_path(locale_dir: Path, language: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _flatten(prefix: str, table: dict, out: dict[str, str], origin: dict[str, str], name: str) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out, origin, name)
        else:
            out[full] = str(value)
            origin[full] = name


def toml_messages(locale_dir: Path, language: str) -> tuple[dict[str, str], dict[str, str]]:
    """The messages of the TOML files of ``language`` and, for each key, the file (area) it came from."""
    messages: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted((locale_dir / language).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), messages, origin, path.name)
    return messages, origin


def po_messages(path: Path) -> dict[str, str]:
    """key → text of one .po file (Babel's reader)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {message.context: message.string or "" for message in catalog if message.id and message.context}


def convert(locale_dir: Path, languages: tuple[str, ...]) -> list[Path]:
    """Write one .po per language (and the .pot template) from the TOML files plus any existing .po: every
    key of every language, the Chinese text as msgid. Returns the files written."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    texts: dict[str, dict[str, str]] = {}
    areas: dict[str, str] = {}
    for language in languages:
        existing = po_path(locale_dir, language)
        merged = po_messages(existing) if existing.exists() else {}
        from_toml, origin = toml_messages(locale_dir, language)
        merged.update(from_toml)
        texts[language] = merged
        for key, name in origin.items():
            areas.setdefault(key, name)
    source = texts[SOURCE_LANGUAGE]
    keys = sorted(set().union(*texts.values()))
    written: list[Path] = []
    for language in (*languages, None):
        catalog = Catalog(locale=language, domain=DOMAIN, project=PROJECT, version="1",
                          charset="utf-8", fuzzy=False)
        for key in keys:
            msgid = source.get(key) or texts["en"].get(key) or key
            flags = ("python-brace-format",) if "{" in msgid else ()
            string = "" if language is None else texts[language].get(key, "")
            area = areas.get(key, "")
            catalog.add(msgid, string, context=key, flags=flags,
                        auto_comments=[f"area: {area.removesuffix('.toml')}"] if area else [])
        path = (po_path(locale_dir, language) if language is not None
                else locale_dir / f"{DOMAIN}.pot")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=120, sort_output=False, omit_header=False)
        written.append(path)
    return written


def compile_mo(po: Path, mo: Path) -> Path:
    """Babel's compiler: ``po`` → ``mo`` (written whole, then renamed, so a reader never sees half)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_suffix(".mo.part")
    with partial.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    partial.replace(mo)
    return mo


def mo_messages(mo: Path) -> dict[str, str]:
    """key → text of a compiled catalog (the standard library's reader: msgctxt and msgid joined by EOT)."""
    with mo.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    messages: dict[str, str] = {}
    for raw_key, text in translations._catalog.items():  # the only way to list a .mo's entries
        if isinstance(raw_key, tuple):  # a plural form: (msgctxt EOT msgid, index) -> "key#index"
            raw_key, index = raw_key
            if isinstance(raw_key, str) and "\x04" in raw_key and text:
                context = raw_key.split("\x04", 1)[0]
                messages[f"{context}{PLURAL_SEPARATOR}{index}"] = text
                if index == 0:
                    messages.setdefault(context, text)  # asked for without a count: the first form
        elif isinstance(raw_key, str) and "\x04" in raw_key and text:
            context, _msgid = raw_key.split("\x04", 1)
            messages[context] = text
    return messages


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "convert":
        for path in convert(LOCALE_DIR, LANGUAGES):
            print(path)
        return 0
    if command == "compile":
        for language in LANGUAGES:
            po = po_path(LOCALE_DIR, language)
            print(compile_mo(po, po.with_suffix(".mo")))
        return 0
    print("usage: python -m kiosk.i18n_po convert|compile", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
