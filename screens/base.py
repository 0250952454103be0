"""The base of every screen: a way to clear what a citizen entered when their session ends."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    title_key = "app.title"
    show_home_button = True

    @property
    def app(self):  # the running KioskApp
        return App.get_running_app()

    def reset(self) -> None:
        """Forget everything shown for the previous citizen. Screens that show personal data override it."""
