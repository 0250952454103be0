"""``kiosk screenshots``: walk through every screen with demo data and save one PNG each."""

from __future__ import annotations

from pathlib import Path

from kiosk.i18n import translate
from screens.pilot import Pilot

DEMO_ID = "410105195003152015"  # the fictitious demo citizen 张建国


def take_screenshots(runtime, out_dir: Path) -> list[Path]:
    from kiosk.app import KioskApp

    app = KioskApp(runtime)
    pilot = Pilot(app).start()
    shots: list[Path] = []

    def shot(name: str) -> None:
        shots.append(pilot.screenshot(out_dir / f"{len(shots) + 1:02d}-{name}.png"))

    try:
        pilot.wait_until(lambda: app.catalog_state is not None, "the catalog")
        shot("home")
        pilot.tap_text(translate("home.start"))
        pilot.wait_for_screen("identify")
        pilot.type_keys("41010519500315201")
        pilot.tap_text("9", exact=True)
        pilot.tap_text(translate("identify.confirm"), exact=True)
        pilot.wait_for_text(translate("id.error.check_digit"))
        shot("identify-wrong-check-digit")
        pilot.tap_text(translate("pad.back"), exact=True)
        pilot.tap_text("5", exact=True)
        shot("identify-typed")
        pilot.tap_text(translate("identify.confirm"), exact=True)
        pilot.wait_for_screen("catalog")
        shot("catalog")
        pilot.tap_text("户籍证明开具")
        pilot.wait_for_screen("guide")
        shot("guide")
        pilot.tap_text(translate("guide.apply"))
        pilot.wait_for_screen("confirm")
        shot("confirm")
        pilot.tap_text(translate("confirm.submit"))
        pilot.wait_for_screen("result")
        pilot.wait_until(lambda: bool(app.screen("result").print_text), "the receipt to print")
        shot("result-receipt")
        pilot.tap_text(translate("result.next"))
        pilot.wait_for_screen("rating")
        shot("rating")
        app._last_activity -= runtime.config.kiosk.idle_timeout_s - 10  # jump to the idle warning
        pilot.wait_for_text(translate("idle.continue"))
        shot("idle-countdown")
        pilot.tap_text(translate("idle.continue"))
        pilot.tap_text(translate("nav.help"))
        pilot.wait_for_text(translate("help.title"))
        shot("call-staff")
        pilot.tap_text(translate("nav.ok"))
        app.end_session()
        pilot.frames(3)
        pilot.long_press(app.top_bar.ids.maintenance_hotspot, 3.3)
        pilot.wait_for_screen("maintenance_pin")
        pilot.type_keys("24")
        shot("maintenance-pin")
        pilot.type_keys("68")
        pilot.tap_text(translate("maintenance.pin.enter"), exact=True)
        pilot.wait_for_screen("maintenance")
        pilot.wait_until(lambda: translate("maintenance.devices") in app.screen("maintenance").report_text,
                         "the status page")
        pilot.tap_text(translate("maintenance.action.test_page"))
        pilot.wait_until(lambda: app.screen("maintenance").action_text not in ("", translate("maintenance.working")),
                         "the test page")
        shot("maintenance-status")
        runtime.virtual_printer.simulate(paper_out=True)
        runtime.print_service.check_status()
        pilot.wait_until(lambda: not runtime.print_service.last_status.usable, "the printer fault")
        runtime._publish_states()
        pilot.tap_text(translate("maintenance.action.refresh"))
        pilot.wait_until(lambda: "paper" in app.screen("maintenance").report_text.lower()
                         or "缺纸" in app.screen("maintenance").report_text, "the fault on the status page")
        shot("maintenance-printer-fault")
        pilot.tap_text(translate("maintenance.action.leave"))
        pilot.wait_for_screen("home")
        pilot.wait_until(lambda: bool(app.screen("home").availability_text), "the home availability message")
        shot("home-printer-unavailable")
        runtime.virtual_printer.clear()
    finally:
        pilot.stop()
    return shots
