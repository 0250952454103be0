"""Colours and sizes for the screens. Sizes are strings with units ('34sp') so Metrics.fontscale can enlarge
every label at run time (large-text mode); the layout is designed for a 1080x1920 portrait screen at density 1.

The colours come from the palettes in ``kiosk/themes.py`` (plain data, checked for WCAG contrast by
``tests/test_theme_contrast.py``). Two ways to use them:

- the module constants (``theme.PRIMARY``): the default palette, fixed at import (what the kv files use today);
- ``theme.live`` (``theme.live.primary`` in kv): Kivy properties that follow ``theme.use("contrast")``, so a
  switch to high contrast re-colours every widget bound to them without rebuilding a screen.
"""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import ColorProperty, StringProperty

from kiosk.themes import DEFAULT, RATING_MARKS, THEMES, Palette, get_theme

PRIMARY = DEFAULT.primary  # government blue
PRIMARY_DARK = DEFAULT.primary_dark
ACCENT = DEFAULT.accent  # seal red, used sparingly for what must not be missed
OK_GREEN = DEFAULT.ok
BACKGROUND = DEFAULT.background
CARD = DEFAULT.card
TEXT = DEFAULT.text
TEXT_MUTED = DEFAULT.text_muted
DISABLED = DEFAULT.disabled
DISABLED_TEXT = DEFAULT.disabled_text
WARNING_BG = DEFAULT.warning_bg
ON_PRIMARY = DEFAULT.on_primary
FOCUS_RING = DEFAULT.focus_ring
FOCUS_RING_INNER = DEFAULT.focus_ring_inner
RATING_COLORS = {5: DEFAULT.rating_5, 4: DEFAULT.rating_4, 3: DEFAULT.rating_3, 2: DEFAULT.rating_2,
                 1: DEFAULT.rating_1}
RATING_MARKS = RATING_MARKS  # re-exported: the star marks that carry a rating level without colour

FONT_HUGE = "64sp"
FONT_TITLE = "48sp"
FONT_LARGE = "40sp"
FONT_BODY = "34sp"
FONT_SMALL = "28sp"
BUTTON_HEIGHT = "150sp"  # sp: buttons grow with the text in 长辈模式 (same as dp at scale 1)
PAD = "32dp"
FOCUS_RING_WIDTH = "6dp"  # each of the two bands: thick enough to see from a step back


class LiveTheme(EventDispatcher):
    """The current palette as Kivy properties (one per role of ``kiosk.themes.Palette``)."""

    name = StringProperty(DEFAULT.name)
    background = ColorProperty(DEFAULT.background)
    card = ColorProperty(DEFAULT.card)
    text = ColorProperty(DEFAULT.text)
    text_muted = ColorProperty(DEFAULT.text_muted)
    primary = ColorProperty(DEFAULT.primary)
    primary_dark = ColorProperty(DEFAULT.primary_dark)
    on_primary = ColorProperty(DEFAULT.on_primary)
    accent = ColorProperty(DEFAULT.accent)
    ok = ColorProperty(DEFAULT.ok)
    warning_bg = ColorProperty(DEFAULT.warning_bg)
    disabled = ColorProperty(DEFAULT.disabled)
    disabled_text = ColorProperty(DEFAULT.disabled_text)
    focus_ring = ColorProperty(DEFAULT.focus_ring)
    focus_ring_inner = ColorProperty(DEFAULT.focus_ring_inner)
    rating_5 = ColorProperty(DEFAULT.rating_5)
    rating_4 = ColorProperty(DEFAULT.rating_4)
    rating_3 = ColorProperty(DEFAULT.rating_3)
    rating_2 = ColorProperty(DEFAULT.rating_2)
    rating_1 = ColorProperty(DEFAULT.rating_1)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Kivy takes a method named on_<property> as that property's handler: the role ``on_primary`` (a
        # colour, not a method) was bound to ``primary`` and a palette switch would call a list.
        for observer in self.get_property_observers("primary"):
            if not callable(observer):
                self.funbind("primary", observer)

    def apply(self, palette: Palette) -> None:
        for role in palette.roles():
            setattr(self, role, palette.colour(role))
        self.name = palette.name

    def rating_colour(self, level: int):
        return getattr(self, f"rating_{level}")


