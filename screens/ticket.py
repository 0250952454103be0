"""排队取号: choose a department, take a number (the platform's, or this kiosk's own while offline), show it
big and print it. A ticket carries no personal data; the screen still clears itself when the session ends."""

from __future__ import annotations

from collections.abc import Sequence

from kivy.factory import Factory
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr


class TicketScreen(KioskScreen):
    title_key = "desk.ticket_bar"
    stage = OptionProperty("choose", options=["choose", "taking", "done", "failed"])
    has_departments = BooleanProperty(True)
    department = StringProperty("")
    number = StringProperty("")
    waiting_text = StringProperty("")
    offline = BooleanProperty(False)
    print_text = StringProperty("")
    print_failed = BooleanProperty(False)
    error_text = StringProperty("")

    def show_departments(self, departments: Sequence[str]) -> None:
        self.reset()
        grid = self.ids.departments
        grid.clear_widgets()
        for name in departments:
            # One department a row, full name on one line: halls name their windows that way.
            button = Factory.ChoiceButton(text=name, height="124dp")
            button.bind(on_release=lambda b: self.choose(b.text))
            grid.add_widget(button)
        self.has_departments = bool(departments)

    def choose(self, department: str) -> None:
        if self.stage != "choose":
            return  # a second tap while the first is being served takes no second number
        self.department = department
        self.stage = "taking"
        self.app.take_queue_ticket(department)

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
        self.department = self.number = self.waiting_text = self.print_text = self.error_text = ""
        self.offline = self.print_failed = False
