from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.shown_names import shown_names
from screens.base import KioskScreen
from screens.i18n import tr


class ConfirmScreen(KioskScreen):
    title_key = "confirm.bar"
    summary = StringProperty("")
    error_text = StringProperty("")
    busy = BooleanProperty(False)
    can_choose_delivery = BooleanProperty(False)  # the item offers more than one way to deliver the result

    def on_pre_enter(self, *args) -> None:
        item = self.app.current_item()
        rows = self.app.desk.apply.confirm_rows()  # what may be shown on a public screen
        if item is None or not rows:
            return
        self.error_text = ""
        self.busy = False
        from kiosk.rules.fees import fee_display

        names = shown_names(item)
        check = self.app.session.materials_check
        present = self.app.session.materials_present
        materials = "\n".join(f"· {names.material(m.name)}" for m in item.guide.materials if m.name in present) or tr._("confirm.none")
        fee = fee_display(item)
        fee_lines = [tr._(fee.text_key, amount=fee.amount_text)]
        if not fee.free:
            fee_lines += [tr._("flows.fee.basis", basis=fee.basis), tr._(fee.payment_key)]
        extra = []
        if check is not None and check.outcome in ("waiver", "pledge"):
            missing = tr.join("list", [names.material(m.name) for m in check.missing])
            deadline = check.supply_by.strftime("%Y-%m-%d") if check.supply_by else ""
            extra = ["", f"[b]{tr._('confirm.commitment.' + check.outcome)}[/b]",
                     tr._("confirm.commitment.supply", missing=missing or tr._("confirm.none"), deadline=deadline)]
        lines = [f"[b]{label}[/b]  {value}" for label, value in rows[:4]]
        lines.append(f"[b]{tr._('confirm.fee')}[/b]  " + tr.join("item", fee_lines))
        from kiosk.desk.delivery import receipt_delivery_line

        # Issue #17: the delivery the citizen chose (address masked), else the item's first method.
        options = self.app.desk.finish.delivery.options()
        self.can_choose_delivery = options is not None
        delivery = receipt_delivery_line(self.app.session) or (tr._(f"guide.delivery.{options.chosen}") if options else "")
        if delivery:
            lines.append(f"[b]{tr._('finish.delivery.title')}[/b]  {delivery}")
        lines += [f"[b]{label}[/b]  {value}" for label, value in rows[4:]]
        self.summary = "\n".join([*lines, "", f"[b]{tr._('confirm.materials')}[/b]", materials, *extra])

    def back_within(self) -> bool:
        """While the application is being submitted, 上一步 waits for the platform's answer (it did so before)."""
        return self.busy

    def submit(self) -> None:
        self.error_text = ""
        self.busy = True
        self.app.journey.submit_application()

    def show_error(self, text: str) -> None:
        self.busy = False
        self.error_text = text

    def reset(self) -> None:
        self.summary = self.error_text = ""
        self.busy = False
