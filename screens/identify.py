from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen
from screens.keyboard import OnScreenKeyboard  # noqa: F401  (the kv rule below uses it)


def group_id_digits(digits: str) -> str:
    """410105 19500315 2015: region, birth date, sequence+check, so a citizen can check what they typed."""
    return " ".join(part for part in (digits[:6], digits[6:14], digits[14:]) if part)


class IdentifyScreen(KioskScreen):
    title_key = "identify.bar"
    typed = StringProperty("")
    error_text = StringProperty("")
    reader_text = StringProperty("")
    busy = BooleanProperty(False)
    demo_card_available = BooleanProperty(False)
    demo_qr_available = BooleanProperty(False)
    status_text = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.demo_card_available = self.app.demo.card_available
        self.demo_qr_available = self.app.demo.camera_available
        self.reader_text = self.app.reader_status_text()

    def on_kv_post(self, base_widget) -> None:
        # The on-screen keyboard (ID layout: digits and X) holds what is typed; the screen shows it grouped.
        self.ids.pad.bind(text=self._typed)

    def _typed(self, _keyboard, text: str) -> None:
        self.error_text = ""
        self.typed = text

    def confirm_typed(self) -> None:
        self.app.journey.identify_typed(self.typed)

    def present_demo_card(self) -> None:
        self.app.demo.present_card()

    def present_demo_qr(self) -> None:
        self.app.demo.identity_qr()

    def show_error(self, text: str) -> None:
        self.status_text = ""
        self.error_text = text
        # The error ends the scrolling part, just above the number typed: shown there once it is laid out.
        Clock.schedule_once(lambda _dt: self._scroll_to_error(), 0)

    def _scroll_to_error(self) -> None:
        if self.error_text:
            self.ids.scroll.scroll_y = 0

    def show_need(self, message) -> None:  # noqa: ANN001 - kiosk.desk.outcomes.Message
        """What this identification is for (the desk's words: "place your card, or show an e-ID code")."""
        self.status_text = message.text()

    def show_status(self, text: str) -> None:
        self.status_text = text

    def reset(self) -> None:
        self.ids.pad.reset()
        self.typed = ""
        self.error_text = ""
        self.status_text = ""
        self.busy = False
