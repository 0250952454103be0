from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.desk.rating import LEVELS
from screens import theme
from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import KioskButton


class RatingButton(KioskButton):
    """A rating level: its word in the middle and its stars at the left edge (the level without colour)."""

    marks = StringProperty("")


class RatingScreen(KioskScreen):
    title_key = "rating.bar"
    # 返回首页 as on every screen (issue #13); it ends the visit like 跳过, the rating is the citizen's choice.
    thanks = StringProperty("")
    done = BooleanProperty(False)
    asking_reason = BooleanProperty(False)
    callback = BooleanProperty(False)
    phone_text = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        # Each level carries its word and a star count, never its colour alone; the fills follow the theme
        # (theme.live: the high-contrast palette too) and all pass 4.5:1 against the white text.
        for level, key in LEVELS:
            button = RatingButton(fill_color=tuple(theme.live.rating_colour(level)), text_color=tuple(theme.live.on_primary),
                                  marks=theme.RATING_MARKS[level])
            button.level = level
            button.text_key = key
            button.bind(on_release=lambda b: self.rate(b.level))
            self.ids.levels.add_widget(button)
        self._retranslate()
        tr.fbind("_", self._retranslate)
        theme.live.bind(name=self._recolour)

    def _retranslate(self, *args) -> None:
        for button in self.ids.levels.children:
            button.text = tr._(button.text_key)

    def _recolour(self, *_args) -> None:
        for button in self.ids.levels.children:
            button.fill_color = tuple(theme.live.rating_colour(button.level))
            button.text_color = tuple(theme.live.on_primary)

    def skip(self) -> None:
        """跳过: rating is the citizen's choice; skipping ends the visit like 返回首页."""
        self.app.end_session()

    def on_pre_enter(self, *args) -> None:
        self.done = False
        self.thanks = ""
        self.asking_reason = False
        self.ids.callback_toggle.checked = False
        # The last bad rating's reason chips go: hidden in a 0-high, disabled list they still stood where the top
        # bar is, and a disabled widget swallows the touches it covers (上一步 did nothing after a bad rating).
        self.ids.reasons.clear_widgets()

    def rate(self, level: int) -> None:
        if self.done:
            return
        self.level = level
        self.app.journey.rate(level)  # the desk decides: send it, or ask why first (a bad rating)

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
        self.app.journey.submit_rating(self.level, self.chosen_reasons(), self.callback)

    def show_thanks(self, text: str) -> None:
        self.thanks = text

    def reset(self) -> None:
        self.done = False
        self.thanks = ""
        self.asking_reason = False
        self.ids.callback_toggle.checked = False
        self.phone_text = ""
        self.ids.reasons.clear_widgets()
