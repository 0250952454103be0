"""The citizen flows the regulations require, in the real window: each asserts what the platform (sandbox)
recorded and what was printed (decoded from the ESC/POS bytes the virtual printer kept)."""

from __future__ import annotations

import json

import pytest
from uisteps import (
    apply_from_guide,
    fill_form,
    identify_with_card_and_face,
    identify_with_code,
    materials_next,
    open_item,
    submit,
    tick_materials,
)

from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

ZHANG = "410105195003152015"  # 张建国: good standing
CHEN = "110101198501010025"  # 陈静: bad credit record


def printed_since(ui, before: int) -> list[str]:
    return [job.data.decode("gb18030", "replace") for job in ui.runtime.virtual_printer.jobs[before:]]


def jobs(ui) -> int:
    return len(ui.runtime.virtual_printer.jobs)


def wait_result(ui) -> str:
    ui.pilot.wait_for_screen("result", timeout=30)
    ui.pilot.wait_until(lambda: ui.app.screen("result").printed, "the receipt to print")
    return ui.app.screen("result").receipt_number


def application_row(ui, receipt: str) -> dict:
    rows = list(ui.sandbox_db["applications"].rows_where("receipt_number = ?", [receipt]))
    assert len(rows) == 1
    return rows[0]


def test_query_and_print(ui) -> None:
    pilot, before = ui.pilot, jobs(ui)
    open_item(ui, "社会保险个人参保证明打印")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    pilot.wait_for_screen("query")
    pilot.wait_until(lambda: ui.app.screen("query").state == "ready", "the query result")
    pilot.wait_for_text(_("query.preview"))
    pilot.tap(ui.app.screen("query").ids.query_print)
    pilot.wait_until(lambda: ui.app.screen("query").state == "printed", "the printout")
    text = printed_since(ui, before)[-1]
    document = ui.app.session.query_document
    assert document.title in text and document.verification_code in text
    assert "4101**********2015" in text and ZHANG not in text
    assert ui.app.screen("query").image  # the printed paper is shown on screen


def test_waivable_material_missing_is_accepted_under_rongque(ui) -> None:
    pilot, before = ui.pilot, jobs(ui)
    open_item(ui, "住房公积金租房提取")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, ["居民身份证", "本人名下银行借记卡"])  # the rental contract is at home
    materials_next(ui)
    pilot.wait_for_screen("commitment")
    pilot.wait_for_text(_("commitment.waiver_title"))
    assert "房屋租赁合同" in ui.app.screen("commitment").body and "撤回" in ui.app.screen("commitment").body
    assert ui.app.screen("commitment").ids.commitment_next.disabled  # the citizen must agree first
    pilot.tap(ui.app.screen("commitment").ids.agree_toggle)
    pilot.tap(ui.app.screen("commitment").ids.commitment_next)
    fill_form(ui, ["13912345678", "3000"])
    submit(ui)
    receipt = wait_result(ui)
    body = json.loads(application_row(ui, receipt)["body"])
    assert body["commitment"]["kind"] == "waiver" and body["commitment"]["missing"] == ["房屋租赁合同"]
    pilot.wait_for_text(_("result.slip_printed"))
    texts = printed_since(ui, before)
    slip = next(t for t in texts if "房屋租赁合同" in t)
    assert receipt in slip and body["commitment"]["supply_by"].split("-")[0] in slip and "撤回" in slip


def test_main_material_missing_is_refused_with_a_one_time_notice(ui) -> None:
    pilot, before = ui.pilot, jobs(ui)
    applications = ui.sandbox_db["applications"].count
    open_item(ui, "住房公积金租房提取")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, ["居民身份证"])
    materials_next(ui)
    pilot.wait_for_screen("notice")
    pilot.wait_until(lambda: ui.app.screen("notice").printed, "the notice to print")
    notice = printed_since(ui, before)[-1]
    for missing in ("本人名下银行借记卡", "房屋租赁合同"):  # every missing material, at once
        assert missing in notice and missing in ui.app.screen("notice").body
    assert "居民身份证" not in ui.app.screen("notice").body
    assert ui.sandbox_db["applications"].count == applications  # nothing was submitted


def test_notification_commitment_application(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "户籍证明开具")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, ["居民身份证"])
    pilot.wait_until(lambda: ui.app.screen("materials").commitment_offered, "the commitment offer")
    pilot.tap(ui.app.screen("materials").ids.pledge_toggle)
    materials_next(ui)
    pilot.wait_for_screen("commitment")
    pilot.wait_for_text(_("commitment.pledge_title"))
    pilot.tap(ui.app.screen("commitment").ids.agree_toggle)
    pilot.tap(ui.app.screen("commitment").ids.commitment_next)
    fill_form(ui, ["13912345678", "入学"])
    submit(ui)
    receipt = wait_result(ui)
    row = application_row(ui, receipt)
    assert json.loads(row["body"])["commitment"]["kind"] == "pledge"


def test_commitment_not_offered_to_an_applicant_with_a_bad_credit_record(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "户籍证明开具")
    apply_from_guide(ui)
    identify_with_code(ui, CHEN)
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not ui.app.screen("materials").loading, "the platform's answer")
    screen = ui.app.screen("materials")
    assert not screen.commitment_offered and screen.ids.pledge_toggle.opacity == 0
    assert _("flows.commitment.bad_credit") in screen.commitment_text  # says why, in plain words


