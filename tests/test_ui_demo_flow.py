"""The demo flow in the real window, driven by simulated touches, as a citizen would go through it."""

from __future__ import annotations

import json

import pytest

from kiosk.i18n import translate as _
from kiosk.platform_client import PlatformClient

DEMO_CITIZEN = {"id_number": "410105195003152015", "name": "张建国", "phone": "13912345678"}

pytestmark = pytest.mark.ui

ID = DEMO_CITIZEN["id_number"]
PERSONAL = (ID, "410105 19500315 2015", DEMO_CITIZEN["name"], "4101**********2015", "张*")


def receipt_text(job_bytes: bytes) -> str:
    return job_bytes.decode("gb18030", errors="replace")


def apply_for_household_certificate(ui) -> None:
    pilot = ui.pilot
    pilot.tap_text("户籍证明开具")
    pilot.wait_for_screen("guide")
    pilot.wait_for_text("居民户口簿")  # the guide names every material
    pilot.tap_text(_("guide.apply"))
    pilot.wait_for_screen("confirm")
    pilot.wait_for_text("4101**********2015")  # the ID number is shown masked, never in full
    pilot.tap_text(_("confirm.submit"))


def test_complete_demo_flow_with_the_id_card_reader(ui) -> None:
    pilot, printer = ui.pilot, ui.runtime.virtual_printer
    jobs_before = len(printer.jobs)
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("identify")
    pilot.tap_text(_("identify.demo_card"))  # the simulated reader answers the real GA 467 driver
    pilot.wait_for_screen("catalog")
    pilot.wait_for_text(_("catalog.greeting", name="张*"))
    apply_for_household_certificate(ui)

    pilot.wait_for_screen("result")
    pilot.wait_until(lambda: ui.app.screen("result").printed, "the receipt to print")
    receipt_number = ui.app.screen("result").receipt_number
    pilot.wait_for_text(receipt_number)
    pilot.wait_for_text(_("result.printed"))

    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt_number]))
    assert len(rows) == 1
    assert rows[0]["item_code"] == "HJ-001"
    assert rows[0]["applicant_id_number"] == ID and rows[0]["applicant_name"] == DEMO_CITIZEN["name"]

    assert len(printer.jobs) == jobs_before + 1
    job = printer.jobs[-1]
    text = receipt_text(job.data)
    assert receipt_number in text and "4101**********2015" in text
    assert ID not in text and DEMO_CITIZEN["name"] not in text
    assert job.png_path is not None and job.png_path.exists()
    assert ui.app.screen("result").receipt_image == str(job.png_path)  # the screen shows the printed paper

    pilot.tap_text(_("result.next"))
    pilot.wait_for_screen("rating")
    pilot.tap_text(_("rating.level.4"))
    pilot.wait_for_text(_("rating.thanks"))
    pilot.wait_for_screen("home", timeout=10)

    ratings = list(ui.sandbox_db["ratings"].rows_where("receipt_number = ?", [receipt_number]))
    assert len(ratings) == 1 and ratings[0]["level"] == 4 and ratings[0]["item_code"] == "HJ-001"

    assert ui.app.session.is_empty
    leftovers = [t for t in pilot.all_texts() for p in PERSONAL if p in t]
    assert not leftovers, f"personal data still on a widget after the session: {leftovers}"


def test_typed_id_number_with_wrong_check_digit_is_refused_with_the_reason(ui) -> None:
    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("identify")
    pilot.type_keys("410105195003152019")
    pilot.tap_text(_("identify.confirm"), exact=True)
    pilot.wait_for_text(_("id.error.check_digit"))
    assert pilot.current == "identify" and ui.app.session.citizen is None
    pilot.tap_text(_("pad.back"), exact=True)
    pilot.type_keys("5")
    pilot.tap_text(_("identify.confirm"), exact=True)
    pilot.wait_for_screen("catalog")


def test_platform_down_says_so_and_a_retry_submits_once(ui) -> None:
    pilot, runtime = ui.pilot, ui.runtime
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("identify")
    pilot.type_keys(ID)
    pilot.tap_text(_("identify.confirm"), exact=True)
    pilot.wait_for_screen("catalog")
    working_client = runtime.client
    runtime.client = PlatformClient("http://127.0.0.1:9", "KIOSK-DEMO-01", 1, 1)  # nothing listens there
    try:
        apply_for_household_certificate(ui)
        pilot.wait_for_text(_("confirm.error.unreachable"))
        assert pilot.current == "confirm"  # the app keeps running; nothing was submitted
        key = ui.app.session.idempotency_key
        before = ui.sandbox_db["applications"].count
    finally:
        runtime.client = working_client
    pilot.tap_text(_("confirm.retry"))
    pilot.wait_for_screen("result")
    assert ui.sandbox_db["applications"].count == before + 1
    row = list(ui.sandbox_db["applications"].rows_where("idempotency_key = ?", [key]))
    assert len(row) == 1 and json.loads(row[0]["body"])["item_code"] == "HJ-001"


def test_idle_timeout_warns_then_wipes_the_session(ui) -> None:
    pilot, app = ui.pilot, ui.app
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("identify")
    pilot.type_keys("4101051950")
    app._last_activity -= app.config_kiosk.kiosk.idle_timeout_s - 5  # 5 s before the end
    pilot.wait_for_text(_("idle.continue"))
    pilot.wait_for_text(_("idle.body"))
    pilot.tap_text(_("idle.continue"))  # the citizen asks for more time
    pilot.frames(5)
    assert pilot.current == "identify" and app.screen("identify").typed == "4101051950"
    app._last_activity -= app.config_kiosk.kiosk.idle_timeout_s - 2
    pilot.wait_for_screen("home", timeout=10)  # nobody answered: back home, wiped
    assert app.screen("identify").typed == "" and app.session.is_empty
    assert not any("4101051950" in t for t in pilot.all_texts())


def test_escape_and_f1_do_nothing(ui) -> None:
    from kivy.core.window import Window

    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("identify")
    for key in (27, 282):  # Escape, F1
        Window.dispatch("on_key_down", key, 0, None, [])
        Window.dispatch("on_keyboard", key, 0, None, [])
        pilot.frames(3)
    assert pilot.current == "identify"
    assert ui.app._app_window is not None and ui.app.root.parent is Window
    assert not any(type(w).__name__ == "SettingsWithSidebar" for w in Window.children)


def test_an_error_in_a_callback_resets_to_home_instead_of_crashing(ui) -> None:
    from kivy.clock import Clock

    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("identify")
    pilot.type_keys("41010519")

    def broken(_dt: float) -> None:
        raise RuntimeError("a bug in a callback")

    Clock.schedule_once(broken, 0)
    pilot.wait_for_screen("home")
    assert ui.app.screen("identify").typed == ""
    pilot.tap_text(_("home.start"))  # and the kiosk still works
    pilot.wait_for_screen("identify")
