"""Everyone can use it (issue #13): the routing of the accessibility aids, composed into the App as
``app.access``. Holds the citizen's choices for this session (长辈模式, 高对比, language, 声音), the voice engine,
the headset monitor and the keypad focus; the App calls one method per hook (start, screen change, session end).

Every choice is the citizen's, for this visit only: ``session_ended`` puts all of them back to the station's
defaults, so the next citizen starts in Chinese, in normal mode, with the voice as configured.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.event import EventDispatcher
from kivy.metrics import Metrics
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from kiosk.i18n import DEFAULT_LANGUAGE, catalog
from kiosk.themes import DEFAULT, get_theme
from kiosk.voice import VoiceEngine, VoiceSettings
from kiosk.voice.headset import HeadsetMonitor, HeadsetStatus
from screens import theme
from screens.focus import KeypadFocus
from screens.i18n import tr

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)

ELDER_FONT_SCALE = 1.5  # 长辈模式: text at 1.5x; sizes given in sp grow with it
ELDER_IDLE_FACTOR = 2.0  # 长辈模式: twice the time before the idle countdown
ELDER_MAX_CHOICES = 6  # 长辈模式: at most this many choices on one screen (screens read it to paginate)
PREWARM_AFTER_S = 5.0  # after the home screen, the catalog and the devices have started


def fixed_prompts() -> list[str]:
    """The prompts worth synthesizing at start-up: every screen prompt without values, and the keypad hint."""
    keys = [key for key, text in catalog(DEFAULT_LANGUAGE).items()
            if key.startswith("voice.prompt.") and "{" not in text]
    return [*keys, "voice.keypad_hint"]


class _ToggleFollowsVoice:
    """The voice as the keypad focus sees it: when the first keypad key turns the voice on, the top bar's
    声音 toggle shows it."""

    def __init__(self, access: AccessRoutes) -> None:
        self._access = access

    def enable(self, on: bool = True) -> None:
        self._access.set_voice(on)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._access.voice, name)


class AccessRoutes(EventDispatcher):
    elder = BooleanProperty(False)  # 长辈模式
    contrast = BooleanProperty(False)  # 高对比
    voice_on = BooleanProperty(False)  # 声音 (mirrors the engine, so the top bar shows it)
    language = StringProperty(DEFAULT_LANGUAGE)

    def __init__(self, app: KioskApp) -> None:
        super().__init__()
        self.app = app
        settings = app.config_kiosk.voice
        self.settings = settings
        self.voice = VoiceEngine(VoiceSettings(app.config_kiosk.kiosk.state_dir, rate=settings.rate,
                                               volume=settings.volume, player=settings.player,
                                               enabled=settings.enabled))
        self.voice_on = settings.enabled
        self.focus = KeypadFocus()
        self.headset: HeadsetMonitor | None = None
        self._private_for: str | None = None  # the session whose private words the voice holds
        self._base_fontscale = 1.0
        self._recolour_soon = Clock.create_trigger(self.recolour_now, 0.3)

    # -- hooks the App calls ------------------------------------------------------------------------------
    def started(self) -> None:
        """``on_start``: voice worker, the fixed prompts prepared off the UI thread, headset, keypad."""
        self.voice.start()
        # The fixed prompts synthesized into the cache on a worker, once the kiosk's own start-up is done.
        Clock.schedule_once(lambda _dt: self.voice.prewarm(fixed_prompts(), ("zh_CN", "en")), PREWARM_AFTER_S)
        if self.settings.auto_on_headset:
            self.headset = HeadsetMonitor(self._headset_changed).start()
            if self.headset.status.present:  # plugged in before the kiosk started
                self.set_voice(True)
        self.focus.attach(Window, _ToggleFollowsVoice(self), chrome=lambda: [self.app.top_bar], on_back=self.app.back)
        self.focus.screen_changed(self.app.manager.current_screen)  # the home screen, shown before any change
        self.app.idle.on_tick = self._countdown_tick
        self._base_fontscale = Metrics.fontscale  # the station's own size ([kiosk] large_text)
        self.language = self.app.config_kiosk.kiosk.language
        Window.clearcolor = tuple(theme.live.background)
        Window.bind(children=lambda *_args: self._recolour_soon())  # a popup opened

    def stopped(self) -> None:
        if self.headset is not None:
            self.headset.stop()
        self.focus.detach()
        self.voice.stop()

    def screen_changed(self, screen: Any) -> None:
        """A new screen: its prompt is spoken (when the voice is on), the keypad focus starts over."""
        self.app.top_bar.show_back = bool(getattr(screen, "show_back_button", True)) and len(self.app.nav.names) > 1
        self._hold_private_words()
        self.focus.screen_changed(screen)
        if self.contrast:  # what the screen built on its way in, and just after (lists filled from data)
            self.recolour_now()
            self._recolour_soon()

    def session_ended(self) -> None:
        """Everything back to the station's defaults; the voice forgets this citizen's words and audio."""
        self.voice.forget()
        self._private_for = None
        self.focus.end_session()
        self.set_voice(self.settings.enabled or (self.headset is not None and self.headset.status.present))
        self.set_elder(False)
        self.set_contrast(False)
        self.set_language(self.app.config_kiosk.kiosk.language)

    def cue(self, name: str) -> None:
        """A sound for something that happened (card read, code read, printing, error, countdown tick)."""
        self.voice.cue(name)

    # -- the citizen's toggles (top bar) ------------------------------------------------------------------
    def toggle_elder(self) -> None:
        self.set_elder(not self.elder)

    def toggle_contrast(self) -> None:
        self.set_contrast(not self.contrast)

    def toggle_language(self) -> None:
        self.set_language("en" if self.language == DEFAULT_LANGUAGE else DEFAULT_LANGUAGE)

    def toggle_voice(self) -> None:
        self.set_voice(not self.voice_on)
        if self.voice_on:
            self.focus.say_prompt()  # turned on: say where the citizen is

    def set_elder(self, on: bool) -> None:
        self.elder = on
        scale = ELDER_FONT_SCALE if on else self._base_fontscale
        # Only on a change: Kivy's fontscale is an alias property that dispatches on every set, and each
        # dispatch re-evaluates every sp() in every kv rule of every screen. Set at each session's end, that
        # was 6 ms of the frame that ends every session (issue #16).
        if Metrics.fontscale != scale:
            Metrics.fontscale = scale
        self.app.idle.scale = ELDER_IDLE_FACTOR if on else 1.0

    def set_contrast(self, on: bool) -> None:
        if on == self.contrast and theme.live.name == ("contrast" if on else "default"):
            return
        before = get_theme(theme.live.name)
        self.contrast = on
        after = theme.use("contrast" if on else "default")
        Window.clearcolor = tuple(theme.live.background)
        for root in self._roots():
            theme.recolour(root, before, after)

    def _roots(self) -> list[Any]:
        popups = [widget for widget in Window.children if isinstance(widget, ModalView)]
        return [self.app.top_bar, *self.app.manager.screens, *popups]

    def recolour_now(self, *_args: Any) -> None:
        """Widgets built since the switch (a list filled, a popup opened) get the contrast palette too."""
        if self.contrast:
            contrast = get_theme("contrast")
            for root in self._roots():
                theme.recolour(root, DEFAULT, contrast)

    def set_language(self, language: str) -> None:
        if language != self.language or tr._("app.title") != catalog(language).get("app.title"):
            tr.switch(language)
        self.language = language
        if self.voice_on:
            self.focus.say_prompt()

    def set_voice(self, on: bool) -> None:
        self.voice.enable(on)
        self.voice_on = on

    @property
    def max_choices(self) -> int | None:
        """At most this many choices on one screen (长辈模式), or None: no limit."""
        return ELDER_MAX_CHOICES if self.elder else None

    # -- internals ----------------------------------------------------------------------------------------
    def _headset_changed(self, status: HeadsetStatus) -> None:  # the monitor's thread
        Clock.schedule_once(lambda _dt: self._headset_on_ui(status), 0)

    def _headset_on_ui(self, status: HeadsetStatus) -> None:
        if status.present and not self.voice_on:
            log.info("headset plugged in (%s): voice on", status.how)
            self.set_voice(True)
            self.focus.say_prompt()

    def _hold_private_words(self) -> None:
        """Once the citizen is known, the voice masks their name and phone wherever they would be said."""
        session = self.app.session
        if session.citizen is not None and self._private_for != session.id:
            self._private_for = session.id
            self.voice.set_private_words([session.citizen.name, session.citizen.phone, session.citizen.id_number])

    def _countdown_tick(self, seconds_left: int, opened: bool) -> None:
        """The idle countdown: said when it appears (what will happen, how to stay), then a tick each second."""
        if opened:
            self.voice.say_screen("voice.prompt.countdown", seconds=seconds_left)
        else:
            self.voice.cue("tick")