def test_bundle_one_form_one_submission_a_receipt_per_item(ui) -> None:
    pilot, before = ui.pilot, jobs(ui)
    open_item(ui, "退休“一件事”")
    pilot.wait_for_text("基本养老保险待遇申领")  # the guide lists the member items
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, ["居民身份证", "社会保障卡", "本人名下银行借记卡"])
    names = [w.material for w in ui.app.screen("materials").ids.material_list.children]
    assert sorted(names) == sorted(set(names))  # de-duplicated across the bundle's items
    materials_next(ui)
    fill_form(ui, ["13912345678"])  # the phone is asked once for all three items
    submit(ui)
    receipt = wait_result(ui)
    members = ui.app.session.member_receipts
    assert len(members) == 3
    printed = printed_since(ui, before)[0]
    for member in members:
        assert member.receipt_number in printed and member.receipt_number in ui.app.screen("result").members_text
        assert application_row(ui, member.receipt_number)["bundle_receipt"] == receipt


def test_bad_rating_asks_for_a_reason_and_a_callback(ui) -> None:
    pilot = ui.pilot
    open_item(ui, "社会保险个人参保证明打印")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    pilot.wait_for_screen("query")
    pilot.wait_until(lambda: ui.app.screen("query").state == "ready", "the query result")
    ui.app.go("rating")
    pilot.wait_for_screen("rating")
    pilot.tap_text(_("rating.level.2"), exact=True)
    pilot.wait_for_text(_("rating.reason_title"))
    pilot.tap_text(_("rating.reason.wait"))
    pilot.tap(ui.app.screen("rating").ids.callback_toggle)
    pilot.tap(ui.app.screen("rating").ids.send_rating)
    pilot.wait_for_text(_("rating.thanks"))
    pilot.wait_until(
        lambda: ui.sandbox_db["ratings"].count_where("item_code = 'SB-001' and level = 2 and callback = 1") >= 1,
        "the rating to reach the platform")
    row = list(ui.sandbox_db["ratings"].rows_where("item_code = 'SB-001' and level = 2", order_by="rowid desc"))[0]
    assert json.loads(row["reasons"]) == [_("rating.reason.wait")]


def test_query_queued_offline_is_picked_up_later_with_the_slip_qr(ui) -> None:
    """Platform down: the query is registered and a slip with the kiosk's reference prints. Back online, the
    outbox sends it; later the citizen scans the slip at 结果领取, shows the same ID card, and gets the result."""
    from kiosk.demo_codes import qr_image
    from kiosk.receipts import receipt_qr_payload
    pilot, runtime = ui.pilot, ui.runtime
    before = jobs(ui)
    chaos = runtime.sandbox.app.state.chaos
    chaos.paths, chaos.fail_rate = ("/v1/queries",), 1.0  # the records service is down (identity still answers)
    try:
        open_item(ui, "住房公积金缴存证明打印")
        apply_from_guide(ui)
        identify_with_card_and_face(ui)
        pilot.wait_for_screen("query")
        pilot.wait_until(lambda: ui.app.screen("query").state == "offline", "the offline message", 30)
        pilot.tap(ui.app.screen("query").ids.query_queue)
        pilot.wait_until(lambda: ui.app.screen("query").state == "printed", "the slip")
        reference = ui.app.session.local_reference
        assert reference.startswith("K-KIOSK-DEMO-01-")
        slip = printed_since(ui, before)[-1]
        assert reference in slip and ZHANG not in slip
    finally:
        chaos.calm()
    runtime.sync_worker.wake()
    pilot.wait_until(lambda: runtime.submitter.receipt_for(reference) is not None, "the upload", 30)
    receipt = runtime.submitter.receipt_for(reference)
    ui.app.end_session()
    pilot.frames(3)

    ui.app.counter.open_pickup()  # the next visit
    pilot.wait_for_screen("progress")
    runtime.show_to_camera(qr_image(receipt_qr_payload(reference)))  # the slip under the camera
    pilot.wait_for_screen("identify")
    runtime.camera.simulator.hide()
    identify_with_card_and_face(ui)  # 张建国, the applicant: card and live face
    pilot.wait_for_screen("pickup")
    pilot.wait_until(lambda: ui.app.screen("pickup").printed == "ok", "the result to print")
    result = printed_since(ui, before)[-1]
    assert receipt in result and "住房公积金" in result and "4101**********2015" in result
    assert ui.sandbox_db["applications"].get(receipt)["status"] == "picked_up"


def test_search_the_catalog_without_identifying(ui) -> None:
    pilot = ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    pilot.tap_text("提取", exact=True)  # a common word, one tap
    names = {w.code for w in ui.app.screen("catalog").ids.item_list.children}
    assert names == {"GJJ-002", "GJJ-003"}
    pilot.tap(ui.app.screen("catalog").ids.search_box)  # the on-screen keyboard docks at the bottom
    pilot.type_keys("QXZ")  # no item's name spells q-x-z in pinyin
    pilot.wait_for_text("没有找到")
    assert ui.app.session.citizen is None
