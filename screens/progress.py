"""进度查询 and the receipt entry of 自助领取: a receipt number (scanned or typed) and the application's
status and history in plain words. Progress is public and keyed by the receipt number, so this screen
never shows personal data: only the item, the status and the platform's step notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.utils import escape_markup

from kiosk.i18n import translate
from kiosk.platform_client import Progress, ProgressStep
from screens.base import KioskScreen

RECEIPT_PREFIX = "ZW"  # the platform's receipt numbers: ZW + date (8 digits) + sequence (6 digits)
RECEIPT_DIGITS = 14
KNOWN_STATUSES = ("accepted", "reviewing", "approved", "ready", "picked_up", "rejected")
STATUS_TONES = {"ready": "ok", "picked_up": "ok", "approved": "ok", "rejected": "alert"}


def group_receipt_digits(digits: str) -> str:
    """20261101 000001: the date, then the sequence, so a citizen can compare with the paper receipt."""
    return " ".join(part for part in (digits[:8], digits[8:]) if part)


def status_text(status: str, kind: str = "status") -> str:
    """The plain-Chinese name (kind "status") or explanation (kind "explain") of a platform status; a status
    this kiosk does not know yet gets a neutral wording, never the platform's English code."""
    return translate(f"desk.{kind}.{status if status in KNOWN_STATUSES else 'other'}")


def step_time(at: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        return at  # shown as the platform wrote it rather than dropping the step
    return translate("desk.progress.when", year=moment.year, month=moment.month, day=moment.day,
                     hour=moment.hour, minute=moment.minute)


def history_markup(history: Sequence[ProgressStep]) -> str:
    """Oldest first, like a story: when, what, and the office's note. Notes come from the platform and are
    escaped so a bracket in them cannot change the markup."""
    steps = []
    for step in history:
        line = f"[b]{escape_markup(step_time(step.at))}   {escape_markup(status_text(step.status))}[/b]"
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
    typed = StringProperty("")  # the digits after the fixed ZW prefix
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
        self.demo_available = self.app.runtime.camera_is_simulated

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
            self.app.look_up_receipt(RECEIPT_PREFIX + self.typed)

    def another(self) -> None:
        """Back to the entry, for the next receipt of the same citizen."""
        self.stage = "entry"
        self.typed = self.error_text = self.notice_text = ""

    def show_looking_up(self, receipt_number: str) -> None:
        # A scanned number is shown in the box too: the citizen sees what was read, and can correct it.
        digits = receipt_number.removeprefix(RECEIPT_PREFIX)
        if receipt_number.startswith(RECEIPT_PREFIX) and len(digits) == RECEIPT_DIGITS and digits.isdigit():
            self.typed = digits
        else:
            self.typed = ""
        self.error_text = ""
        self.stage = "looking_up"

    def show_error(self, text: str) -> None:
        """A refused scan or a failed lookup: shown on the entry, with what was typed kept for correcting."""
        if self.stage == "looking_up":
            self.stage = "entry"
        self.error_text = text

    # -- status -------------------------------------------------------------------------------------------
    def show_progress(self, progress: Progress, item_name: str, member_names: dict[str, str],
                      notice: str = "") -> None:
        self.item_name = item_name
        self.receipt_text = translate("desk.progress.receipt", number=progress.receipt_number)
        self.current_text = translate("desk.progress.current", status=status_text(progress.status))
        self.tone = STATUS_TONES.get(progress.status, "info")
        self.explain_text = status_text(progress.status, "explain")
        self.history_text = history_markup(progress.history)
        self.bundle_text = _bundle_text(progress, member_names)
        self.notice_text = notice
        self.can_pick_up = progress.ready_for_pickup
        self.error_text = ""
        self.stage = "status"

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


def _bundle_text(progress: Progress, member_names: dict[str, str]) -> str:
    if progress.members:
        lines = [translate("desk.progress.members")]
        lines += [translate("desk.progress.member", item=member_names.get(m.item_code, m.item_code),
                            number=m.receipt_number) for m in progress.members]
        return "\n".join(lines)
    if progress.bundle_receipt:
        return translate("desk.progress.bundle", number=progress.bundle_receipt)
    return ""
