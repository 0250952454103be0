"""Finds a CJK font with Simplified Chinese glyph shapes.

Debian's Noto CJK ships .ttc collections whose face 0 is the *Japanese* face: 直, 骨, 关 would be drawn the
Japanese way. Pillow can open a face by index; SDL2_ttf (Kivy) cannot, so for Kivy the SC face is
extracted once into a cache folder with fontTools.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_COLLECTIONS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
_SC_FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = "install a CJK font: apt-get install fonts-noto-cjk"


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


def cjk_face(weight: str = "Regular") -> FontFace:
    """The SC face inside the system collection (for Pillow: ImageFont.truetype(path, index=...))."""
    collection = _find_collection(weight)
    return FontFace(collection, _sc_index(collection))


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gov-kiosk" / "fonts"


def cjk_font_file(weight: str = "Regular") -> Path:
    """A standalone .otf of the SC face (for Kivy/SDL2_ttf), extracted once and cached."""
    target = cache_dir() / f"NotoSansCJKsc-{weight}.otf"
    if target.exists():
        return target
    face = cjk_face(weight)
    from fontTools.ttLib import TTCollection

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    TTCollection(str(face.path)).fonts[face.index].save(str(partial))
    partial.replace(target)  # atomic: a crash mid-save never leaves a broken font behind
    return target
