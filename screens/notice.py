"""一次性告知: everything that is missing, at once, on screen and on paper."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.rules.materials import requirement_text
from screens.base import KioskScreen
from screens.i18n import tr


class NoticeScreen(KioskScreen):
    title_key = "notice.bar"
    show_home_button = False  # rate first (一次一评); idle timeout still ends the session
    body = StringProperty("")
    print_text = StringProperty("")
    image = StringProperty("")
    printed = BooleanProperty(False)

    def show(self, check) -> None:
        lines = [f"{i}. {m.name}（{requirement_text(m)}）" for i, m in enumerate(check.missing, 1)]
        self.body = tr._("notice.body", count=len(check.missing), items="\n".join(lines))
        self.print_text = tr._("result.printing")
        self.image = ""
        self.printed = False

    def show_print(self, text: str, image: str, printed: bool) -> None:
        self.print_text, self.image, self.printed = text, image, printed
        if image:
            self.ids.notice_image.reload()

    def reset(self) -> None:
        self.body = self.print_text = self.image = ""
        self.printed = False
