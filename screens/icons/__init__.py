"""Pictograms for the elder-mode tiles (社保 医保 公积金 税务 不动产 征信 户籍 民政, a sheet of paper for any other
category, four tiles for 更多事项), drawn by this project.

``icon_path("社保")`` gives the PNG for a catalog category. The PNGs are white line drawings on a transparent
background (tint them with the Image widget's ``color``), regenerated with
``python -m screens.icons.pictograms`` from the vector drawings in ``pictograms.py``; see LICENSE.md.
"""

from __future__ import annotations

from pathlib import Path

ICON_DIR = Path(__file__).parent

CATEGORY_ICONS = {
    "社保": "shebao",
    "医保": "yibao",
    "公积金": "gongjijin",
    "税务": "shuiwu",
    "不动产": "budongchan",
    "征信": "zhengxin",
    "户籍": "huji",
    "民政": "minzheng",
}
OTHER_ICON = "qita"  # a category without a drawing of its own (卫健, 一件事 …): a sheet of paper
MORE_ICON = "gengduo"  # the 更多事项 tile


def icon_path(category: str, fallback: str | None = None) -> Path | None:
    """The pictogram of a catalog category (or the ``fallback`` pictogram, e.g. ``OTHER_ICON``), or None when
    there is none (show the words alone)."""
    name = CATEGORY_ICONS.get(category, fallback)
    if name is None:
        return None
    path = ICON_DIR / f"{name}.png"
    return path if path.is_file() else None


def named_icon(name: str) -> Path | None:
    """A pictogram by its file name (``MORE_ICON``), or None when the PNG is missing."""
    path = ICON_DIR / f"{name}.png"
    return path if path.is_file() else None
