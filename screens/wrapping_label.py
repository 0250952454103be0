"""A Label that wraps by Chinese line-breaking rules (``kiosk.linebreak``) instead of Kivy's own wrapping.

Kivy breaks CJK text wherever the width runs out, so lines start with "，" and a title leaves "端" alone. This
label keeps the text it is given (``source_text``) and shows it with the line breaks ``kiosk.linebreak.wrap``
chose, measured with the label's own font (Kivy's CoreLabel extents), re-wrapped when the width, font or
font size changes (large-text mode, a language switch).

Use it where a kv file has a wrapping Label: ``<KioskLabel@WrappingLabel>`` keeps every rule of the kv
class; set ``title: True`` on titles (no single-character last line). ``text`` is set as usual; reading
``text`` back gives the wrapped form, ``source_text`` the original. Markup labels (``markup: True``) are left
to Kivy's wrapping: their tags have no width.
"""

from __future__ import annotations

from functools import lru_cache

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label

from kiosk.linebreak import wrap_text


@lru_cache(maxsize=64)
def _measurer(font_name: str, font_size: float, bold: bool, italic: bool, font_family: str | None) -> CoreLabel:
    return CoreLabel(font_name=font_name, font_size=font_size, bold=bold, italic=italic, font_family=font_family)


class _CharacterWidths:
    """One font's character widths, each measured once; a text's width is their sum.

    Why (issue #16): the line breaker measures every candidate line as it grows, one SDL_ttf call each, ~140
    calls (3 ms of the UI thread) in the frame the materials screen arrives, and again for every label a
    session's end resets. Summing cached widths ignores kerning and the last glyph's overhang, so the caller
    measures exactly near the line's edge (``WrappingLabel.rewrap``). Only single characters are
    kept (no citizen's words), at most a few thousand per font: the CJK characters a catalog uses.
    """

    LIMIT = 6000

    def __init__(self, core: CoreLabel) -> None:
        self.core = core
        self.widths: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        widths, total = self.widths, 0.0
        for char in text:
            width = widths.get(char)
            if width is None:
                width = self.core.get_extents(char)[0]
                if len(widths) < self.LIMIT:
                    widths[char] = width
            total += width
        return total


@lru_cache(maxsize=64)
def _character_widths(font_name: str, font_size: float, bold: bool, italic: bool,
                      font_family: str | None) -> _CharacterWidths:
    return _CharacterWidths(_measurer(font_name, font_size, bold, italic, font_family))


class WrappingLabel(Label):
    source_text = StringProperty("")
    title = BooleanProperty(False)  # titles never end with a one-character line

    def __init__(self, **kwargs) -> None:
        # True while the label sets its own wrapped text, so on_text can tell it from a new text. (It compared
        # with the last wrapped text it set, which went stale when a new text needed no wrapping: a label
        # reused for another citizen then took "Who can apply" for its own and kept showing "服务对象".)
        self._setting_own_text = False
        self._rewrap_later = Clock.create_trigger(lambda _dt: self.rewrap(), 0)
        super().__init__(**kwargs)
        self.fbind("width", self._rewrap_later)
        self.fbind("text_size", self._rewrap_later)
        self.fbind("padding", self._rewrap_later)
        self.fbind("font_size", self._rewrap_later)
        self.fbind("font_name", self._rewrap_later)
        self.fbind("bold", self._rewrap_later)
        self.fbind("title", self._rewrap_later)
        self.fbind("markup", self._rewrap_later)

    def on_text(self, _instance, value: str) -> None:
        if self._setting_own_text:
            return
        self.source_text = value
        self.rewrap()

    def texture_update(self, *largs) -> None:
        # on_text sets the wrapped text while Kivy is still dispatching the source text: Label's own observer
        # comes after ours with the stale value and hands the *unwrapped* text to the core label, which then
        # wraps it Kivy's way (a line starting with "，"). The core label renders what ``text`` says now.
        if self._label is not None and self._label.text != self.text:
            self._label.text = self.text
        super().texture_update(*largs)

    def available_width(self) -> float:
        """Like Kivy: the text box (``text_size`` width, else the widget's width) less left/right padding."""
        box = self.text_size[0] if self.text_size[0] is not None else self.width
        return box - self.padding[0] - self.padding[2]

    def _font(self) -> tuple[str, float, bool, bool, str | None]:
        return (self.font_name, float(self.font_size), bool(self.bold), bool(self.italic),
                getattr(self, "font_family", None))

    def measure(self, text: str) -> float:
        """The exact width of ``text`` in this label's font (SDL_ttf), in px."""
        return _measurer(*self._font()).get_extents(text)[0]

    def rewrap(self) -> None:
        source = self.source_text
        if self.markup or not source:
            shown = source
        else:
            width = self.available_width()
            summed = _character_widths(*self._font())
            margin = 4.0  # more than a glyph's overhang, the most a sum falls short of the exact width

            def measure(text: str) -> float:
                # Summed CJK widths are exact and summed Latin ones run over (kerning: "AVATAR" by ~4 %), never
                # short by more than a glyph's overhang: a text whose sum fits with the margin to spare fits.
                # Anything else is measured exactly, so lines break where exact measuring breaks them (checked:
                # every catalog text and UI string at 3 sizes and 4 widths, 35,664 wraps, the same breaks).
                approximate = summed(text)
                return approximate if approximate <= width - margin else self.measure(text)

            shown = wrap_text(source, width, measure, title=self.title)
        if shown != self.text:
            self._setting_own_text = True
            try:
                self.text = shown
            finally:
                self._setting_own_text = False
