"""Every text/background pair and every control edge of every theme meets the ratio the theme promises."""

from __future__ import annotations

import pytest

from kiosk.themes import (
    DEFAULT,
    EDGE_PAIRS,
    HIGH_CONTRAST,
    RATING_MARKS,
    TEXT_PAIRS,
    THEMES,
    contrast_ratio,
    get_theme,
)

CASES = [(theme, pair) for theme in THEMES.values() for pair in TEXT_PAIRS]
EDGES = [(theme, pair) for theme in THEMES.values() for pair in EDGE_PAIRS]


def test_contrast_arithmetic_matches_wcag_reference_values() -> None:
    assert contrast_ratio((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21.0)
    assert contrast_ratio((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1.0)
    # #777777 on white is the well-known 4.48:1 (just under AA).
    grey = (0x77 / 255, 0x77 / 255, 0x77 / 255, 1)
    assert contrast_ratio(grey, (1, 1, 1, 1)) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("theme", "pair"), CASES, ids=[f"{t.name}:{a}/{b}" for t, (a, b) in CASES])
def test_every_text_pair_meets_the_theme_promise(theme, pair) -> None:
    text, background = pair
    ratio = contrast_ratio(theme.colour(text), theme.colour(background))
    assert ratio >= theme.min_text_ratio, (
        f"theme {theme.name}: {text} on {background} is {ratio:.2f}:1, needs {theme.min_text_ratio}:1; "
        "change the colour in kiosk/themes.py")


@pytest.mark.parametrize(("theme", "pair"), EDGES, ids=[f"{t.name}:{a}/{b}" for t, (a, b) in EDGES])
def test_every_control_edge_is_at_least_3_to_1(theme, pair) -> None:
    edge, around = pair
    ratio = contrast_ratio(theme.colour(edge), theme.colour(around))
    assert ratio >= theme.min_edge_ratio, f"theme {theme.name}: {edge} against {around} is {ratio:.2f}:1"


def test_high_contrast_promises_aaa_and_default_aa() -> None:
    assert HIGH_CONTRAST.min_text_ratio >= 7.0
    assert DEFAULT.min_text_ratio >= 4.5


def test_all_themes_define_the_same_roles_and_rating_levels_carry_marks() -> None:
    roles = set(DEFAULT.roles())
    for theme in THEMES.values():
        assert set(theme.roles()) == roles
    assert {len(mark) for mark in RATING_MARKS.values()} == {1, 2, 3, 4, 5}  # distinct without colour


def test_unknown_theme_names_the_choices() -> None:
    with pytest.raises(ValueError, match="default, contrast"):
        get_theme("dark")


def test_every_elder_mode_category_has_a_pictogram_in_one_style() -> None:
    import numpy as np
    from PIL import Image, ImageChops

    from screens.icons import CATEGORY_ICONS, icon_path
    from screens.icons.pictograms import render

    assert set(CATEGORY_ICONS) == {"社保", "医保", "公积金", "税务", "不动产", "征信", "户籍", "民政"}
    assert icon_path("不存在") is None
    coverages = []
    for category, name in CATEGORY_ICONS.items():
        path = icon_path(category)
        assert path is not None, f"screens/icons/{name}.png is missing; run python -m screens.icons.pictograms"
        image = Image.open(path).convert("RGBA")
        assert image.size == (256, 256)
        # White line art on transparent (tinted by the Image widget), redrawn identically from pictograms.py.
        pixels = np.asarray(image)
        inked = pixels[pixels[:, :, 3] > 128]
        assert len(inked) and inked[:, :3].min() >= 200, f"{path}: not white line art"
        assert ImageChops.difference(image, render(name)).getbbox() is None, f"{path} is stale; re-render it"
        coverages.append(len(inked) / (256 * 256))
    # One style: similar ink per icon (no icon a solid block, none a hairline).
    assert all(0.06 < coverage < 0.30 for coverage in coverages), coverages
