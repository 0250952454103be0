from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flow import RATING_LEVELS
from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import KioskButton

_LEVEL_COLORS = {5: (0.10, 0.52, 0.27, 1), 4: (0.25, 0.60, 0.35, 1), 3: (0.45, 0.50, 0.55, 1),
                 2: (0.80, 0.45, 0.15, 1), 1: (0.78, 0.13, 0.13, 1)}


class RatingScreen(KioskScreen):
    title_key = "rating.bar"
    show_home_button = False
    thanks = StringProperty("")
    done = BooleanProperty(False)

    def on_kv_post(self, base_widget) -> None:
        for level, key in RATING_LEVELS:
            button = KioskButton(fill_color=_LEVEL_COLORS[level], height="130dp")
            button.level = level
            button.text_key = key
            button.text = tr._(key)
            button.bind(on_release=lambda b: self.rate(b.level))
            self.ids.levels.add_widget(button)
        tr.fbind("_", self._retranslate)

    def _retranslate(self, *args) -> None:
        for button in self.ids.levels.children:
            button.text = tr._(button.text_key)

    def on_pre_enter(self, *args) -> None:
        self.done = False
        self.thanks = ""

    def rate(self, level: int) -> None:
        if self.done:
            return
        self.done = True
        self.app.submit_rating(level)

    def show_thanks(self, text: str) -> None:
        self.thanks = text

    def reset(self) -> None:
        self.done = False
        self.thanks = ""
