"""The one on-screen keyboard of the kiosk (a kiosk has no physical keyboard and no input method).

Docked at the bottom of a screen, laid out by the field's type:

    id_number    0-9 and X                      phone, date   0-9, 清空 (no X: no dead keys)
    amount       0-9 and the decimal point      credit_code   the 31 characters GB 32100 allows
    pinyin       letters → Chinese candidates (≥ 8 large ones, paged), digits for house numbers
    latin        letters and digits as typed (the catalog search matches them as pinyin)

The keyboard edits ``text`` (what the field holds) and, on the pinyin layout, ``composing`` (the letters
not yet turned into Chinese). A screen binds ``text``. Every key press dispatches ``on_key_press(key)``:
the hook for a key click sound (the voice engine binds it). The pinyin engine's lexicon loads on a worker
thread the first time a keyboard is built; until it is there the candidate bar says so.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.properties import BooleanProperty, ColorProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.creditcode import ALPHABET as CREDIT_CODE_ALPHABET
from kiosk.pinyin import handwriting
from kiosk.pinyin.engine import PER_PAGE, Candidate, PinyinEngine
from kiosk.pinyin.lexicon import lexicon_if_loaded, preload_in_background
from screens.i18n import tr
from screens.widgets import KioskButton

# Special keys (anything longer than one character is a command, not a character to insert).
BACK, CLEAR, SEPARATOR, SPACE, HIDE = "back", "clear", "sep", "space", "hide"
HAND, PINYIN, REWRITE = "hand", "pinyin", "rewrite"  # the writing pad: open it, back to letters, clear it
_DIGIT_ROWS = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]
_TOP_DIGITS = list("1234567890")
_QWERTY = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]

LAYOUTS: dict[str, list[list[str]]] = {
    "id_number": [*_DIGIT_ROWS, ["X", "0", BACK]],
    "phone": [*_DIGIT_ROWS, [CLEAR, "0", BACK]],
    "date": [*_DIGIT_ROWS, [CLEAR, "0", BACK]],
    "amount": [*_DIGIT_ROWS, [".", "0", BACK]],
    # The QWERTY order a citizen may know, without I, O, S, V and Z (not in the GB 32100 alphabet).
    "credit_code": [_TOP_DIGITS, [c for c in "QWERTYUIOP" if c in CREDIT_CODE_ALPHABET],
                    [c for c in "ASDFGHJKL" if c in CREDIT_CODE_ALPHABET],
                    [*[c for c in "ZXCVBNM" if c in CREDIT_CODE_ALPHABET], CLEAR, BACK]],
    "pinyin": [_TOP_DIGITS, list(_QWERTY[0]), list(_QWERTY[1]), [*_QWERTY[2], BACK], [CLEAR, SEPARATOR, SPACE]],
    "latin": [_TOP_DIGITS, list(_QWERTY[0].upper()), list(_QWERTY[1].upper()), [*_QWERTY[2].upper(), BACK],
              [CLEAR, SPACE, HIDE]],
}
# Keys that insert a character, per layout (everything else on the layout is a command).
LIMITS = {"id_number": 18, "phone": 13, "date": 8, "amount": 10, "credit_code": 18}
MAX_COMPOSING = 36


def layout_for_field(field_type: str) -> str:
    """The keyboard layout for a catalog field type ("" = no keyboard, e.g. a choice)."""
    return {"id_number": "id_number", "phone": "phone", "date": "date", "amount": "amount",
            "credit_code": "credit_code", "text": "pinyin"}.get(field_type, "")


def key_label(key: str) -> str:
    if key == BACK:
        # Not pad.back ("Delete"): a letter key is a tenth of the screen, and "Delete" broke in two there.
        return tr._("keyboard.key.back")
    if len(key) > 1:
        return tr._(f"keyboard.key.{key}")
    return key


class KeyboardKey(KioskButton):
    key = StringProperty("")
    follows_live_theme = True  # keyboard.kv binds its colours to theme.live (see theme.recolour)


class CandidateButton(KioskButton):
    consumed = NumericProperty(0)
    follows_live_theme = True


class HandwritingPad(Widget):
    """A square to write one character on with a finger; dispatches ``on_strokes`` after each stroke."""

    __events__ = ("on_strokes",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []

    def on_strokes(self, strokes: list) -> None:
        pass

    def clear(self) -> None:
        self.strokes = []
        self.canvas.after.clear()

    def on_touch_down(self, touch) -> bool:
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        self.strokes.append([self._local(touch)])
        with self.canvas.after:
            Color(0.05, 0.22, 0.47, 1)
            touch.ud["pad_line"] = Line(points=list(touch.pos), width=4)
        return True

    def on_touch_move(self, touch) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        if self.collide_point(*touch.pos):
            self.strokes[-1].append(self._local(touch))
            touch.ud["pad_line"].points += list(touch.pos)
        return True

    def on_touch_up(self, touch) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        self.dispatch("on_strokes", [list(stroke) for stroke in self.strokes])
        return True

    def _local(self, touch) -> tuple[float, float]:
        # The recogniser's y grows downwards, as on paper.
        return (touch.x - self.x, self.top - touch.y)


class OnScreenKeyboard(BoxLayout):
    layout = StringProperty("")  # "" = hidden
    text = StringProperty("")
    composing = StringProperty("")
    mode = StringProperty("text")  # "name": surnames first, then given-name characters
    max_length = NumericProperty(50)
    page = NumericProperty(0)
    pages = NumericProperty(0)
    candidates = ListProperty([])  # the Candidate objects of the shown page
    engine_ready = BooleanProperty(False)
    panel_color = ColorProperty((0.87, 0.89, 0.92, 1))  # the tray behind the keys
    writing = BooleanProperty(False)  # the writing pad is shown instead of the letters
    __events__ = ("on_key_press", "on_hide")

    _engine: PinyinEngine | None = None  # one engine (and its candidate cache) for every keyboard

    def on_touch_down(self, touch) -> bool:
        # Hidden, the keyboard is 0 high but its disabled keys still hang out of it, and a disabled widget takes
        # every touch on it: they swallowed the taps of the screen above (the catalog's 下一页). Not ours: pass.
        if not self.collide_point(*touch.pos):
            return False
        return super().on_touch_down(touch)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.disabled = not self.layout  # until the first _rebuild
        self._built_layout: str | None = None
        # Rows of keys built once per (layout, text scale, language) and reused: every form field switched the
        # layout to "" and back, and rebuilding ~40 keys with their label textures on the UI thread made the
        # frame after the tap stall (issue #16).
        self._row_cache: dict[tuple[str, float, str], list[Widget]] = {}
        self._waiting = None
        self._written: list[str] = []  # what the recogniser read from the pad, best first
        self._recognition = 0
        self.pad: HandwritingPad | None = None
        if lexicon_if_loaded() is None:
            preload_in_background()  # never on the first frame: keyboards are built after it
        self.bind(layout=lambda *_a: self._rebuild())
        Clock.schedule_once(lambda _dt: self._rebuild(), 0)

    # -- events ---------------------------------------------------------------------------------------
    def on_key_press(self, key: str) -> None:
        pass

    def on_hide(self) -> None:
        pass

    # -- building -------------------------------------------------------------------------------------
    @property
    def shown(self) -> bool:
        return bool(self.layout)

    def _rows(self) -> list[list[str]]:
        if self.layout != "pinyin":
            return LAYOUTS.get(self.layout, [])
        if self.writing:
            return [[REWRITE, BACK, PINYIN]]
        rows = [list(row) for row in LAYOUTS["pinyin"]]
        if handwriting.available():  # the pad only where the recogniser and its model are installed
            rows[-1].append(HAND)
        return rows

    def _rebuild(self, force: bool = False) -> None:
        if self._built_layout == self.layout and not force:
            return
        if self._built_layout != self.layout:
            self.writing = False
        self._built_layout = self.layout
        rows = self.ids.rows
        rows.clear_widgets()
        # A hidden keyboard takes no touches. Set here, between taking the old rows off and putting the new ones
        # on, so no key changes state on the way: set by a kv rule (``disabled: not self.layout``), the cached
        # keys were put on a keyboard still disabled and enabled again when the rule ran, and every key's label
        # was drawn again in the frame that showed the form's field (issue #16: 12 textures in that frame).
        self.disabled = not self.layout
        self.composing = ""
        self.page = self.pages = 0
        self.candidates = []
        self._written = []
        self.pad = None
        if self.writing:
            self.pad = HandwritingPad(size_hint_y=None, height=self.key_height * 4)
            self.pad.bind(on_strokes=lambda _pad, strokes: self._recognize(strokes))
            rows.add_widget(self.pad)
        from kivy.metrics import Metrics

        from kiosk.i18n import current_language

        cache_key = (self.layout, Metrics.fontscale, current_language())
        grids = None if self.writing else self._row_cache.get(cache_key)
        if grids is None:
            grids = [self._build_row(row) for row in self._rows()]
            if not self.writing:
                self._row_cache[cache_key] = grids
        for grid in grids:
            rows.add_widget(grid)
        self._show_candidates()

    def _build_row(self, row: list[str]) -> GridLayout:
        grid = GridLayout(cols=len(row), spacing=self.ids.rows.spacing, size_hint_y=None, height=self.key_height)
        for key in row:
            button = KeyboardKey(key=key, text=key_label(key), height=self.key_height, font_size=self.font_for(key))
            button.bind(on_release=lambda b: self.press(b.key))
            grid.add_widget(button)
        return grid

    @property
    def key_height(self) -> float:
        from kivy.metrics import dp

        # As tall as the number pad's keys everywhere (a row of ten letters cannot be as wide on 1080 px).
        return dp(130)

    def font_for(self, key: str) -> str:
        return "26sp" if len(key) > 1 else ("44sp" if self.layout in LIMITS else "38sp")

    # -- typing ---------------------------------------------------------------------------------------
    def press(self, key: str) -> None:
        self.dispatch("on_key_press", key)
        if key == BACK:
            if self.composing:
                self.composing = self.composing[:-1]
            else:
                self.text = self.text[:-1]
        elif key == CLEAR:
            self.composing = ""
            self.text = ""
        elif key == HIDE:
            self.dispatch("on_hide")
            return
        elif key in (HAND, PINYIN):
            self.writing = key == HAND
            self._rebuild(force=True)
            return
        elif key == REWRITE:
            self._clear_pad()
        elif key == SEPARATOR:
            if self.composing and not self.composing.endswith("'"):
                self.composing += "'"
        elif key == SPACE:
            if not self.composing:
                self._insert(" ")
        elif self.layout == "pinyin" and key.isalpha():
            if len(self.composing) < MAX_COMPOSING:
                self.composing += key
        else:
            self._insert(key)
        self.page = 0
        self._show_candidates()

    def _insert(self, chars: str) -> None:
        limit = LIMITS.get(self.layout, int(self.max_length))
        if self.layout == "amount" and chars == "." and ("." in self.text or not self.text):
            return  # one decimal point, after a digit
        if len(self.text) + len(chars) <= limit:
            self.text += chars

    def choose(self, candidate: Candidate) -> None:
        self.dispatch("on_key_press", "candidate")
        limit = int(self.max_length)
        self.text = (self.text + candidate.text)[:limit]
        if self.writing:
            self._clear_pad()
        else:
            self.composing = self.composing[candidate.consumed:].lstrip("'")
        self.page = 0
        self._show_candidates()

    def turn_page(self, step: int) -> None:
        self.dispatch("on_key_press", "page")
        self.page = max(0, min(self.page + step, max(self.pages - 1, 0)))
        self._show_candidates()

    def reset(self) -> None:
        self.text = ""
        self.composing = ""
        self.page = 0
        if self.pad is not None:
            self.pad.clear()
        self._written = []
        self._show_candidates()

    # -- candidates -----------------------------------------------------------------------------------
    def engine(self) -> PinyinEngine | None:
        lexicon = lexicon_if_loaded()
        if lexicon is None:
            return None
        if OnScreenKeyboard._engine is None or OnScreenKeyboard._engine.lexicon is not lexicon:
            OnScreenKeyboard._engine = PinyinEngine(lexicon)
        return OnScreenKeyboard._engine

    def _show_candidates(self) -> None:
        bar = self.ids.candidate_grid
        bar.clear_widgets()
        if self.layout != "pinyin":
            self.candidates = []
            return
        if self.writing:
            self._show_page([Candidate(text, 0) for text in self._written])
            return
        engine = self.engine()
        self.engine_ready = engine is not None
        if engine is None:
            self.candidates = []
            if self.composing and self._waiting is None:
                self._waiting = Clock.schedule_interval(self._poll_engine, 0.1)
            return
        found = engine.page(self.composing, self.page, mode=self.mode, position=len(self.text), per_page=PER_PAGE)
        self._fill(found.candidates, found.page, found.pages)

    def _show_page(self, everything: list[Candidate]) -> None:
        pages = -(-len(everything) // PER_PAGE)
        page = max(0, min(self.page, pages - 1))
        self._fill(tuple(everything[page * PER_PAGE:(page + 1) * PER_PAGE]), page, pages)

    def _fill(self, shown: tuple[Candidate, ...], page: int, pages: int) -> None:
        bar = self.ids.candidate_grid
        bar.clear_widgets()
        self.pages = pages
        self.page = page
        self.candidates = list(shown)
        for slot in range(PER_PAGE):
            candidate = shown[slot] if slot < len(shown) else None
            button = CandidateButton(text=candidate.text if candidate else "", disabled=candidate is None,
                                     consumed=candidate.consumed if candidate else 0)
            if candidate is not None:
                button.bind(on_release=lambda _b, c=candidate: self.choose(c))
            bar.add_widget(button)

    # -- the writing pad ------------------------------------------------------------------------------
    def _clear_pad(self) -> None:
        if self.pad is not None:
            self.pad.clear()
        self._written = []
        self.page = 0
        self._show_candidates()

    def _recognize(self, strokes: list) -> None:
        """Off the UI thread (the model takes tens of milliseconds); the newest strokes win."""
        import threading

        pad = self.pad
        width, height = pad.width, pad.height
        self._recognition = generation = self._recognition + 1

        def work() -> None:
            recognizer = handwriting.shared_recognizer()
            found = recognizer.recognize(strokes, width, height, count=PER_PAGE * 4) if recognizer else []
            lexicon = lexicon_if_loaded()
            if lexicon is not None:  # radicals and components (冫, 艹) are not characters anyone writes
                found = [char for char in found if lexicon.readings(char)]
            Clock.schedule_once(lambda _dt: self._recognized(generation, found), 0)

        threading.Thread(target=work, name="handwriting", daemon=True).start()

    def _recognized(self, generation: int, found: list[str]) -> None:
        if generation != self._recognition or not self.writing:
            return
        self._written = found
        self.page = 0
        self._show_candidates()

    def _poll_engine(self, _dt: float) -> bool:
        if lexicon_if_loaded() is None:
            return True
        self._waiting = None
        self._show_candidates()
        return False


def _load_rules() -> None:
    # Loaded once per process by the module that owns the widgets (a second load would double every rule).
    from pathlib import Path

    from kivy.lang import Builder

    path = str(Path(__file__).with_suffix(".kv"))
    if path not in Builder.files:
        Builder.load_file(path)


_load_rules()
