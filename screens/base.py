"""The base of every screen: a way to clear what a citizen entered when their session ends, and what the
screen says when it appears (issue #13: every screen has a spoken prompt)."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen

from kiosk.i18n import catalog, current_language
from screens.i18n import tr

# Screens that serve two services under one name: the prompt follows the title the screen shows now.
_PROMPT_BY_TITLE = {"desk.pickup_bar": "voice.prompt.pickup", "desk.progress_bar": "voice.prompt.progress"}
# Screens whose texts are built in Python from the catalog (item names, guide texts), not by kv ``tr._`` rules:
# a language switch while one is shown builds it again by repeating its on_pre_enter (safe to repeat there).
_REBUILT_ON_LANGUAGE = frozenset({"catalog", "guide", "confirm"})
# These show the item's own names (kiosk/shown_names.py) and override _language_switched to show them again
# without losing what the citizen ticked or typed.
_RENAMED_ON_LANGUAGE = frozenset({"materials", "form"})


class KioskScreen(Screen):
    title_key = "app.title"
    show_home_button = True
    show_back_button = True  # 上一步 in the top bar (the navigator's pop); off where there is no step back
    # Reset in the frame that ends the session even when off screen: its reset stops a device or forgets data
    # held outside its widgets (KioskApp.end_session resets the others one frame later).
    reset_at_once = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if self.name in _REBUILT_ON_LANGUAGE | _RENAMED_ON_LANGUAGE:  # set by the kv rule, applied during Screen.__init__
            tr.fbind("_", self._language_switched)  # one binding per screen, for the life of the app

    def _language_switched(self, *_args) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.on_pre_enter()

    @property
    def app(self):  # the running KioskApp
        return App.get_running_app()

    @property
    def spoken_prompt(self) -> str:
        """The i18n key of what this screen says on arrival and on the help key: ``voice.prompt.<name>``.
        A screen class may set its own as a class attribute (which takes the place of this property)."""
        by_title = _PROMPT_BY_TITLE.get(self.title_key)
        if by_title:
            return by_title
        key = f"voice.prompt.{self.name}"
        return key if key in catalog(current_language()) or key in catalog("zh_CN") else "voice.prompt.generic"

    def go_home(self) -> None:
        """The top bar's 返回首页: the session ends. A screen may ask something first (the receipt: rate?)."""
        self.app.end_session()

    def reset(self) -> None:
        """Forget everything shown for the previous citizen. Screens that show personal data override it."""
