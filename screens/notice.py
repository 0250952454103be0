"""一次性告知: everything that is missing, at once, on screen and on paper."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.rules.materials import numbered_missing
from kiosk.shown_names import shown_names
from screens.base import KioskScreen
from screens.i18n import tr
from screens.result import RateFirst


class NoticeScreen(RateFirst, KioskScreen):
    title_key = "notice.bar"
    # 返回首页 asks once "rate first?" (RateFirst); 上一步 goes back to the materials, to tick what was missed.
    body = StringProperty("")
    print_text = StringProperty("")
    image = StringProperty("")
    printed = BooleanProperty(False)

    def show(self, check) -> None:
        item = self.app.current_item()
        items = numbered_missing(check.missing, shown_names(item) if item is not None else None)
        self.body = tr._("notice.body", count=len(check.missing), items=items)
        self.print_text = tr._("result.printing")
        self.image = ""
        self.printed = False

    def show_print(self, text: str, image: str, printed: bool) -> None:
        reused = image == self.image  # a new path loads by itself; reload() only a reused one (result.py)
        self.print_text, self.image, self.printed = text, image, printed
        if image and reused:
            self.ids.notice_image.reload()

    def reset(self) -> None:
        self.asked_rating = False
        self.body = self.print_text = self.image = ""
        self.printed = False
