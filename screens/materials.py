"""Materials check: the citizen ticks what they have with them; the platform's shared materials need nothing.

The screen only shows; ``kiosk.rules.materials`` decides (complete / 容缺 / 告知承诺 / one-time notice).
"""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from kiosk.rules.materials import requirement_note
from kiosk.shown_names import shown_names
from screens.base import KioskScreen
from screens.i18n import tr
from screens.widgets import kept


class MaterialToggle(ButtonBehavior, Label):
    """A large tick box row: tap anywhere on it to tick or untick."""

    checked = BooleanProperty(False)
    material = StringProperty("")

    def on_release(self) -> None:
        self.checked = not self.checked


class MaterialsScreen(KioskScreen):
    title_key = "materials.bar"
    item_name = StringProperty("")
    shared_text = StringProperty("")
    commitment_text = StringProperty("")
    commitment_offered = BooleanProperty(False)
    pledge = BooleanProperty(False)
    loading = BooleanProperty(True)
    certificates_text = StringProperty("")  # which materials an electronic certificate covers (issue #17)

    def __init__(self, **kwargs) -> None:
        self._rows: list[MaterialToggle] = []  # one per material, kept (screens.widgets.kept)
        super().__init__(**kwargs)

    def on_pre_enter(self, *args) -> None:
        self.loading = True
        self.ids.pledge_toggle.checked = False
        self.ids.material_list.clear_widgets()
        item = self.app.current_item()
        self.item_name = shown_names(item).item if item else ""
        self.shared_text = ""
        self.commitment_text = ""
        self.certificates_text = ""
        self.app.journey.materials_entered()

    def show(self, item, fetched: set[str] | None, offer, ticked: set[str] = frozenset()) -> None:
        """Called once the platform answered (or could not be reached: ``fetched`` None)."""
        self.loading = False
        self._shown_with = (item, fetched, offer)  # to show again in another language (_language_switched)
        names = shown_names(item)
        self.item_name = names.item
        grid = self.ids.material_list
        grid.clear_widgets()
        shared = []
        for material in item.guide.materials:
            is_fetched = material.shared if fetched is None else material.name in fetched
            if is_fetched:
                shared.append(names.material(material.name))
                continue
            row = kept(self._rows, len(grid.children), MaterialToggle)
            row.text = f"{names.material(material.name)}  [size=26sp][color=5c6675]{requirement_note(material)}[/color][/size]"
            row.material = material.name
            row.checked = material.name in ticked
            grid.add_widget(row)
        self.shared_text = tr._("materials.shared", names=tr.join("list", shared)) if shared else ""
        self.commitment_offered = offer.offered
        if offer.offered:
            self.commitment_text = tr._("materials.commitment_offered")
        elif item.guide.commitment_allowed:
            self.commitment_text = tr._("materials.commitment_refused", reason=tr._(offer.reason_key))
        else:
            self.commitment_text = ""

    def show_certificates_used(self, materials: list[str], text: str) -> None:
        """使用电子证照: those materials are present (the platform fetches the certificate), ticked here."""
        for widget in self.ids.material_list.children:
            if isinstance(widget, MaterialToggle) and widget.material in materials:
                widget.checked = True
        self.certificates_text = text

    def _language_switched(self, *_args) -> None:
        """The citizen switched language with the list shown: the same list, ticks kept, in the new words."""
        shown_with = getattr(self, "_shown_with", None)
        if shown_with is None or self.loading or self.manager is None or self.manager.current != self.name:
            return
        certificates_text = self.certificates_text
        self.show(*shown_with, ticked=set(self.ticked()))
        self.certificates_text = certificates_text

    def ticked(self) -> list[str]:
        return [w.material for w in self.ids.material_list.children if isinstance(w, MaterialToggle) and w.checked]

    def next(self) -> None:
        self.app.journey.materials_next(self.ticked(), self.pledge)

    def reset(self) -> None:
        self.ids.material_list.clear_widgets()
        for row in self._rows:  # no tick of this citizen's stays in a kept row
            row.checked = False
        self._shown_with = None
        self.item_name = self.shared_text = self.commitment_text = self.certificates_text = ""
        self.ids.pledge_toggle.checked = False
