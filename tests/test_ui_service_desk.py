"""Progress queries, self-service pickup and queue tickets in the real window, as a citizen would use them:
receipts scanned by the simulated camera (real decode worker) or typed on the pad, the demo ID card on the
simulated reader, the virtual printer's bytes and the sandbox platform's records."""

from __future__ import annotations

import pytest
from uisteps import identify_with_card_and_face, identify_with_code

from kiosk.demo_codes import qr_image
from kiosk.i18n import translate as _
from kiosk.platform_client import PlatformClient

pytestmark = pytest.mark.ui

READY = "ZW20261101000001"  # 张建国, 户籍证明 ready for pickup (sandbox seed)
REVIEWING = "ZW20261101000002"  # 王小明, 公积金租房提取 under review
APPLICANT_ID, APPLICANT_NAME = "410105195003152015", "张建国"
OTHER_ID = "410305199007204512"  # 王小明: a real person, but not the applicant of READY


def printed_text(ui) -> str:
    return ui.runtime.virtual_printer.jobs[-1].data.decode("gb18030", "replace")


def type_receipt(ui, number: str) -> None:
    assert number.startswith("ZW")
    ui.pilot.type_keys(number[2:])
    ui.pilot.tap_text(_("desk.entry.confirm"), exact=True)


def offline_client() -> PlatformClient:
    return PlatformClient("http://127.0.0.1:9", "KIOSK-DEMO-01", 1, 1)  # nothing listens there


# -- progress -------------------------------------------------------------------------------------------------
def test_progress_by_receipt_qr_on_the_camera_shows_the_history(ui) -> None:
    pilot = ui.pilot
    ui.app.counter.open_progress()
    pilot.wait_for_screen("progress")
    ui.runtime.show_to_camera(qr_image(f"GOVKIOSK:R:{REVIEWING}"))
    pilot.wait_for_text("中心审核中，已通过数据共享核验无房信息")  # the office's note, as the platform wrote it
    assert ui.app.screen("progress").typed == REVIEWING[2:]  # what the camera read, should they look again
    pilot.wait_for_text(_("desk.progress.current", status=_("desk.status.reviewing")))
    pilot.wait_for_text("住房公积金租房提取")  # the item by name, not by code
    pilot.wait_for_text(_("desk.explain.reviewing"))
    texts = pilot.visible_texts()
    assert not any("王小明" in t or "王*" in t or OTHER_ID in t for t in texts)  # progress is public: no person
    assert not any("reviewing" in t or "accepted" in t for t in texts)  # no platform codes in English
    assert _("desk.progress.pickup") not in texts  # not ready: nothing to collect


def test_progress_by_typing_the_receipt_number(ui) -> None:
    pilot = ui.pilot
    ui.app.counter.open_progress()
    pilot.wait_for_screen("progress")
    pilot.wait_for_text("ZW")
    pilot.type_keys(READY[2:])
    pilot.wait_for_text("20261101 000001")  # shown grouped as on the paper, after the fixed ZW
    pilot.tap_text(_("desk.entry.confirm"), exact=True)
    pilot.wait_for_text("经八路派出所审核中")
    pilot.wait_for_text("审核通过，户籍证明已出具")
    pilot.wait_for_text(_("desk.progress.pickup"))  # ready: the applicant may collect it here
    assert not any(APPLICANT_NAME in t or APPLICANT_ID in t for t in pilot.all_texts())
    pilot.tap_text(_("desk.progress.another"))
    pilot.wait_for_text(_("desk.entry.placeholder"))
    type_receipt(ui, REVIEWING)  # the pad works again after the status was shown (every key, zeros too)
    pilot.wait_for_text(_("desk.explain.reviewing"))


def test_unknown_receipt_number_says_so_and_keeps_what_was_typed(ui) -> None:
    pilot = ui.pilot
    ui.app.counter.open_progress()
    pilot.wait_for_screen("progress")
    type_receipt(ui, "ZW20261101999999")
    pilot.wait_for_text(_("desk.error.unknown"))
    assert pilot.current == "progress" and ui.app.screen("progress").typed == "20261101999999"
    pilot.tap_text(_("pad.back"), exact=True)  # one digit off …
    assert ui.app.screen("progress").typed == "2026110199999"
    pilot.tap_text(_("desk.entry.clear"), exact=True)  # … or start again
    type_receipt(ui, REVIEWING)
    pilot.wait_for_text(_("desk.explain.reviewing"))


def test_an_identity_qr_on_the_progress_screen_is_not_a_receipt(ui) -> None:
    ui.app.counter.open_progress()
    ui.pilot.wait_for_screen("progress")
    ui.runtime.show_to_camera(qr_image(OTHER_ID))
    ui.pilot.wait_for_text(_("progress.not_a_receipt"))
    assert ui.app.session.citizen is None  # a progress query never identifies anybody


def test_progress_while_the_platform_is_down_says_the_number_stays_valid(ui) -> None:
    ui.app.counter.open_progress()
    ui.pilot.wait_for_screen("progress")
    working = ui.runtime.client
    ui.runtime.client = offline_client()
    try:
        type_receipt(ui, REVIEWING)
        ui.pilot.wait_for_text(_("desk.error.offline"))
    finally:
        ui.runtime.client = working
    assert ui.pilot.current == "progress"


