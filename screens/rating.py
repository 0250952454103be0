from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.desk.rating import LEVELS
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
    asking_reason = BooleanProperty(False)
    callback = BooleanProperty(False)
    phone_text = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        for level, key in LEVELS:
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
        self.asking_reason = False
        self.ids.callback_toggle.checked = False

    def rate(self, level: int) -> None:
        if self.done:
            return
        self.level = level
        self.app.rate(level)  # the desk decides: send it, or ask why first (a bad rating)

    def ask_reasons(self, level: int, reason_keys: tuple[str, ...], callback_phone_text: str) -> None:
        from screens.materials import MaterialToggle

        self.level = level
        self.asking_reason = True
        reasons = self.ids.reasons
        reasons.clear_widgets()
        for key in reason_keys:
            reasons.add_widget(MaterialToggle(text=tr._(key), material=key))
        self.phone_text = callback_phone_text

    def sending(self) -> None:
        self.done = True

    def chosen_reasons(self) -> list[str]:
        return [tr._(w.material) for w in self.ids.reasons.children if getattr(w, "checked", False)][::-1]

    def send_bad_rating(self) -> None:
        if self.done:
            return
        self.done = True
        self.app.submit_rating(self.level, self.chosen_reasons(), self.callback)

    def show_thanks(self, text: str) -> None:
        self.thanks = text

    def reset(self) -> None:
        self.done = False
        self.thanks = ""
        self.asking_reason = False
        self.ids.callback_toggle.checked = False
        self.phone_text = ""
        self.ids.reasons.clear_widgets()
