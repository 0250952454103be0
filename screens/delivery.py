"""结果送达方式 (a step before confirm): the methods the item offers as big buttons; for 邮寄 the address starts
with taps (the kiosk's own township and village, kiosk/places.py) and the rest is typed on the on-screen
keyboard; the platform computes the postage and the confirm screen shows the choice."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import OptionProperty, StringProperty

from kiosk.places import places_for
from screens.base import KioskScreen
from screens.i18n import tr


class DeliveryScreen(KioskScreen):
    title_key = "finish.delivery.bar"  # short: the top bar beside its buttons; the heading says it in full
    stage = OptionProperty("choose", options=["choose", "township", "village", "detail", "busy"])
    address = StringProperty("")
    error_text = StringProperty("")
    _prefix = ""

    def show_options(self, methods: Any) -> None:
        self.reset()
        box = self.ids.delivery_methods
        for method in methods:
            words = tr._(f"guide.delivery.{method}")  # lower case in English: the guide uses it mid-sentence
            button = Factory.ChoiceButton(text=words[:1].upper() + words[1:], height="120dp")
            button.method = method
            button.bind(on_release=lambda b: self.choose(b.method))
            box.add_widget(button)

    def choose(self, method: str) -> None:
        if method != "mail":
            self.stage = "busy"
            self.app.finish.choose_delivery(method, "")
            return
        places = places_for(self.app.config_kiosk)
        if places is None:
            self._type("")
            return
        self._offer([*places.township_names()], "township", lambda name: self._township(places, name))

    def _township(self, places: Any, township: str) -> None:
        self._offer(places.villages(township), "village",
                    lambda village: self._type(places.address(township, village, "")))

    def _offer(self, names: list[str], stage: str, then: Any) -> None:
        box = self.ids.delivery_places
        box.clear_widgets()
        for name in names:
            button = Factory.SecondaryButton(text=name, height="100dp")
            button.bind(on_release=lambda b: then(b.text))
            box.add_widget(button)
        self.stage = stage
        self.ids.delivery_scroll.scroll_y = 1  # the list read from its top

    def _type(self, prefix: str) -> None:
        self._prefix = prefix
        self.ids.delivery_places.clear_widgets()
        keyboard = self.ids.delivery_keyboard
        keyboard.reset()
        keyboard.mode = "text"
        keyboard.max_length = max(1, 120 - len(prefix))
        keyboard.layout = "pinyin"
        self.address = prefix
        self.stage = "detail"
        self.ids.delivery_scroll.scroll_y = 0  # the address being typed in view, above the keyboard

    def on_typed(self, text: str) -> None:
        if self.stage == "detail":
            self.address = self._prefix + text

    def confirm_address(self) -> None:
        self.error_text = ""
        self.stage = "busy"
        self.app.finish.choose_delivery("mail", self.address)

    def show_error(self, text: str) -> None:
        self.error_text = text
        self.stage = "detail" if self.address else "choose"

    def reset(self) -> None:
        self.stage = "choose"
        self.address = self.error_text = self._prefix = ""
        if "delivery_methods" in self.ids:
            self.ids.delivery_methods.clear_widgets()
            self.ids.delivery_places.clear_widgets()
            self.ids.delivery_keyboard.reset()
            self.ids.delivery_keyboard.layout = ""
            self.ids.delivery_scroll.scroll_y = 1
