from __future__ import annotations

from kivy.properties import StringProperty

from screens.base import KioskScreen


class HomeScreen(KioskScreen):
    title_key = "home.bar"
    show_home_button = False
    availability_text = StringProperty("")

    def start(self) -> None:
        # Guides are public: browse first, identify only when an item needs it.
        self.app.go("catalog")

    def complaint(self) -> None:
        from screens.i18n import tr
        from screens.popups import show_message

        show_message(tr._("home.complaint"), tr._("home.complaint_body"))
