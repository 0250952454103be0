"""容缺受理 / 告知承诺: what the citizen commits to, by when, and what happens if not; they agree on screen."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.rules.materials import numbered_missing
from kiosk.shown_names import shown_names
from screens.base import KioskScreen
from screens.i18n import tr


class CommitmentScreen(KioskScreen):
    title_key = "commitment.bar"
    heading = StringProperty("")
    body = StringProperty("")
    agreed = BooleanProperty(False)

    def show(self, check, offer) -> None:
        self.ids.agree_toggle.checked = False
        deadline = check.supply_by.strftime(tr._("text.date_format")) if check.supply_by else ""
        item = self.app.current_item()
        missing = numbered_missing(check.missing, shown_names(item) if item is not None else None)
        if check.outcome == "waiver":
            self.heading = tr._("commitment.waiver_title")
            self.body = tr._("commitment.waiver_body", missing=missing, deadline=deadline,
                             consequence=tr._(check.consequence_key))
        else:
            self.heading = tr._("commitment.pledge_title")
            self.body = tr._("commitment.pledge_body", text=offer.commitment_text,
                             consequence=offer.consequence_text, missing=missing or tr._("confirm.none"),
                             deadline=deadline)

    def reset(self) -> None:
        self.heading = self.body = ""
        self.ids.agree_toggle.checked = False
