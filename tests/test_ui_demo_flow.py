"""The demo flow in the real window, driven by simulated touches, as a citizen would go through it."""

from __future__ import annotations

import json

import pytest
from uisteps import (
    apply_from_guide,
    fill_form,
    go_identify,
    identify_with_card_and_face,
    materials_next,
    open_item,
    submit,
    tick_materials,
)

from kiosk.i18n import translate as _

DEMO_CITIZEN = {"id_number": "410105195003152015", "name": "张建国", "phone": "13912345678"}

pytestmark = pytest.mark.ui

ID = DEMO_CITIZEN["id_number"]
PERSONAL = (ID, "410105 19500315 2015", DEMO_CITIZEN["name"], "4101**********2015", "张*")


def receipt_text(job_bytes: bytes) -> str:
    return job_bytes.decode("gb18030", errors="replace")


def apply_for_household_certificate(ui, identify) -> None:
    """户籍证明开具 with every material at hand: guide → identify → materials → form → confirm → submit."""
    pilot = ui.pilot
    open_item(ui, "户籍证明开具")
    pilot.wait_for_text("居民户口簿")  # the guide names every material
    apply_from_guide(ui)
    identify()
    tick_materials(ui, ["居民身份证", "居民户口簿"])
    materials_next(ui)
    fill_form(ui, ["13912345678", "就业"])
    pilot.wait_for_screen("confirm")
    pilot.wait_for_text("4101**********2015")  # the ID number is shown masked, never in full
    submit(ui)


def test_complete_demo_flow_with_the_id_card_reader(ui) -> None:
    pilot, printer = ui.pilot, ui.runtime.virtual_printer
    jobs_before = len(printer.jobs)

    # The simulated reader answers the real GA 467 driver; then the card holder's live face (人证比对).
    apply_for_household_certificate(ui, lambda: identify_with_card_and_face(ui))

    pilot.wait_for_screen("result")
    pilot.wait_until(lambda: ui.app.screen("result").printed, "the receipt to print")
    receipt_number = ui.app.screen("result").receipt_number
    pilot.wait_for_text(receipt_number)
    pilot.wait_for_text(_("result.printed"))

    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt_number]))
    assert len(rows) == 1
    assert rows[0]["item_code"] == "HJ-001"
    assert json.loads(rows[0]["body"])["form"] == {"phone": "13912345678", "purpose": "就业"}
    assert rows[0]["applicant_id_number"] == ID and rows[0]["applicant_name"] == DEMO_CITIZEN["name"]

    assert len(printer.jobs) == jobs_before + 1
    job = printer.jobs[-1]
    text = receipt_text(job.data)
    assert receipt_number in text and "4101**********2015" in text and "139****5678" in text
    assert ID not in text and DEMO_CITIZEN["name"] not in text and DEMO_CITIZEN["phone"] not in text
    assert job.png_path is not None and job.png_path.exists()
    assert ui.app.screen("result").receipt_image == str(job.png_path)  # the screen shows the printed paper

    pilot.tap_text(_("result.next"))
    pilot.wait_for_screen("rating")
    pilot.tap_text(_("rating.level.4"))
    pilot.wait_for_text(_("rating.thanks"))
    pilot.wait_for_screen("home", timeout=10)

    pilot.wait_until(lambda: ui.sandbox_db["ratings"].count_where("receipt_number = ?", [receipt_number]) == 1,
                     "the rating to reach the platform through the outbox")
    ratings = list(ui.sandbox_db["ratings"].rows_where("receipt_number = ?", [receipt_number]))
    assert len(ratings) == 1 and ratings[0]["level"] == 4 and ratings[0]["item_code"] == "HJ-001"

    assert ui.app.session.is_empty
    leftovers = [t for t in pilot.all_texts() for p in PERSONAL if p in t]
    assert not leftovers, f"personal data still on a widget after the session: {leftovers}"


