from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import translate
from screens.base import KioskScreen

if TYPE_CHECKING:  # kiosk.notices brings the platform client (requests): not before the first frame (issue #16)
    from kiosk.notices import Notice


class HomeScreen(KioskScreen):
    title_key = "home.bar"
    show_home_button = False
    availability_text = StringProperty("")
    notices_text = StringProperty("")  # operator notices in force (紧急通知, holiday hours …), newest rules
    notice_emergency = BooleanProperty(False)

    def start(self) -> None:
        # Guides are public: browse first, identify only when an item needs it.
        self.app.go("catalog")

    def complaint(self) -> None:
        self.app.help.open_complaint()

    def show_notices(self, notices: Sequence[Notice]) -> None:
        """Emergencies first; each says its kind in words ("紧急通知：…"), not by colour alone."""
        ordered = sorted(notices, key=lambda notice: not notice.emergency)
        self.notice_emergency = any(notice.emergency for notice in ordered)
        self.notices_text = "\n\n".join(
            translate("help_ui.home.notice", level=translate(f"help.notice.{notice.level}"), title=notice.title)
            + (f"\n{notice.body}" if notice.body else "") for notice in ordered)
