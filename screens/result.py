from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen


class ResultScreen(KioskScreen):
    title_key = "result.bar"
    show_home_button = False  # the citizen rates first (一次一评); the idle timeout still ends the session
    headline = StringProperty("")
    receipt_number = StringProperty("")
    print_text = StringProperty("")
    receipt_image = StringProperty("")
    printed = BooleanProperty(False)
    members_text = StringProperty("")
    slip_text = StringProperty("")

    def show(self, headline: str, receipt_number: str) -> None:
        self.headline = headline
        self.receipt_number = receipt_number
        self.receipt_image = ""
        self.printed = False
        self.members_text = self.slip_text = ""

    def show_members(self, members: list[tuple[str, str]]) -> None:
        from screens.i18n import tr

        self.members_text = tr._("result.members") + "\n" + "\n".join(f"{name}：{number}" for name, number in members)

    def show_slip(self, text: str) -> None:
        self.slip_text = text

    def show_print(self, text: str, image_path: str = "", printed: bool = False) -> None:
        self.print_text = text
        self.printed = printed
        self.receipt_image = image_path
        if image_path:
            self.ids.receipt.reload()

    def reset(self) -> None:
        self.headline = self.receipt_number = self.print_text = self.receipt_image = ""
        self.members_text = self.slip_text = ""
        self.printed = False
