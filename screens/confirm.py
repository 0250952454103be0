from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from screens.base import KioskScreen
from screens.i18n import tr


class ConfirmScreen(KioskScreen):
    title_key = "confirm.bar"
    summary = StringProperty("")
    error_text = StringProperty("")
    busy = BooleanProperty(False)

    def on_pre_enter(self, *args) -> None:
        item = self.app.current_item()
        citizen = self.app.session.citizen
        if item is None or citizen is None:
            return
        self.error_text = ""
        self.busy = False
        materials = "\n".join(f"· {m.name}" for m in item.guide.materials if not m.shared) or tr._("confirm.none")
        self.summary = "\n".join([
            f"[b]{tr._('confirm.item')}[/b]  {item.name}",
            f"[b]{tr._('confirm.applicant')}[/b]  {citizen.masked_name or tr._('confirm.name_unknown')}",
            f"[b]{tr._('confirm.id_number')}[/b]  {citizen.masked_id}",
            f"[b]{tr._('confirm.time_limit')}[/b]  "
            + tr._("confirm.days", days=item.guide.promised_limit_days),
            "",
            f"[b]{tr._('confirm.materials')}[/b]",
            materials,
        ])

    def submit(self) -> None:
        self.error_text = ""
        self.busy = True
        self.app.submit_application()

    def show_error(self, text: str) -> None:
        self.busy = False
        self.error_text = text

    def reset(self) -> None:
        self.summary = self.error_text = ""
        self.busy = False
