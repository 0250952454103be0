"""Finds a CJK font with Simplified Chinese glyph shapes.

Debian's Noto CJK ships .ttc collections whose face 0 is the *Japanese* face: 直, 骨, 关 would be drawn the
Japanese way. Pillow can open a face by index; SDL2_ttf (Kivy) cannot, so for Kivy the SC face is
extracted into a cache folder with fontTools.

The extraction (and finding the SC face's index, which parses the collection's name tables) is install-time
work: ``python -m devices.fonts`` (run by run.sh and ``kiosk install``) fills the cache, and at start the
kiosk only checks that the files are there (issue #16: nothing heavy before the first frame). A cache that is
missing (a fresh checkout) is still filled on first use, with a warning saying how to prepare it.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_COLLECTIONS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
_SC_FAMILY = "Noto Sans CJK SC"
WEIGHTS = ("Regular", "Bold")
INSTALL_HINT = "install a CJK font: apt-get install fonts-noto-cjk"
PREPARE_HINT = "prepare it once with: python -m devices.fonts (run.sh and kiosk install do)"


class FontNotFoundError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class FontFace:
    path: Path
    index: int  # face index inside a .ttc collection (0 for a plain .ttf/.otf)


def _find_collection(weight: str) -> Path:
    for path in _COLLECTIONS:
        if weight in path.name and path.exists():
            return path
    raise FontNotFoundError(f"no Noto Sans CJK {weight} font found in {', '.join(map(str, _COLLECTIONS))}; {INSTALL_HINT}")


def _sc_index(collection: Path) -> int:
    from fontTools.ttLib import TTCollection

    faces = TTCollection(str(collection), lazy=True)
    for index, face in enumerate(faces.fonts):
        if face["name"].getDebugName(1) == _SC_FAMILY:
            return index
    raise FontNotFoundError(f"{collection} has no {_SC_FAMILY} face; {INSTALL_HINT}")


def _index_record(collection: Path) -> Path:
    # Named by the collection's size too: a font package upgrade that reorders faces gets a new record.
    return cache_dir() / f"{collection.name}.{collection.stat().st_size}.sc-index"


def _cached_sc_index(collection: Path) -> int:
    record = _index_record(collection)
    try:
        return int(record.read_text(encoding="ascii"))
    except (OSError, ValueError):
        pass
    index = _sc_index(collection)
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(str(index), encoding="ascii")
    except OSError as error:  # a read-only cache still works, only slower
        log.warning("font cache %s: cannot record the SC face index (%s)", record.parent, error.strerror)
    return index


@functools.cache
def cjk_face(weight: str = "Regular") -> FontFace:
    """The SC face inside the system collection (for Pillow: ImageFont.truetype(path, index=...))."""
    collection = _find_collection(weight)
    return FontFace(collection, _cached_sc_index(collection))


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gov-kiosk" / "fonts"


def _extracted(weight: str) -> Path:
    return cache_dir() / f"NotoSansCJKsc-{weight}.otf"


def cjk_font_file(weight: str = "Regular") -> Path:
    """A standalone .otf of the SC face (for Kivy/SDL2_ttf), from the cache ``prepare_fonts`` filled."""
    target = _extracted(weight)
    if target.exists():
        return target
    log.warning("font cache %s has no %s face; extracting it now (slow start); %s", target.parent, weight,
                PREPARE_HINT)
    return _extract(weight)


def _extract(weight: str) -> Path:
    target = _extracted(weight)
    face = cjk_face(weight)
    from fontTools.ttLib import TTCollection

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    TTCollection(str(face.path)).fonts[face.index].save(str(partial))
    partial.replace(target)  # atomic: a crash mid-save never leaves a broken font behind
    return target


def prepare_fonts() -> list[Path]:
    """Install-time: extract every weight that is installed and record the SC face indexes. Idempotent."""
    prepared = []
    for weight in WEIGHTS:
        try:
            face = cjk_face(weight)
        except FontNotFoundError:
            if weight == "Regular":
                raise
            continue  # no bold collection: Kivy synthesises bold from the regular face
        target = _extracted(weight)
        prepared.append(target if target.exists() else _extract(weight))
        log.info("font %s: face %d of %s", weight, face.index, face.path)
    return prepared


if __name__ == "__main__":
    try:
        for path in prepare_fonts():
            print(path)
    except FontNotFoundError as error:
        print(f"fonts: {error}", file=sys.stderr)
        sys.exit(1)
