"""The maintenance screen in plain Chinese, in the real window: a paper-out fault with its fix, the raw
details folded under 技术详情, confirmation before 退出到桌面 / 重启程序, and 换纸 resetting the paper counter.
Screenshots go to $HELP_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.config import DEMO_MAINTENANCE_PIN
from kiosk.consumables import Consumables
from kiosk.i18n import translate as _
from kiosk.maintenance_view import device_words

pytestmark = pytest.mark.ui


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("HELP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _enter(ui) -> None:
    ui.app.maintenance.open_pin()
    ui.pilot.wait_for_screen("maintenance_pin")
    ui.pilot.type_keys(DEMO_MAINTENANCE_PIN)
    ui.pilot.tap_text(_("maintenance.pin.enter"), exact=True)
    ui.pilot.wait_for_screen("maintenance")


def _open_dialog(ui):
    from screens.maintenance import ConfirmAction

    dialogs = [w for w in ui.app.root_window.children if isinstance(w, ConfirmAction)]
    return dialogs[0] if dialogs else None


def test_fault_and_fix_in_plain_words_with_details_folded(ui, tmp_path) -> None:
    printer, runtime = ui.runtime.virtual_printer, ui.runtime
    screen = ui.app.screen("maintenance")
    printer.simulate(paper_out=True)
    try:
        runtime.print_service.check_status()
        ui.pilot.wait_until(lambda: not runtime.print_service.last_status.usable, "the printer fault")
        _enter(ui)
        ui.pilot.wait_until(lambda: "打印纸用完了" in screen.report_text, "the paper-out fault in words")
        report = screen.report_text
        assert "换上新纸卷" in report  # the fix, not just the fault
        assert "paper" not in report.lower() and "DLE EOT" not in report and "sim://" not in report
        assert screen.ids.technical.height == 0
        ui.pilot.tap(screen.ids.details_toggle)
        ui.pilot.wait_until(lambda: "DLE EOT" in screen.technical_text, "the technical details")
        ui.pilot.frames(3)
        assert screen.ids.technical.height > 0
        ui.pilot.screenshot(_shots(tmp_path) / "maintenance-paper-out.png")
    finally:
        printer.simulate(paper_out=False)
        runtime.print_service.check_status()


def test_quit_and_restart_ask_first_and_cancel_keeps_serving(ui, tmp_path) -> None:
    _enter(ui)
    screen = ui.app.screen("maintenance")
    for button, question in (("quit_button", "help.maintenance.confirm_quit"),
                             ("restart_button", "help.maintenance.confirm_restart")):
        ui.pilot.tap(screen.ids[button])
        ui.pilot.wait_until(lambda: _open_dialog(ui) is not None, "the confirmation")
        dialog = _open_dialog(ui)
        assert dialog.question == _(question)
        if button == "quit_button":
            ui.pilot.screenshot(_shots(tmp_path) / "maintenance-confirm-quit.png")
        ui.pilot.tap(dialog.ids.confirm_no)
        ui.pilot.wait_until(lambda: _open_dialog(ui) is None, "the dialog closed")
        assert ui.pilot.current == "maintenance"  # still running, nothing restarted


def test_paper_change_resets_the_counter_after_confirmation(ui) -> None:
    state_dir = ui.runtime.config.kiosk.state_dir
    counter = Consumables(state_dir)
    counter.count_job(b"\x1b@" + "测试\n".encode("gb18030") * 200)
    assert counter.paper_printed_mm > 0
    _enter(ui)
    screen = ui.app.screen("maintenance")
    ui.pilot.tap(screen.ids.paper_changed_button)
    ui.pilot.wait_until(lambda: _open_dialog(ui) is not None, "the confirmation")
    ui.pilot.tap(_open_dialog(ui).ids.confirm_yes)
    ui.pilot.wait_until(lambda: _("help.consumables.paper_reset") in screen.action_text, "the reset message")
    assert Consumables(state_dir).paper_printed_mm == 0
    screen.refresh()  # a refresh clears the old result message
    assert screen.action_text == ""


def test_every_printer_fault_has_words_and_a_fix() -> None:
    from devices.printer.status import _REASONS

    for problem, reason in _REASONS.items():
        what, fix = device_words("printer", "fault", reason)
        assert what and fix and not any(c.isascii() and c.isalpha() for c in what), (problem, what)
