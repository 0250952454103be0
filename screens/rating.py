from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flow import RATING_LEVELS
from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import KioskButton

_LEVEL_COLORS = {5: (0.10, 0.52, 0.27, 1), 4: (0.25, 0.60, 0.35, 1), 3: (0.45, 0.50, 0.55, 1),
                 2: (0.80, 0.45, 0.15, 1), 1: (0.78, 0.13, 0.13, 1)}


BAD_LEVEL = 2  # 不满意 and 非常不满意 ask for a reason (好差评: every bad rating is followed up)
REASON_KEYS = ("rating.reason.wait", "rating.reason.hard", "rating.reason.device", "rating.reason.materials",
               "rating.reason.staff", "rating.reason.other")


class RatingScreen(KioskScreen):
    title_key = "rating.bar"
    show_home_button = False
    thanks = StringProperty("")
    done = BooleanProperty(False)
    asking_reason = BooleanProperty(False)
    callback = BooleanProperty(False)
    phone_text = StringProperty("")

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
        self.asking_reason = False
        self.ids.callback_toggle.checked = False

    def rate(self, level: int) -> None:
        if self.done:
            return
        if level <= BAD_LEVEL:
            self._ask_reason(level)
            return
        self.done = True
        self.app.submit_rating(level)

    def _ask_reason(self, level: int) -> None:
        from screens.materials import MaterialToggle

        self.level = level
        self.asking_reason = True
        reasons = self.ids.reasons
        reasons.clear_widgets()
        for key in REASON_KEYS:
            toggle = MaterialToggle(text=tr._(key), material=key)
            reasons.add_widget(toggle)
        citizen = self.app.session.citizen
        phone = self.app.session.form.get("phone") or (citizen.phone if citizen else "")
        from kiosk.masking import mask_phone

        self.phone_text = (tr._("rating.callback_phone", phone=mask_phone(phone)) if phone
                           else tr._("rating.callback_no_phone"))

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
