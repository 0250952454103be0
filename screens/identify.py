from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen


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
        self.demo_card_available = self.app.runtime.id_reader_is_simulated
        self.demo_qr_available = self.app.runtime.camera_is_simulated
        self.reader_text = self.app.reader_status_text()

    def on_key(self, key: str) -> None:
        self.error_text = ""
        if key == "back":
            self.typed = self.typed[:-1]
        elif len(self.typed) < 18:
            self.typed += key

    def confirm_typed(self) -> None:
        self.app.identify_typed(self.typed)

    def present_demo_card(self) -> None:
        self.app.runtime.present_demo_card()

    def present_demo_qr(self) -> None:
        self.app.runtime.present_demo_qr()

    def show_error(self, text: str) -> None:
        self.status_text = ""
        self.error_text = text

    def show_status(self, text: str) -> None:
        self.status_text = text

    def reset(self) -> None:
        self.typed = ""
        self.error_text = ""
        self.status_text = ""
        self.busy = False
