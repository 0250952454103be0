"""Maintenance mode in the real window: the hidden gesture, the PIN, the lockout, the status page."""

from __future__ import annotations

import pytest

from kiosk.config import DEMO_MAINTENANCE_PIN
from kiosk.i18n import translate as _
from kiosk.maintenance import PinGate

pytestmark = pytest.mark.ui


def hotspot(ui):
    return ui.app.top_bar.ids.maintenance_hotspot


def enter_pin(ui, pin: str) -> None:
    ui.pilot.type_keys(pin)
    ui.pilot.tap_text(_("maintenance.pin.enter"), exact=True)


def test_a_tap_in_the_corner_does_nothing_a_long_press_asks_for_the_pin(ui) -> None:
    ui.pilot.tap(hotspot(ui))
    assert ui.pilot.current == "home"
    ui.pilot.long_press(hotspot(ui), 3.3)
    ui.pilot.wait_for_screen("maintenance_pin")
    enter_pin(ui, DEMO_MAINTENANCE_PIN)
    ui.pilot.wait_for_screen("maintenance")
    ui.pilot.wait_until(lambda: _("maintenance.devices") in ui.app.screen("maintenance").report_text,
                        "the status page")
    report = ui.app.screen("maintenance").report_text
    for device in ("打印机", "摄像头", "身份证读卡器", "扫码器"):  # plain Chinese for village staff (issue #15)
        assert device in report
    ui.pilot.tap_text(_("maintenance.action.test_page"))
    ui.pilot.wait_until(lambda: "测试页已打印" in ui.app.screen("maintenance").action_text
                        or "Test page printed" in ui.app.screen("maintenance").action_text, "the test page")
    ui.pilot.tap_text(_("maintenance.action.read_card"))
    ui.pilot.wait_for_text("4101**********2015")  # the card test shows the masked number only
    ui.pilot.tap_text(_("maintenance.action.leave"))
    ui.pilot.wait_for_screen("home")


def test_five_wrong_pins_lock_the_entry(ui, tmp_path) -> None:
    real_gate = ui.app.maintenance.pin_gate
    ui.app.maintenance.pin_gate = PinGate(real_gate.pin_hash if hasattr(real_gate, "pin_hash") else
                              ui.runtime.config.maintenance.pin_hash, tmp_path / "lock.json")
    try:
        ui.app.maintenance.open_pin()
        ui.pilot.wait_for_screen("maintenance_pin")
        for left in (4, 3, 2, 1):
            enter_pin(ui, "0000")
            ui.pilot.wait_for_text(_("maintenance.pin.wrong", left=left))
        enter_pin(ui, "0000")
        ui.pilot.wait_until(lambda: "锁定" in ui.app.screen("maintenance_pin").message
                            or "locked" in ui.app.screen("maintenance_pin").message, "the lockout message")
        enter_pin(ui, DEMO_MAINTENANCE_PIN)  # even the right PIN is refused while locked
        ui.pilot.wait_until(lambda: "锁定" in ui.app.screen("maintenance_pin").message
                            or "locked" in ui.app.screen("maintenance_pin").message, "still locked")
        assert ui.pilot.current == "maintenance_pin"
    finally:
        ui.app.maintenance.pin_gate = real_gate


def test_a_required_printer_going_down_flips_availability_and_the_home_message(ui) -> None:
    printer, runtime = ui.runtime.virtual_printer, ui.runtime
    printer.simulate(paper_out=True)
    try:
        runtime.print_service.check_status()
        ui.pilot.wait_until(lambda: not runtime.print_service.last_status.usable, "the printer fault")
        runtime._publish_states()
        ui.pilot.wait_until(lambda: "打印机暂停使用" in ui.app.screen("home").availability_text, "the home message")
        ui.pilot.wait_for_text("打印机暂停使用")
        assert not ui.app.availability.item_available("SB-001")  # a print-here item
        assert ui.app.availability.item_available("HJ-001")  # an application still works
        ui.pilot.tap_text(_("home.start"))  # the catalog is browsed without identifying
        ui.pilot.wait_for_screen("catalog")
        buttons = {w.code: w for w in ui.pilot.visible_widgets() if getattr(w, "code", "")}
        disabled = [w for w in ui.app.screen("catalog").ids.item_list.children if w.code == "SB-001"]
        assert disabled and disabled[0].disabled and "SB-001" not in buttons
    finally:
        printer.clear()
    runtime.print_service.check_status()
    ui.pilot.wait_until(lambda: runtime.print_service.last_status.usable, "the printer back")
    runtime._publish_states()
    ui.pilot.wait_until(lambda: ui.app.screen("home").availability_text == "", "the message cleared")


def test_a_printer_fault_gone_before_the_monitor_saw_it_does_not_disable_printing_for_the_next_citizen(ui) -> None:
    """A screen assessed the devices during a short fault (paper changed within the monitor's 10 s): the
    monitor never publishes a change, so only the session's end can bring the print items back."""
    printer, runtime, app = ui.runtime.virtual_printer, ui.runtime, ui.app
    printer.simulate(paper_out=True)
    try:
        runtime.print_service.check_status()
        ui.pilot.wait_until(lambda: not runtime.print_service.last_status.usable, "the printer fault")
        app.update_availability()  # as the catalog refresh does
        assert not app.availability.item_available("SB-001")
    finally:
        printer.clear()
    runtime.print_service.check_status()
    ui.pilot.wait_until(lambda: runtime.print_service.last_status.usable, "the printer back")
    app.end_session()  # the next citizen
    ui.pilot.frames(2)
    assert app.availability.item_available("SB-001")
    ui.pilot.tap_text(_("home.start"))
    ui.pilot.wait_for_screen("catalog")
    ui.pilot.tap_text("社会保险个人参保证明打印")  # a print-here item: enabled again
    ui.pilot.wait_for_screen("guide")


def test_camera_preview_outlines_the_decoded_code(ui) -> None:
    from kiosk.demo_codes import qr_image

    ui.app.maintenance.open_pin()
    ui.pilot.wait_for_screen("maintenance_pin")
    enter_pin(ui, DEMO_MAINTENANCE_PIN)
    ui.pilot.wait_for_screen("maintenance")
    ui.runtime.show_to_camera(qr_image("410305199007204512"))
    ui.pilot.tap(ui.app.screen("maintenance").ids.camera_preview_button)
    ui.pilot.wait_for_text("QR")  # the code's format and its first characters only
    preview = next(w for w in ui.pilot.visible_widgets() if type(w).__name__ == "CameraPreview")
    assert preview.ids.preview.texture is not None and preview.ids.preview.texture.width == 640
    assert "410305199007204512" not in preview.codes_text and "41030519..." in preview.codes_text
    ui.pilot.tap_text(_("maintenance.preview.close"))
    ui.runtime.camera.simulator.hide()


def test_scan_test_shows_what_the_scanner_gun_sent(ui) -> None:
    from kivy.core.window import Window

    ui.app.maintenance.open_pin()
    ui.pilot.wait_for_screen("maintenance_pin")
    enter_pin(ui, DEMO_MAINTENANCE_PIN)
    ui.pilot.wait_for_screen("maintenance")
    ui.pilot.tap(ui.app.screen("maintenance").ids.scan_test_button)
    for char in "GOVKIOSK:R:ZW20261101000001":
        Window.dispatch("on_key_down", ord(char.lower()), 0, char, [])
    Window.dispatch("on_key_down", 13, 40, None, [])
    ui.pilot.wait_until(lambda: "GOVKIOSK…" in ui.app.screen("maintenance").action_text, "the scan result")
    assert "27" in ui.app.screen("maintenance").action_text
