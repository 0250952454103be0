"""排队取号: choose a service ("社保医保", "户籍" — what citizens know, not the bureaus' names), take a number (the platform's, or this kiosk's own while offline), show it
big and print it. A ticket carries no personal data; the screen still clears itself when the session ends."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.factory import Factory
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from kiosk.desk.service import service_label
from screens.base import KioskScreen
from screens.i18n import tr


class TicketScreen(KioskScreen):
    title_key = "desk.ticket_bar"
    stage = OptionProperty("choose", options=["choose", "taking", "done", "failed"])
    has_departments = BooleanProperty(True)
    service = StringProperty("")  # the chosen service's name ("社保医保"), whatever the language
    department = StringProperty("")  # … and as shown, in the citizen's language
    number = StringProperty("")
    waiting_text = StringProperty("")
    offline = BooleanProperty(False)
    print_text = StringProperty("")
    print_failed = BooleanProperty(False)
    error_text = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        # The service buttons are made here, not by kv rules: a language switch relabels them (one binding,
        # for the life of the screen).
        tr.fbind("_", self._relabel)

    def _relabel(self, *_args) -> None:
        for button in self.ids.departments.children:
            button.text = service_label(button.code)
        if self.service:
            self.department = service_label(self.service)

    def show_services(self, services: Sequence[str]) -> None:
        self.reset()
        grid = self.ids.departments
        grid.clear_widgets()
        for name in services:
            # One service a row, its short name big: the words on the hall's window signs.
            button = Factory.ChoiceButton(text=service_label(name), code=name, height="124dp")
            button.bind(on_release=lambda b: self.choose(b.code))
            grid.add_widget(button)
        self.has_departments = bool(services)

    def choose(self, service: str) -> None:
        if self.stage != "choose":
            return  # a second tap while the first is being served takes no second number
        self.service = service
        self.department = service_label(service)  # shown under the number: 办理业务
        self.stage = "taking"
        self.app.counter.take_queue_ticket(service)

    def show_ticket(self, number: str, waiting_text: str, offline: bool) -> None:
        self.number, self.waiting_text, self.offline = number, waiting_text, offline
        self.print_text = tr._("desk.ticket.printing")
        self.print_failed = False
        self.stage = "done"

    def show_print(self, text: str, ok: bool) -> None:
        self.print_text, self.print_failed = text, not ok

    def show_error(self, text: str) -> None:
        self.error_text = text
        self.stage = "failed"

    def again(self) -> None:
        self.error_text = ""
        self.stage = "choose"

    def reset(self) -> None:
        self.stage = "choose"
        self.service = self.department = self.number = self.waiting_text = self.print_text = self.error_text = ""
        self.offline = self.print_failed = False
