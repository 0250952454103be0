"""The colour themes as plain data (no Kivy), and the WCAG 2.x contrast arithmetic that checks them.

``screens/theme.py`` turns a palette into Kivy properties; ``tests/test_theme_contrast.py`` checks every
text/background pair that a screen draws (``TEXT_PAIRS``) and every control edge (``EDGE_PAIRS``) against
the ratio the theme promises: the default theme meets WCAG AA (4.5:1 text, 3:1 control edges), the
high-contrast theme meets AAA for text (7:1) and 3:1 for edges, as issue #13 asks.

Meaning is never carried by colour alone: rating levels carry a word and a star count (``RATING_MARKS``),
errors carry a "!" mark and words, the focused control carries a thick ring, not just a tint.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

Rgba = tuple[float, float, float, float]


@dataclass(frozen=True)
class Palette:
    name: str
    min_text_ratio: float  # what this theme promises for every text/background pair
    min_edge_ratio: float  # ... and for a control's edge against what surrounds it
    background: Rgba       # the screen behind everything
    card: Rgba             # panels, list rows, secondary buttons
    text: Rgba             # body text on background and card
    text_muted: Rgba       # hints and secondary lines
    primary: Rgba          # government blue: primary buttons, titles, edges of secondary buttons
    primary_dark: Rgba     # top bar, pressed primary buttons
    on_primary: Rgba       # text on primary / primary_dark / accent / ok fills
    accent: Rgba           # seal red: errors, what must not be missed
    ok: Rgba               # success, "done", ticked materials
    warning_bg: Rgba       # commitment and notice panels
    disabled: Rgba         # a button that cannot be pressed now
    disabled_text: Rgba    # its text (still readable: it says why, or what will be possible)
    focus_ring: Rgba       # the keypad focus ring's outer band (drawn thick, so shape carries it too)
    focus_ring_inner: Rgba  # its inner band: no one colour stands out on both light cards and blue buttons
    rating_5: Rgba         # 非常满意 … 非常不满意: fills of the five rating buttons
    rating_4: Rgba
    rating_3: Rgba
    rating_2: Rgba
    rating_1: Rgba

    def colour(self, role: str) -> Rgba:
        return getattr(self, role)

    def roles(self) -> list[str]:
        return [f.name for f in fields(self) if f.name not in ("name", "min_text_ratio", "min_edge_ratio")]


DEFAULT = Palette(
    name="default",
    min_text_ratio=4.5,
    min_edge_ratio=3.0,
    background=(0.96, 0.97, 0.98, 1),
    card=(1, 1, 1, 1),
    text=(0.11, 0.13, 0.16, 1),
    text_muted=(0.36, 0.40, 0.46, 1),
    primary=(0.09, 0.33, 0.65, 1),
    primary_dark=(0.05, 0.22, 0.47, 1),
    on_primary=(1, 1, 1, 1),
    accent=(0.78, 0.13, 0.13, 1),
    ok=(0.07, 0.44, 0.22, 1),           # was (0.10, 0.52, 0.27): 4.39:1 on the background, under AA
    warning_bg=(1.0, 0.95, 0.85, 1),
    disabled=(0.82, 0.84, 0.86, 1),
    disabled_text=(0.27, 0.29, 0.32, 1),  # was white at 90 %: 1.9:1 on the grey
    focus_ring=(0.0, 0.0, 0.0, 1),     # black outer band against the light screen ...
    focus_ring_inner=(1.0, 0.80, 0.0, 1),  # ... yellow inner band against blue and red buttons
    # Rating fills with white text: the old 满意 / 基本满意 / 不满意 (3.5, 4.1, 3.5 to 1) failed AA.
    rating_5=(0.07, 0.44, 0.22, 1),
    rating_4=(0.16, 0.42, 0.24, 1),
    rating_3=(0.33, 0.37, 0.42, 1),
    rating_2=(0.66, 0.32, 0.04, 1),
    rating_1=(0.70, 0.11, 0.11, 1),
)

HIGH_CONTRAST = Palette(
    name="contrast",
    min_text_ratio=7.0,
    min_edge_ratio=3.0,
    background=(0, 0, 0, 1),
    card=(0.08, 0.08, 0.08, 1),
    text=(1, 1, 1, 1),
    text_muted=(0.85, 0.85, 0.85, 1),
    primary=(1.0, 0.86, 0.0, 1),        # yellow on black: buttons are yellow slabs with black text
    primary_dark=(0.85, 0.72, 0.0, 1),
    on_primary=(0, 0, 0, 1),
    accent=(1.0, 0.60, 0.55, 1),        # light red text on black; as a fill it carries black text
    ok=(0.45, 0.95, 0.55, 1),
    warning_bg=(0.10, 0.10, 0.0, 1),
    disabled=(0.30, 0.30, 0.30, 1),
    disabled_text=(1, 1, 1, 1),
    focus_ring=(0.0, 0.85, 1.0, 1),     # cyan outer band, distinct from the yellow buttons ...
    focus_ring_inner=(0, 0, 0, 1),      # ... black inner band against yellow fills
    rating_5=(0.45, 0.95, 0.55, 1),
    rating_4=(0.70, 0.95, 0.55, 1),
    rating_3=(0.85, 0.85, 0.85, 1),
    rating_2=(1.0, 0.75, 0.40, 1),
    rating_1=(1.0, 0.60, 0.55, 1),
)

THEMES: dict[str, Palette] = {DEFAULT.name: DEFAULT, HIGH_CONTRAST.name: HIGH_CONTRAST}

# Every text colour drawn on every background in the screens (text role, background role). When a screen
# draws a new combination, add it here: the contrast test then holds it to the theme's promise.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"), ("text", "card"), ("text", "warning_bg"),
    ("text_muted", "background"), ("text_muted", "card"),
    ("primary", "background"), ("primary", "card"),     # titles; secondary buttons' text
    ("accent", "background"), ("accent", "card"), ("accent", "warning_bg"),  # error lines
    ("ok", "background"), ("ok", "card"),               # "done" lines
    ("on_primary", "primary"), ("on_primary", "primary_dark"),
    ("on_primary", "accent"), ("on_primary", "ok"),
    ("disabled_text", "disabled"),
    ("on_primary", "rating_5"), ("on_primary", "rating_4"), ("on_primary", "rating_3"),
    ("on_primary", "rating_2"), ("on_primary", "rating_1"),
)

# Control edges against what surrounds them (WCAG 1.4.11 non-text contrast, 3:1).
EDGE_PAIRS: tuple[tuple[str, str], ...] = (
    ("primary", "background"), ("primary", "card"),       # primary fills; outlines of secondary buttons
    ("accent", "background"), ("accent", "card"),
    ("ok", "background"), ("ok", "card"),
    ("focus_ring", "background"), ("focus_ring", "card"),
    ("focus_ring_inner", "primary"), ("focus_ring_inner", "accent"),  # the ring on a focused filled button
    ("focus_ring_inner", "focus_ring"),                   # the two bands tell apart
    ("rating_5", "background"), ("rating_4", "background"), ("rating_3", "background"),
    ("rating_2", "background"), ("rating_1", "background"),
)

# Rating levels carry words (locale) and a mark, never a colour alone.
RATING_MARKS = {5: "★★★★★", 4: "★★★★", 3: "★★★", 2: "★★", 1: "★"}


def relative_luminance(colour: Rgba | tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour given as 0..1 floats."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = colour[:3]
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast_ratio(first: Rgba, second: Rgba) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1.0 (same) to 21.0 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def get_theme(name: str) -> Palette:
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"theme {name!r} does not exist; use one of {', '.join(THEMES)}") from None