live = LiveTheme()


def use(name: str) -> Palette:
    """Switch every widget bound to ``theme.live`` to the palette ``name`` ('default' or 'contrast')."""
    palette = get_theme(name)
    live.apply(palette)
    return palette


THEME_NAMES = tuple(THEMES)


# -- recolouring widgets built from the module constants ----------------------------------------------------
# Most kv files take their colours from the constants above, fixed when a rule is evaluated. Binding every one
# of them to ``live`` would override the colours screens set per instance (a kv class rule's binding fires
# after an instance's own value). So the switch also walks the widget tree and swaps each colour of the old
# palette for the same role's colour in the new one. Text and fills are told apart because two roles can share
# a value (white is both the card and the text on blue).
TEXT_PROPERTIES = ("color", "text_color", "disabled_color")
FILL_PROPERTIES = ("fill_color", "pressed_color")
# When two roles have the same colour, the first one listed wins.
TEXT_ROLES = ("on_primary", "text", "text_muted", "primary", "accent", "ok", "disabled_text")
FILL_ROLES = ("card", "background", "primary", "primary_dark", "accent", "ok", "warning_bg", "disabled",
              "rating_5", "rating_4", "rating_3", "rating_2", "rating_1", "text", "text_muted")


def _key(colour) -> tuple[float, ...]:
    return tuple(round(float(c), 3) for c in colour)


def colour_map(source: Palette, target: Palette, roles: tuple[str, ...]) -> dict[tuple[float, ...], tuple]:
    mapping: dict[tuple[float, ...], tuple] = {}
    for role in roles:
        mapping.setdefault(_key(source.colour(role)), tuple(target.colour(role)))
    return mapping


def recolour(root, source: Palette, target: Palette) -> int:
    """Swap ``source`` palette colours for ``target`` ones on ``root`` and every widget under it (properties
    and canvas Color instructions). Returns how many colours changed.

    A widget whose class sets ``follows_live_theme = True`` binds its colours to ``live`` and is skipped (its
    children are not: they are visited on their own).

    Idempotent: each widget remembers the colours this function set (``_theme_set``). Going to a non-default
    palette maps only colours it did not set (new widgets, values a kv rule re-evaluated); going back to the
    default maps only the colours it set, so a value a kv rule already reset to the default is left alone.
    """
    from kivy.graphics import Color
    from kivy.uix.label import Label

    text_map = colour_map(source, target, TEXT_ROLES)
    fill_map = colour_map(source, target, FILL_ROLES)
    to_default = target.name == DEFAULT.name
    changed = 0

    def swap(marks: dict, mark, value, mapping):
        nonlocal changed
        ours = mark in marks and _key(marks[mark]) == _key(value)
        if ours != to_default or _key(value) not in mapping:
            if to_default and not ours:
                marks.pop(mark, None)
            return None
        new = mapping[_key(value)]
        if to_default:
            marks.pop(mark, None)
        else:
            marks[mark] = new
        changed += 1
        return new

    stack = [root]
    while stack:
        widget = stack.pop()
        stack.extend(widget.children)
        if getattr(widget, "follows_live_theme", False):
            # Its colours are bound to ``live`` and already switched: mapped again, white text (the contrast
            # palette's text, the default one's on_primary) turned black on the dark keys of every pad.
            continue
        marks = widget.__dict__.setdefault("_theme_set", {})
        for name, mapping in [(n, text_map) for n in TEXT_PROPERTIES] + [(n, fill_map) for n in FILL_PROPERTIES]:
            value = getattr(widget, name, None)
            if value is not None and len(value) == 4:
                new = swap(marks, name, value, mapping)
                if new is not None:
                    setattr(widget, name, new)
        # A Label's own canvas holds the white tint of its text texture (the text colour is in the texture):
        # mapped as a fill (white = the default card) it drew every text near-black on black.
        groups = (widget.canvas.before, widget.canvas.after) if isinstance(widget, Label) else \
            (widget.canvas.before, widget.canvas, widget.canvas.after)
        for group in groups:
            for instruction in group.children:
                if isinstance(instruction, Color):
                    new = swap(marks, id(instruction), instruction.rgba, fill_map)
                    if new is not None:
                        instruction.rgba = new
    return changed