def test_typed_id_number_with_wrong_check_digit_is_refused_with_the_reason(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "户籍证明开具")
    apply_from_guide(ui)
    pilot.wait_for_screen("identify")
    pilot.type_keys("410105195003152019")
    pilot.tap_text(_("identify.confirm"), exact=True)
    pilot.wait_for_text(_("id.error.check_digit"))
    assert pilot.current == "identify" and ui.app.session.citizen is None
    pilot.tap_text(_("keyboard.key.back"), exact=True)
    pilot.type_keys("5")
    pilot.tap_text(_("identify.confirm"), exact=True)
    # A well-formed number is still only a claim: an application needs the card and the face.
    pilot.wait_for_text(_("identify.typed_not_enough"))
    assert pilot.current == "identify" and ui.app.session.citizen is None
    identify_with_card_and_face(ui)
    pilot.wait_for_screen("materials")


def test_platform_down_saves_on_the_kiosk_then_uploads_when_it_is_back(ui) -> None:
    """The platform's intake fails, submit: "saved on this kiosk" with a local reference on screen and on the
    receipt; the platform comes back: the outbox uploads it, exactly once, and the screen says so."""
    pilot, runtime = ui.pilot, ui.runtime
    chaos = runtime.sandbox.app.state.chaos
    # The platform's intake is down (503) after the citizen's identity was verified.
    chaos.paths, chaos.fail_rate = ("/v1/applications",), 1.0
    try:
        apply_for_household_certificate(ui, lambda: identify_with_card_and_face(ui))
        pilot.wait_for_screen("result", timeout=30)
        pilot.wait_for_text(_("result.saved_locally"))
        reference = ui.app.screen("result").receipt_number
        assert reference.startswith("K-KIOSK-DEMO-01-")
        pilot.wait_until(lambda: bool(ui.app.screen("result").print_text), "the receipt")
        text = receipt_text(runtime.virtual_printer.jobs[-1].data)
        assert reference in text and _("receipt.status.saved_locally") in text
    finally:
        chaos.calm()  # the platform is back
    runtime.sync_worker.wake()
    pilot.wait_until(lambda: runtime.submitter.receipt_for(reference) is not None, "the upload", timeout=30)
    receipt_number = runtime.submitter.receipt_for(reference)
    pilot.wait_for_text(receipt_number)  # the citizen still at the kiosk sees it went through
    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt_number]))
    assert len(rows) == 1 and rows[0]["applicant_id_number"] == ID


def test_idle_timeout_warns_then_wipes_the_session(ui) -> None:
    pilot, app = ui.pilot, ui.app
    go_identify(ui)
    pilot.type_keys("4101051950")
    app.idle.pretend_idle(app.config_kiosk.kiosk.idle_timeout_s - 5)  # 5 s before the end
    pilot.wait_for_text(_("idle.continue"))
    pilot.wait_for_text(_("idle.body"))
    pilot.tap_text(_("idle.continue"))  # the citizen asks for more time
    pilot.frames(5)
    assert pilot.current == "identify" and app.screen("identify").typed == "4101051950"
    app.idle.pretend_idle(app.config_kiosk.kiosk.idle_timeout_s - 2)
    pilot.wait_for_screen("home", timeout=10)  # nobody answered: back home, wiped
    assert app.screen("identify").typed == "" and app.session.is_empty
    assert not any("4101051950" in t for t in pilot.all_texts())


def test_escape_and_f1_do_nothing(ui) -> None:
    from kivy.core.window import Window

    pilot = ui.pilot
    go_identify(ui)
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
    go_identify(ui)
    pilot.type_keys("41010519")

    def broken(_dt: float) -> None:
        raise RuntimeError("a bug in a callback")

    Clock.schedule_once(broken, 0)
    pilot.wait_for_screen("home")
    assert ui.app.screen("identify").typed == ""
    go_identify(ui)  # and the kiosk still works
