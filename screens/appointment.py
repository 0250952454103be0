"""预约办理: the platform's bookable working days and half-day slots with what is left, the citizen's current
booking (change or cancel), the printed slip; and 预约签到: scanning a slip on arrival prints a priority
queue ticket. Offline the screen says why appointments are not offered and that tickets still work."""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import grow_with_text

# Half-day slots are named by the platform in Chinese; the two every service point uses read in the citizen's
# language, any other name is shown as the platform gives it.
HALF_DAY_KEYS = {"上午": "finish.appt.half_day.morning", "下午": "finish.appt.half_day.afternoon"}


def shown_slot_label(label: str) -> str:
    key = HALF_DAY_KEYS.get(label)
    return tr._(key) if key else label


class AppointmentScreen(KioskScreen):
    title_key = "finish.appt_bar"  # short: the top bar beside its buttons; the heading says it in full
    stage = OptionProperty("loading", options=["loading", "choose", "booked", "unavailable", "checkin", "checked"])
    item_name = StringProperty("")
    current_text = StringProperty("")  # the citizen's booking of this item, if any
    chosen_text = StringProperty("")
    message = StringProperty("")
    print_text = StringProperty("")
    print_failed = BooleanProperty(False)
    has_booking = BooleanProperty(False)
    can_pay = BooleanProperty(False)
    ticket = StringProperty("")
    chosen_day = ObjectProperty(None, allownone=True)  # datetime.date
    chosen_slot = StringProperty("")
    days: Any = ()

    def start(self, stage: str = "loading") -> None:
        self.reset()
        self.stage = stage

    def show_slots(self, item_name: str, days: Any, current_text: str) -> None:
        self.item_name, self.days, self.current_text = item_name, days, current_text
        self.has_booking = bool(current_text)
        self.chosen_day, self.chosen_slot, self.chosen_text, self.message = None, "", "", ""
        grid = self.ids.appt_days
        grid.clear_widgets()
        for day in days:
            # Short: five chips share a row, and "Wednesday" broke mid-word in English.
            weekday = tr._(f"finish.appt.weekday_short.{day.date.weekday()}")
            left = sum(slot.left for slot in day.slots)
            button = Factory.SecondaryButton(text=f"{day.date:%m-%d}\n{weekday}", height="124dp",
                                             disabled=left == 0)
            grow_with_text(button, 124)  # the date and the weekday on two lines, at any text size
            button.day = day
            button.bind(on_release=lambda b: self.choose_day(b.day))
            grid.add_widget(button)
        self.ids.appt_slots.clear_widgets()
        self.ids.appt_scroll.scroll_y = 1
        self.stage = "choose"

    def choose_day(self, day: Any) -> None:
        self.chosen_day, self.chosen_slot, self.chosen_text = day.date, "", ""
        box = self.ids.appt_slots
        box.clear_widgets()
        for slot in day.slots:
            words = tr._("finish.appt.slot_text", label=shown_slot_label(slot.label), start=slot.start, end=slot.end)
            left = tr._("finish.appt.left", count=slot.left) if slot.left else tr._("finish.appt.full")
            button = Factory.ChoiceButton(text=f"{words}  [color=5c6675]{left}[/color]", height="120dp",
                                          disabled=slot.left == 0)
            button.slot_id = slot.slot_id
            button.words = words
            button.bind(on_release=lambda b: self.choose_slot(b.slot_id, b.words))
            box.add_widget(button)
        self._bring_into_view(box)  # the times appear below the days: in 长辈模式 below the fold

    def _bring_into_view(self, widget: Any) -> None:
        # Next frame: the new rows have their places only once the layout has run.
        Clock.schedule_once(lambda _dt: self.ids.appt_scroll.scroll_to(widget, padding=0, animate=False), 0)

    def choose_slot(self, slot_id: str, words: str) -> None:
        self.chosen_slot = slot_id
        self.chosen_text = f"{self.chosen_day.isoformat()} {words}" if self.chosen_day else words
        self._bring_into_view(self.ids.appt_message)  # what will be booked, read before 预约

    def book(self) -> None:
        if self.chosen_day is not None and self.chosen_slot:
            self.message = tr._("finish.loading")
            self.app.finish.book(self.chosen_day, self.chosen_slot)

    def show_booked(self, message: str, can_pay: bool) -> None:
        self.message, self.can_pay = message, can_pay
        self.print_text, self.print_failed = "", False
        self.stage = "booked"

    def show_message(self, message: str, stage: str | None = None) -> None:
        self.message = message
        if stage:
            self.stage = stage

    def show_ticket(self, ticket: str, message: str) -> None:
        self.ticket, self.message, self.print_text = ticket, message, ""
        self.stage = "checked"

    def show_print(self, text: str, ok: bool) -> None:
        self.print_text, self.print_failed = text, not ok

    def reset(self) -> None:
        self.stage = "loading"
        self.item_name = self.current_text = self.chosen_text = self.message = self.print_text = self.ticket = ""
        self.print_failed = self.has_booking = self.can_pay = False
        self.chosen_day, self.chosen_slot, self.days = None, "", ()
        if "appt_days" in self.ids:
            self.ids.appt_days.clear_widgets()
            self.ids.appt_slots.clear_widgets()
