"""Shared widgets: big touch buttons, the number pad, the top bar, the idle countdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kivy.factory import Factory
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from screens import theme
from screens.wrapping_label import WrappingLabel, _measurer

# <KioskLabel@WrappingLabel> in widgets.kv: every body text and title breaks lines by Chinese rules
# (kiosk/linebreak.py): no line starts with "，" or "。", no title ends with one character alone.
Factory.register("WrappingLabel", cls=WrappingLabel)


W = TypeVar("W", bound=Widget)


def kept(widgets: list[W], index: int, make: Callable[[], W]) -> W:
    """The ``index``-th of a screen's kept widgets, made on first need and reused from citizen to citizen: a
    widget built through the kv rules in the frame that shows it made that frame one of the soak's heaviest
    (issue #16), and a kept label given the same words draws no new texture."""
    while len(widgets) <= index:
        widgets.append(make())
    return widgets[index]


def one_line_width(text: str, font_name: str, font_size: float, bold: bool) -> float:
    """How wide ``text`` is on one line in this font. A button sized by it (``width: one_line_width(...) +
    dp(32)``) never reads its own width back: a width from ``texture_size`` would, through the button's
    ``text_size: self.width - dp(24), None`` rule, re-wrap the text and change the width again, forever."""
    return _measurer(font_name, float(font_size), bool(bold), False, None).get_extents(text)[0]


def grow_with_text(button: Widget, minimum_dp: float, *also: Widget) -> None:
    """The button (and ``also``: its row) at least ``minimum_dp`` high, higher when its wrapped text needs it:
    a long English choice or name in 长辈模式 takes two or three lines and would clip in a fixed height."""
    def fit(_button: Widget, size: tuple[float, float]) -> None:
        height = max(dp(minimum_dp), size[1] + dp(28))
        for widget in (button, *also):
            widget.height = height

    button.bind(texture_size=fit)


class KioskButton(ButtonBehavior, Label):
    """A large button that looks pressable to someone who has never used a touchscreen."""

    fill_color = ColorProperty(theme.PRIMARY)
    pressed_color = ColorProperty(theme.PRIMARY_DARK)
    text_color = ColorProperty((1, 1, 1, 1))

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Text at 1.5x (长辈模式) or in English can need more lines than a button's fixed height holds: the
        # button grows to fit rather than cut its words. A hidden button (height 0) stays hidden.
        # Off for now: after it was added, a `kiosk screenshots --mode elder` run hung before its first screen
        # (not yet diagnosed; a layout ping-pong is the suspect). Turn on once that is ruled out.
        # self.fbind("texture_size", self._fit_text); self.fbind("height", self._fit_text)

    _fitted_height = -1.0  # the height this button gave itself; any other height was set by its layout rules
    _rule_height = 0.0  # the height the kv rules asked for: the button never gets smaller than that

    def _fit_text(self, *_args) -> None:
        if self.size_hint_y is not None or self.opacity == 0:
            return
        if self.height != self._fitted_height:
            self._rule_height = self.height
        if self._rule_height <= 1:  # hidden by its rules (height 0)
            return
        wanted = max(self._rule_height, self.texture_size[1] + dp(8))
        if wanted != self.height:
            self._fitted_height = wanted
            self.height = wanted


class SecondaryButton(KioskButton):
    pass


class ChoiceButton(KioskButton):
    """A catalog item or rating choice: a card with a title and a subtitle."""

    subtitle = StringProperty("")
    code = StringProperty("")


class CategoryChip(KioskButton):
    """A category filter on the catalog screen."""

    code = StringProperty("")
    selected = BooleanProperty(False)


class NumberPad(GridLayout):
    """0-9, X and backspace for ID numbers; dispatches ``on_key`` with '0'..'9', 'X' or 'back'."""

    __events__ = ("on_key",)

    def press(self, key: str) -> None:
        self.dispatch("on_key", key)

    def on_key(self, key: str) -> None:
        pass


class TopBar(BoxLayout):
    """The bar on every screen: title, 返回上一步, 返回首页, 呼叫工作人员, and below them the citizen's aids
    (长辈模式, 高对比, 中文/English, 声音), each one tap away from any screen (issue #13)."""

    title = StringProperty("")
    show_home = ObjectProperty(False)
    show_back = BooleanProperty(False)


class AccessToggle(KioskButton):
    """A top-bar aid that is on or off; ``checked`` is said by the keypad focus (已选中 / 未选中)."""

    checked = BooleanProperty(False)
    spoken_label = StringProperty("")  # the words; the text adds a filled or hollow dot for the state


class CountdownView(ModalView):
    """Shown before an idle session ends: how long is left, and a big button to continue."""

    seconds_left = NumericProperty(0)
    continue_callback = ObjectProperty(None)
