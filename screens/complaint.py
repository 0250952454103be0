"""诉求反映: a short guided form for a complaint or a "办不成事" report — what kind, what happened, which item
(optional), and a callback to the verified citizen's own phone (optional, shown masked) — then the number
it was recorded under, printed on a slip. The choices come from the core (kiosk.complaints.CATEGORIES);
the routes (screens/routes_help.py) build the draft and send it."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import BooleanProperty, OptionProperty, StringProperty

from kiosk.complaints import CATEGORIES
from kiosk.i18n import translate
from screens.base import KioskScreen
from screens.progress import DeskStage  # noqa: F401 - complaint.kv lays its stages out with it
from screens.widgets import CategoryChip

KINDS = ("complaint", "cannot_do")
TICK = "√ "  # a chosen option is marked in words too, not by colour alone


class ComplaintScreen(KioskScreen):
    title_key = "help_ui.complaint.bar"
    stage = OptionProperty("form", options=["form", "sending", "done"])
    kind = StringProperty("")
    category = StringProperty("")
    item_code = StringProperty("")
    callback = BooleanProperty(False)
    phone_masked = StringProperty("")  # the verified citizen's phone, masked; "" = no callback possible
    error_text = StringProperty("")
    result_text = StringProperty("")
    number_text = StringProperty("")
    print_text = StringProperty("")

    def start(self, items: list[tuple[str, str]], current_item: str, phone_masked: str) -> None:
        self.reset()
        self.phone_masked = phone_masked
        self.callback = bool(phone_masked)
        self._fill(self.ids.category_choices, [(c, translate(f"help.complaint.category_{c}")) for c in CATEGORIES],
                   self.choose_category)
        self._fill(self.ids.item_choices, [("", translate("help_ui.complaint.no_item")), *items], self.choose_item)
        self.choose_item(current_item if any(code == current_item for code, _ in items) else "")

    @staticmethod
    def _fill(grid, choices: list[tuple[str, str]], on_choose) -> None:
        grid.clear_widgets()
        for code, label in choices:
            chip = CategoryChip(code=code, text=label)
            chip.label = label
            chip.bind(width=lambda button, width: setattr(button, "text_size", (width - dp(24), None)))
            chip.bind(on_release=lambda button: on_choose(button.code))
            grid.add_widget(chip)

    @staticmethod
    def _mark(grid, chosen: str) -> None:
        for chip in grid.children:
            chip.selected = chip.code == chosen
            chip.text = (TICK if chip.selected else "") + chip.label

    def choose_kind(self, kind: str) -> None:
        self.kind, self.error_text = kind, ""

    def choose_category(self, category: str) -> None:
        self.category, self.error_text = category, ""
        self._mark(self.ids.category_choices, category)

    def choose_item(self, code: str) -> None:
        self.item_code = code
        self._mark(self.ids.item_choices, code)

    def phone_verified(self, phone_masked: str) -> None:
        self.phone_masked = phone_masked
        self.callback = bool(phone_masked)

    def submit(self) -> None:
        if self.kind not in KINDS or self.category not in CATEGORIES:
            self.error_text = translate("help_ui.complaint.choose_first")
            return
        self.app.help.submit_complaint(self.kind, self.category, self.item_code, self.callback)

    def show_sending(self) -> None:
        self.error_text = ""
        self.stage = "sending"

    def show_error(self, text: str) -> None:
        self.stage = "form"
        self.error_text = text

    def show_done(self, message: str, number: str) -> None:
        self.result_text, self.number_text = message, number
        self.stage = "done"

    def reset(self) -> None:
        self.stage = "form"
        self.kind = self.category = self.item_code = self.phone_masked = ""
        self.callback = False
        self.error_text = self.result_text = self.number_text = self.print_text = ""
        for grid in (self.ids.category_choices, self.ids.item_choices):
            grid.clear_widgets()
