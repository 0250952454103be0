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
        from kiosk.rules.fees import fee_display

        check = self.app.session.materials_check
        present = self.app.session.materials_present
        materials = "\n".join(f"· {m.name}" for m in item.guide.materials if m.name in present) or tr._("confirm.none")
        fee = fee_display(item)
        fee_lines = [tr._(fee.text_key, amount=fee.amount_text)]
        if not fee.free:
            fee_lines += [tr._("flows.fee.basis", basis=fee.basis), tr._(fee.payment_key)]
        extra = []
        if check is not None and check.outcome in ("waiver", "pledge"):
            missing = "、".join(m.name for m in check.missing)
            deadline = check.supply_by.strftime("%Y-%m-%d") if check.supply_by else ""
            extra = ["", f"[b]{tr._('confirm.commitment.' + check.outcome)}[/b]",
                     tr._("confirm.commitment.supply", missing=missing or tr._("confirm.none"), deadline=deadline)]
        form = [f"[b]{f.label}[/b]  {self.app.session.form[f.key]}" for f in item.fields if f.key in self.app.session.form
                and f.type != "phone"]
        self.summary = "\n".join([
            f"[b]{tr._('confirm.item')}[/b]  {item.name}",
            f"[b]{tr._('confirm.applicant')}[/b]  {citizen.masked_name or tr._('confirm.name_unknown')}",
            f"[b]{tr._('confirm.id_number')}[/b]  {citizen.masked_id}",
            f"[b]{tr._('confirm.time_limit')}[/b]  "
            + tr._("confirm.days", days=item.guide.promised_limit_days),
            f"[b]{tr._('confirm.fee')}[/b]  " + "；".join(fee_lines),
            *form,
            "",
            f"[b]{tr._('confirm.materials')}[/b]",
            materials,
            *extra,
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