# -- pickup ---------------------------------------------------------------------------------------------------
def test_pickup_with_the_applicants_id_card_prints_the_result_then_rates(ui) -> None:
    pilot, app, db = ui.pilot, ui.app, ui.sandbox_db
    jobs_before = len(ui.runtime.virtual_printer.jobs)
    pickups_before = db["pickups"].count_where("receipt_number = ?", [READY]) if "pickups" in db.table_names() else 0
    app.counter.open_pickup()
    pilot.wait_for_screen("progress")
    type_receipt(ui, READY)
    pilot.wait_for_screen("identify")  # ready: the applicant identifies first
    pilot.wait_for_text(_("desk.pickup.identify_hint"))
    identify_with_card_and_face(ui)  # 张建国's card on the simulated reader, then his live face
    pilot.wait_for_screen("pickup")
    pilot.wait_until(lambda: app.screen("pickup").printed == "ok", "the result to print")
    pilot.wait_for_text(_("desk.pickup.printed"))

    assert len(ui.runtime.virtual_printer.jobs) == jobs_before + 1
    text = printed_text(ui)
    assert READY in text and "户籍证明" in text and "HJZM-2026-1101-0321" in text
    assert "4101**********2015" in text  # the ID only masked …
    assert APPLICANT_ID not in text and APPLICANT_NAME not in text  # … never in full, nor the full name
    assert app.screen("pickup").image == str(ui.runtime.virtual_printer.jobs[-1].png_path)  # paper on screen
    assert db["pickups"].count_where("receipt_number = ?", [READY]) == pickups_before + 1
    assert db["applications"].get(READY)["status"] == "picked_up"

    pilot.tap_text(_("desk.pickup.next"))
    pilot.wait_for_screen("rating")
    pilot.tap_text(_("rating.level.5"))
    pilot.wait_for_screen("home", timeout=10)
    ratings = list(db["ratings"].rows_where("receipt_number = ?", [READY]))
    assert ratings and ratings[-1]["item_code"] == "HJ-001" and ratings[-1]["level"] == 5
    leftovers = [t for t in pilot.all_texts() for p in (APPLICANT_ID, "4101**********2015", READY) if p in t]
    assert not leftovers, f"left on a widget after the session: {leftovers}"


def test_pickup_with_another_persons_id_is_refused_with_the_reason(ui) -> None:
    pilot, app, db = ui.pilot, ui.app, ui.sandbox_db
    jobs_before = len(ui.runtime.virtual_printer.jobs)
    pickups_before = db["pickups"].count
    app.counter.open_pickup()
    pilot.wait_for_screen("progress")
    type_receipt(ui, READY)
    pilot.wait_for_screen("identify")
    identify_with_code(ui, OTHER_ID)  # 王小明's own e-social-card: verified, but not the applicant
    pilot.wait_for_screen("pickup")
    pilot.wait_for_text(_("flows.pickup.not_applicant"))
    pilot.wait_for_text(_("desk.pickup.other_card"))  # the applicant can still place their own card
    assert len(ui.runtime.virtual_printer.jobs) == jobs_before  # nothing printed
    assert db["pickups"].count == pickups_before
    assert app.session.citizen is None  # the refused identity is not kept for anything else
    pilot.tap_text(_("desk.home"))
    pilot.wait_for_screen("home")


def test_pickup_of_an_application_not_ready_shows_its_status_instead(ui) -> None:
    ui.app.counter.open_pickup()
    ui.pilot.wait_for_screen("progress")
    type_receipt(ui, REVIEWING)
    ui.pilot.wait_for_text(_("flows.pickup.not_ready"))
    ui.pilot.wait_for_text("中心审核中，已通过数据共享核验无房信息")
    assert ui.pilot.current == "progress" and ui.app.session.citizen is None  # nobody was asked to identify


# -- queue tickets --------------------------------------------------------------------------------------------
def take_ticket_at(ui, department: str) -> str:
    pilot, screen = ui.pilot, ui.app.screen("ticket")
    ui.app.counter.open_tickets()
    pilot.wait_for_screen("ticket")
    pilot.tap_text(department, exact=True)
    pilot.wait_until(lambda: screen.stage == "done", "the queue number")
    pilot.wait_until(lambda: screen.print_text == _("desk.ticket.printed"), "the ticket to print")
    return screen.ids.ticket_number.text


def test_queue_ticket_is_printed_with_the_number_shown_then_home(ui) -> None:
    ui.app.counter.open_tickets()
    ui.pilot.wait_for_screen("ticket")
    for service in ("社保医保", "公积金", "户籍", "不动产", "税务", "民政", "征信"):  # services, not bureaus
        ui.pilot.wait_for_text(service)
    assert "市公安局户政管理支队" not in ui.pilot.visible_texts()
    jobs_before = len(ui.runtime.virtual_printer.jobs)
    number = take_ticket_at(ui, "户籍")
    assert number and not number.startswith("K")  # the platform's number
    ui.pilot.wait_for_text(number)
    assert len(ui.runtime.virtual_printer.jobs) == jobs_before + 1
    assert number in printed_text(ui) and "户籍" in printed_text(ui)  # the paper says what the screen says
    assert any("人等候" in t for t in ui.pilot.visible_texts())
    ui.pilot.wait_for_screen("home", timeout=20)  # a ticket is not rated: home by itself
    assert ui.app.screen("ticket").number == ""


def test_offline_queue_ticket_has_the_kiosk_prefix(ui) -> None:
    working = ui.runtime.client
    ui.runtime.client = offline_client()
    try:
        number = take_ticket_at(ui, "社保医保")
    finally:
        ui.runtime.client = working
    assert number.startswith("K01-")  # KIOSK-DEMO-01: never mistaken for a platform number
    ui.pilot.wait_for_text(_("desk.ticket.waiting_unknown"))
    ui.pilot.wait_for_text(_("desk.ticket.offline"))
    text = printed_text(ui)
    assert number in text and _("flows.ticket.offline") in text  # the paper says why it is a local number
    assert _("printing.ticket.waiting", count=0) not in text  # "0 people ahead" would be a guess
