from __future__ import annotations

from kivy.properties import StringProperty

from screens.base import KioskScreen


class HomeScreen(KioskScreen):
    title_key = "home.bar"
    show_home_button = False
    availability_text = StringProperty("")

    def start(self) -> None:
        self.app.go("identify")
