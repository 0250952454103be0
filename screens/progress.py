"""进度查询 and the receipt entry of 自助领取: a receipt number (scanned or typed) and the application's
status and history in plain words. Progress is public and keyed by the receipt number, so this screen
never shows personal data: only the item, the status and the platform's step notes."""

from __future__ import annotations

from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from kiosk.complaints import is_complaint_number
from kiosk.desk.outcomes import HistoryStep, ProgressView
from kiosk.desk.outcomes_help import ComplaintStatusView
from kiosk.i18n import translate
from kiosk.references import RECEIPT_DIGITS, RECEIPT_PREFIX, group_receipt_digits, receipt_digits
from screens.base import KioskScreen

__all__ = ["DeskStage", "ProgressScreen", "group_receipt_digits"]  # progress.kv imports the grouping


def history_markup(history: tuple[HistoryStep, ...]) -> str:
    """Oldest first, like a story. Notes come from the platform and are escaped so a bracket in them cannot
    change the markup."""
    steps = []
    for step in history:
        line = f"[b]{escape_markup(step.when)}   {escape_markup(step.status)}[/b]"
        if step.note:
            line += f"\n{escape_markup(step.note)}"
        steps.append(line)
    return "\n\n".join(steps)


class DeskStage(BoxLayout):
    """One part of a desk screen (entry, status, ticket …) shown at a time (rule in progress.kv).

    A hidden stage is disabled, and Kivy lets a disabled widget swallow any touch that lands on it; its
    children keep their last positions, on top of the shown stage's buttons. So a hidden stage takes no
    touch at all, or the pad's keys under it would stop working."""

    shown = BooleanProperty(False)

    def on_shown(self, _stage: DeskStage, shown: bool) -> None:
        # Set here, not as a kv expression: a height the layout gave the stage while shown would stay, and
        # the hidden stage would keep its room.
        self.size_hint_y = 1 if shown else None
        if not shown:
            self.height = 0

    def on_touch_down(self, touch) -> bool:
        return super().on_touch_down(touch) if self.shown else False

    def on_touch_move(self, touch) -> bool:
        return super().on_touch_move(touch) if self.shown else False

    def on_touch_up(self, touch) -> bool:
        return super().on_touch_up(touch) if self.shown else False


class ProgressScreen(KioskScreen):
    title_key = "desk.progress_bar"
    mode = OptionProperty("progress", options=["progress", "pickup"])
    stage = OptionProperty("entry", options=["entry", "looking_up", "status"])
    typed = StringProperty("")  # the digits after the fixed prefix
    prefix = OptionProperty("ZW", options=["ZW", "TS"])  # an application's receipt, or a complaint (TS…)
    is_complaint = BooleanProperty(False)  # the status shown is a complaint's: nothing to collect or reprint
    error_text = StringProperty("")
    demo_available = BooleanProperty(False)
    # the status stage
    item_name = StringProperty("")
    receipt_text = StringProperty("")
    current_text = StringProperty("")
    tone = OptionProperty("info", options=["info", "ok", "alert"])
    explain_text = StringProperty("")
    notice_text = StringProperty("")
    history_text = StringProperty("")
    bundle_text = StringProperty("")
    can_pick_up = BooleanProperty(False)
    progress = ObjectProperty(None, allownone=True)  # the last answer: what the pickup button collects

    def start(self, mode: str) -> None:
        self.reset()
        self.mode = mode
        # The top bar reads title_key when the screen changes: one screen, two services.
        self.title_key = "desk.pickup_bar" if mode == "pickup" else "desk.progress_bar"

    def on_pre_enter(self, *args) -> None:
        self.demo_available = self.app.demo.camera_available

    # -- entry --------------------------------------------------------------------------------------------
    def on_key(self, key: str) -> None:
        if self.stage == "looking_up":
            return
        self.error_text = ""
        if key == "back":
            self.typed = self.typed[:-1]
        elif key == "clear":
            self.typed = ""
        elif key.isdigit() and len(self.typed) < RECEIPT_DIGITS:
            self.typed += key

    def confirm_typed(self) -> None:
        if len(self.typed) == RECEIPT_DIGITS:
            self.app.counter.look_up_receipt(self.prefix + self.typed)

    def toggle_prefix(self) -> None:
        """Between a receipt number (ZW…) and a complaint number (TS…): both are 14 digits after the letters."""
        if self.stage != "looking_up":
            self.prefix = "TS" if self.prefix == RECEIPT_PREFIX else RECEIPT_PREFIX
            self.error_text = ""

    def another(self) -> None:
        """Back to the entry, for the next receipt of the same citizen."""
        self.stage = "entry"
        self.typed = self.error_text = self.notice_text = ""

    def show_looking_up(self, receipt_number: str) -> None:
        # A scanned number is shown in the box too: the citizen sees what was read, and can correct it.
        if is_complaint_number(receipt_number):
            self.prefix, self.typed = "TS", receipt_number[2:]
        else:
            self.prefix, self.typed = RECEIPT_PREFIX, receipt_digits(receipt_number)
        self.error_text = ""
        self.stage = "looking_up"

    def show_error(self, text: str) -> None:
        """A refused scan or a failed lookup: shown on the entry, with what was typed kept for correcting."""
        if self.stage == "looking_up":
            self.stage = "entry"
        self.error_text = text

    # -- status -------------------------------------------------------------------------------------------
    def show_progress(self, view: ProgressView) -> None:
        self.progress = view.progress  # kept on the screen, so ending the session forgets it
        self.item_name = view.item_name
        self.receipt_text = view.receipt.text()
        self.current_text = view.current.text()
        self.tone = view.tone
        self.explain_text = view.explain.text()
        self.history_text = history_markup(view.history)
        self.bundle_text = _bundle_text(view)
        self.notice_text = view.notice.text() if view.notice is not None else ""
        self.can_pick_up = view.can_pick_up
        self.is_complaint = False
        self.error_text = ""
        self.stage = "status"
        self.ids.details_scroll.scroll_y = 1  # a new status is read from its top

    def show_complaint(self, view: ComplaintStatusView) -> None:
        """A complaint's status (public by its number, like progress): no phone, no name, no details."""
        self.progress = None
        self.item_name = view.heading.text()
        self.receipt_text = view.number_line.text()
        self.current_text = view.current.text()
        self.tone = view.tone
        self.explain_text = view.explain.text()
        self.history_text = history_markup(view.history)
        self.bundle_text = self.notice_text = ""
        self.can_pick_up = False
        self.is_complaint = True
        self.error_text = ""
        self.stage = "status"
        self.ids.details_scroll.scroll_y = 1

    def reset(self) -> None:
        self.mode = "progress"
        self.title_key = "desk.progress_bar"
        self.stage = "entry"
        self.typed = self.error_text = ""
        self.item_name = self.receipt_text = self.current_text = self.explain_text = ""
        self.notice_text = self.history_text = self.bundle_text = ""
        self.tone = "info"
        self.can_pick_up = False
        self.progress = None
        self.prefix = RECEIPT_PREFIX
        self.is_complaint = False


def _bundle_text(view: ProgressView) -> str:
    if view.members:
        lines = [translate("desk.progress.members")]
        lines += [translate("desk.progress.member", item=name, number=number) for name, number in view.members]
        return "\n".join(lines)
    if view.bundle_receipt:
        return translate("desk.progress.bundle", number=view.bundle_receipt)
    return ""
