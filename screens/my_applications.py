"""我的办件: the verified citizen's applications (this kiosk and every other channel), their states, the
results ready for pickup (one tap to collect, no receipt needed) and their appointments."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import OptionProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import grow_with_text


class MyApplicationsScreen(KioskScreen):
    title_key = "finish.mine_title"
    stage = OptionProperty("loading", options=["loading", "shown", "failed"])
    summary = StringProperty("")
    message = StringProperty("")

    def start(self) -> None:
        self.reset()

    def show_rows(self, rows: Any, appointments: Any, ready_count: int) -> None:
        box = self.ids.mine_rows
        box.clear_widgets()
        for row in rows:
            tag = f"  [b][color=1e7b34]{tr._('finish.mine.ready_tag')}[/color][/b]" if row.ready else ""
            text = (f"{row.item_name}{tag}\n[size=26sp][color=5c6675]{row.receipt_number}　{row.status.text()}　"
                    f"{row.when}　{row.where.text()}[/color][/size]")
            button = Factory.ChoiceButton(text=text, height="150dp")
            grow_with_text(button, 150)  # an English name in 长辈模式 takes two lines
            button.receipt = row.receipt_number
            button.ready = row.ready
            button.bind(on_release=lambda b: self.app.finish.open_application(b.receipt, b.ready))
            box.add_widget(button)
        for appointment in appointments:
            when = f"{appointment.date.isoformat()} {appointment.label} {appointment.start}–{appointment.end}"
            box.add_widget(Factory.KioskLabel(
                text=f"[b]{tr._('finish.mine.appointments')}[/b]  {appointment.number}　{when}", markup=True))
        parts = [tr._("finish.mine.ready", count=ready_count)] if ready_count else []
        self.summary = tr.join("item", parts) if rows else tr._("finish.mine.empty")
        self.stage = "shown"

    def show_error(self, text: str) -> None:
        self.message, self.stage = text, "failed"

    def reset(self) -> None:
        self.stage = "loading"
        self.summary = self.message = ""
        if "mine_rows" in self.ids:
            self.ids.mine_rows.clear_widgets()
