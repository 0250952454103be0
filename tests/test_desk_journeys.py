"""Every citizen journey through the desk, without a window: the real runtime (embedded sandbox platform on
loopback, SQLite outbox and sync worker, the virtual printer over sim://), the desk's typed outcomes, what
the sandbox recorded and what the printer printed. The UI tests only check that each outcome shows the
right screen; the journeys themselves are judged here."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.config import demo_config
from kiosk.desk import Desk
from kiosk.desk import outcomes as o
from kiosk.platform_client import PlatformClient
from kiosk.runtime import KioskRuntime
from kiosk.session import Level

ZHANG = "410105195003152015"  # 张建国: good standing, applicant of READY
CHEN = "110101198501010025"  # 陈静: bad credit record
OTHER = "410305199007204512"  # 王小明
READY, REVIEWING = "ZW20261101000001", "ZW20261101000002"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskRuntime]:
    state = tmp_path_factory.mktemp("desk")
    started = KioskRuntime(demo_config(state)).start()
    yield started
    started.stop()


@pytest.fixture
def desk(runtime: KioskRuntime) -> Iterator[Desk]:
    desk = Desk(runtime.config, runtime)
    desk.catalog = runtime.refresh_catalog().catalog
    yield desk
    runtime.end_session(desk.end_session())


def sandbox_db(runtime: KioskRuntime):  # noqa: ANN201 - sqlite_utils.Database
    return runtime.sandbox.app.state.store.db


def printed(runtime: KioskRuntime, desk: Desk, job: o.PrintJob) -> tuple[str, o.Message]:
    """Print a job through the real print service; the text on the paper and what the citizen is told."""
    from kiosk.desk.paper import paper_message

    done = threading.Event()
    results: list = []
    runtime.print_document(desk.session.id, job.document, lambda result: (results.append(result), done.set()))
    assert done.wait(20), "the printer never answered"
    result = results[0]
    return result.data.decode("gb18030", "replace"), paper_message(result, job)


def identity_code(id_number: str) -> str:
    """The demo e-ID / e-social-card / provincial-app QR payload of a demo citizen (sandbox data)."""
    from kiosk.sandbox.store import DATA_DIR

    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    return next(t["payload"] for t in tokens if t["id_number"] == id_number)


def identify(desk: Desk, id_number: str = ZHANG) -> None:
    """Verified, as a citizen's phone code makes it: the platform vouches for the person with a proof."""
    payload = desk.identity.code(identity_code(id_number))
    identified = desk.identity.verify_token(payload)
    assert isinstance(identified, o.Identified) and identified.citizen.level is Level.VERIFIED
    assert identified.citizen.proof_token


def to_materials(desk: Desk, code: str, id_number: str = ZHANG) -> o.ShowMaterials:
    assert desk.apply.choose(code)
    assert isinstance(desk.apply.start(), o.NeedIdentity)
    identify(desk, id_number)
    loading = desk.apply.identified()
    assert isinstance(loading, o.LoadEligibility) and loading.item.code == code
    shown = desk.apply.eligibility()
    assert isinstance(shown, o.ShowMaterials) and desk.apply.materials_known
    return shown


def application_row(runtime: KioskRuntime, receipt: str) -> dict:
    rows = list(sandbox_db(runtime)["applications"].rows_where("receipt_number = ?", [receipt]))
    assert len(rows) == 1
    return rows[0]


# -- identify ---------------------------------------------------------------------------------------------
def test_a_wrong_check_digit_is_refused_with_the_reason(desk: Desk) -> None:
    refused = desk.identity.typed("410105195003152019")
    assert isinstance(refused, o.IdentifyRefused) and refused.message.key == "id.error.check_digit"
    assert desk.session.citizen is None


def test_a_typed_id_number_opens_no_personal_record(desk: Desk) -> None:
    assert desk.apply.choose("ZX-001")  # 个人信用报告
    need = desk.apply.start()
    assert isinstance(need, o.NeedIdentity) and need.need is Level.VERIFIED and need.step == "card"
    desk.identity.need = need.need
    refused = desk.identity.typed(ZHANG)
    assert isinstance(refused, o.IdentifyRefused) and refused.message.key == "identify.typed_not_enough"
    assert desk.session.citizen is None
    # Even a claimed identity slipped into the session gets no request sent above its level.
    desk.identity.need = Level.CLAIMED
    assert isinstance(desk.identity.typed(ZHANG), o.Identified)
    assert isinstance(desk.apply.identified(), o.NeedIdentity)
    assert isinstance(desk.query.fetch(), o.StepRefused)


def test_an_expired_card_is_refused_and_an_expiring_one_is_accepted_with_a_reminder(desk: Desk) -> None:
    import datetime as dt

    from devices.idreader.card import IdCard

    def card(valid_until: dt.date) -> IdCard:
        return IdCard(name="张建国", sex="M", nation_code="01", birth_date=dt.date(1950, 3, 15), address="郑州市",
                      id_number=ZHANG, issuer="郑州市公安局", valid_from=dt.date(2010, 1, 1), valid_until=valid_until)

    today = dt.date(2026, 11, 30)
    expired = desk.identity.card(card(dt.date(2026, 11, 1)), today=today)
    assert isinstance(expired, o.IdentifyRefused) and expired.message.key == "identify.card_expired"
    assert "2026-11-01" in expired.message.text() and desk.session.citizen is None
    soon = desk.identity.card(card(dt.date(2027, 1, 15)), today=today)
    assert isinstance(soon, o.Identified) and soon.citizen.level is Level.CARD
    assert soon.reminder is not None and soon.reminder.values["days"] == 46
    assert desk.identity.missing(Level.VERIFIED) == "face"  # the card alone is not enough for records


def test_a_url_shown_to_the_camera_is_refused_not_opened(desk: Desk) -> None:
    refused = desk.identity.code("https://evil.example/login")
    assert isinstance(refused, o.IdentifyRefused) and desk.session.citizen is None


# -- query and print --------------------------------------------------------------------------------------
def test_query_and_print(runtime: KioskRuntime, desk: Desk) -> None:
    assert desk.apply.choose("SB-001")
    assert isinstance(desk.apply.start(), o.NeedIdentity)
    identify(desk)
    assert isinstance(desk.apply.identified(), o.RunQuery)
    ready = desk.query.fetch()
    assert isinstance(ready, o.QueryReady) and ready.document.rows
    text, said = printed(runtime, desk, desk.query.print_job())
    assert ready.document.title in text and ready.document.verification_code in text
    assert "4101**********2015" in text and ZHANG not in text
    assert said.key == "result.paper_printed"


def test_query_queued_offline_then_uploaded_and_picked_up_with_the_slip(runtime: KioskRuntime, desk: Desk) -> None:
    from kiosk.sandbox.server import EmbeddedSandbox

    port, db = runtime.sandbox.port, runtime.state_dir / "sandbox.db"
    desk.apply.choose(next(i.code for i in desk.catalog.items if i.name == "住房公积金缴存证明打印"))
    identify(desk)  # verified while the platform answered; then the line goes down
    runtime.sandbox.stop()
    try:
        assert isinstance(desk.apply.identified(), o.RunQuery)
        failed = desk.query.fetch()
        assert isinstance(failed, o.QueryFailed) and failed.offline and failed.can_queue
        queued = desk.query.queue()
        assert isinstance(queued, o.QueryQueued) and queued.reference.startswith("K-KIOSK-DEMO-01-")
        slip, _said = printed(runtime, desk, queued.job)
        assert queued.reference in slip and ZHANG not in slip
    finally:
        runtime.sandbox = EmbeddedSandbox(db, port=port).start()
    runtime.sync_worker.wake()
    deadline = time.monotonic() + 30
    while runtime.submitter.receipt_for(queued.reference) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    receipt = runtime.submitter.receipt_for(queued.reference)
    assert receipt, "the queued query was never uploaded"
    runtime.end_session(desk.end_session())

    # The next visit: the slip is scanned at 结果领取; the local reference resolves to the platform's receipt.
    from kiosk.receipts import receipt_qr_payload

    looking = desk.service.scanned(receipt_qr_payload(queued.reference))
    assert isinstance(looking, o.LookingUp)
    ready = desk.service.look_up(looking.receipt_number, "pickup")
    assert isinstance(ready, o.PickupReady) and ready.progress.receipt_number == receipt
    identify(desk)
    picked = desk.service.pick_up(ready.progress)
    assert isinstance(picked, o.PickedUp)
    text, _said = printed(runtime, desk, picked.job)
    assert receipt in text and "住房公积金" in text and "4101**********2015" in text
    assert sandbox_db(runtime)["applications"].get(receipt)["status"] == "picked_up"


# -- applications -----------------------------------------------------------------------------------------
def test_waivable_material_missing_is_accepted_under_rongque(runtime: KioskRuntime, desk: Desk) -> None:
    to_materials(desk, "GJJ-002")
    asked = desk.apply.materials_done(["居民身份证", "本人名下银行借记卡"], pledge=False)  # the contract is at home
    assert isinstance(asked, o.AskCommitment) and asked.check.outcome == "waiver"
    assert [m.name for m in asked.check.missing] == ["房屋租赁合同"]
    form = desk.apply.after_materials()
    assert isinstance(form, o.ShowForm)
    assert isinstance(desk.apply.form_done({"phone": "13912345678", "amount": "3000"}), o.ShowConfirm)
    submitted = desk.apply.submit()
    assert isinstance(submitted, o.Submitted)
    body = json.loads(application_row(runtime, submitted.receipt_number)["body"])
    assert body["commitment"]["kind"] == "waiver" and body["commitment"]["missing"] == ["房屋租赁合同"]
    slip_job = next(job for job in submitted.jobs if job.purpose == "slip")
    slip, said = printed(runtime, desk, slip_job)
    assert submitted.receipt_number in slip and "房屋租赁合同" in slip and "撤回" in slip
    assert body["commitment"]["supply_by"].split("-")[0] in slip and said.key == "result.slip_printed"


def test_main_material_missing_gets_a_one_time_notice_and_nothing_is_submitted(runtime: KioskRuntime,
                                                                              desk: Desk) -> None:
    before = sandbox_db(runtime)["applications"].count
    to_materials(desk, "GJJ-002")
    notice = desk.apply.materials_done(["居民身份证"], pledge=False)
    assert isinstance(notice, o.MissingNotice)
    assert {m.name for m in notice.check.missing} >= {"本人名下银行借记卡", "房屋租赁合同"}
    text, _said = printed(runtime, desk, notice.job)
    for missing in ("本人名下银行借记卡", "房屋租赁合同"):  # every missing material, at once
        assert missing in text
    assert ZHANG not in text
    assert sandbox_db(runtime)["applications"].count == before


def test_notification_commitment_offered_and_recorded(runtime: KioskRuntime, desk: Desk) -> None:
    shown = to_materials(desk, "HJ-001")
    assert shown.offer.offered
    asked = desk.apply.materials_done(["居民身份证"], pledge=True)
    assert isinstance(asked, o.AskCommitment) and asked.check.outcome == "pledge"
    assert isinstance(desk.apply.after_materials(), o.ShowForm)
    assert isinstance(desk.apply.form_done({"phone": "13912345678", "purpose": "入学"}), o.ShowConfirm)
    rows = dict(desk.apply.confirm_rows())
    assert "4101**********2015" in rows.values() and "13912345678" not in rows.values()  # a public screen
    submitted = desk.apply.submit()
    assert isinstance(submitted, o.Submitted)
    assert json.loads(application_row(runtime, submitted.receipt_number)["body"])["commitment"]["kind"] == "pledge"


def test_notification_commitment_refused_to_a_bad_credit_record(desk: Desk) -> None:
    shown = to_materials(desk, "HJ-001", CHEN)
    assert not shown.offer.offered and shown.offer.reason_key == "flows.commitment.bad_credit"
    refused = desk.apply.materials_done(["居民身份证"], pledge=True)  # a forged tap cannot pledge either
    assert isinstance(refused, o.StepRefused) and refused.message.key == "flow.error.commitment_not_offered"


def test_bundle_one_form_one_submission_a_receipt_per_item(runtime: KioskRuntime, desk: Desk) -> None:
    code = next(i.code for i in desk.catalog.items if i.name == "退休“一件事”")
    to_materials(desk, code)
    form = desk.apply.materials_done(["居民身份证", "社会保障卡", "本人名下银行借记卡"], pledge=False)
    assert isinstance(form, o.ShowForm) and [f.key for f in form.item.fields] == ["phone"]  # asked once
    assert isinstance(desk.apply.form_done({"phone": "13912345678"}), o.ShowConfirm)
    submitted = desk.apply.submit()
    assert isinstance(submitted, o.Submitted) and len(submitted.members) == 3
    receipt_text, _said = printed(runtime, desk, submitted.jobs[0])
    for _name, number in submitted.members:
        assert number in receipt_text
        assert application_row(runtime, number)["bundle_receipt"] == submitted.receipt_number


def test_offline_application_is_saved_with_a_local_reference_then_uploaded(runtime: KioskRuntime,
                                                                          desk: Desk) -> None:
    from kiosk.sandbox.server import EmbeddedSandbox

    to_materials(desk, "GJJ-002")
    assert isinstance(desk.apply.materials_done(["居民身份证", "本人名下银行借记卡", "房屋租赁合同"], False), o.ShowForm)
    assert isinstance(desk.apply.form_done({"phone": "13912345678", "amount": "2000"}), o.ShowConfirm)
    port, db = runtime.sandbox.port, runtime.state_dir / "sandbox.db"
    runtime.sandbox.stop()
    try:
        saved = desk.apply.submit()
        assert isinstance(saved, o.SavedOffline) and saved.reference.startswith("K-KIOSK-DEMO-01-")
        assert saved.message.key == "offline.saved_locally"
        receipt_text, said = printed(runtime, desk, saved.jobs[0])
        assert saved.reference in receipt_text and said.key == "result.printed"
        assert desk.apply.upload_news() is None  # not yet
    finally:
        runtime.sandbox = EmbeddedSandbox(db, port=port).start()
    runtime.sync_worker.wake()
    deadline = time.monotonic() + 30
    news = None
    while news is None and time.monotonic() < deadline:
        news = desk.apply.upload_news()
        time.sleep(0.1)
    assert isinstance(news, o.Uploaded)
    assert json.loads(application_row(runtime, news.receipt_number)["body"])["item_code"] == "GJJ-002"


def test_submitting_twice_in_one_session_makes_one_application(runtime: KioskRuntime, desk: Desk) -> None:
    to_materials(desk, "GJJ-002")
    desk.apply.materials_done(["居民身份证", "本人名下银行借记卡", "房屋租赁合同"], False)
    desk.apply.form_done({"phone": "13912345678", "amount": "1000"})
    first, second = desk.apply.submit(), desk.apply.submit()
    assert isinstance(first, o.Submitted) and isinstance(second, o.Submitted)
    assert first.receipt_number == second.receipt_number


# -- rating -----------------------------------------------------------------------------------------------
def test_a_good_rating_is_sent_without_questions(runtime: KioskRuntime, desk: Desk) -> None:
    desk.apply.choose("SB-001")
    assert desk.rating.choose(5) is None
    assert isinstance(desk.rating.send(5), o.Rated)


def test_bad_rating_asks_why_and_offers_a_masked_callback(runtime: KioskRuntime, desk: Desk) -> None:
    desk.apply.choose("SB-001")
    identify(desk)
    desk.session.form["phone"] = "13912345678"
    asked = desk.rating.choose(2)
    assert isinstance(asked, o.AskRatingReasons) and "rating.reason.wait" in asked.reason_keys
    phone_text = asked.callback_phone.text()
    assert "139****5678" in phone_text and "13912345678" not in phone_text
    before = sandbox_db(runtime)["ratings"].count if "ratings" in sandbox_db(runtime).table_names() else 0
    assert isinstance(desk.rating.send(2, ["排队时间长"], callback=True), o.Rated)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "ratings" in sandbox_db(runtime).table_names() and sandbox_db(runtime)["ratings"].count > before:
            break
        runtime.sync_worker.wake()  # skip the backoff left from the outage tests above
        time.sleep(0.2)
    rating = list(sandbox_db(runtime)["ratings"].rows)[-1]
    assert rating["level"] == 2 and rating["item_code"] == "SB-001" and "排队时间长" in rating["reasons"]


# -- progress, pickup, tickets ----------------------------------------------------------------------------
def test_progress_of_a_receipt_in_review_tells_its_history(desk: Desk) -> None:
    view = desk.service.look_up(REVIEWING, "progress")
    assert isinstance(view, o.ProgressView) and not view.can_pick_up and view.history
    assert view.current.text() and view.explain.text() and view.notice is None
    assert any("中心审核中" in step.note for step in view.history)


def test_a_receipt_is_reprinted_at_progress_without_personal_data(runtime: KioskRuntime, desk: Desk) -> None:
    view = desk.service.look_up(READY, "progress")
    text, said = printed(runtime, desk, desk.service.reprint(view.progress))
    assert READY in text and "户籍证明" in text and said.key == "desk.reprint.printed"
    assert ZHANG not in text and "4101" not in text and "张" not in text  # nothing personal on the copy


def test_an_unknown_receipt_and_a_non_receipt_code_are_refused(desk: Desk) -> None:
    unknown = desk.service.look_up("ZW20991231999999", "progress")
    assert isinstance(unknown, o.ReceiptRefused) and unknown.message.key == "desk.error.unknown"
    assert isinstance(desk.service.scanned(ZHANG), o.ReceiptRefused)


def test_progress_while_the_platform_is_down_says_so(runtime: KioskRuntime, desk: Desk) -> None:
    working = runtime.client
    runtime.client = PlatformClient("http://127.0.0.1:9", "KIOSK-DEMO-01", 1, 1)
    try:
        down = desk.service.look_up(REVIEWING, "progress")
    finally:
        runtime.client = working
    assert isinstance(down, o.ReceiptRefused) and down.message.key == "desk.error.offline"


def test_pickup_by_the_applicant_prints_the_result(runtime: KioskRuntime, desk: Desk) -> None:
    ready = desk.service.look_up(READY, "pickup")
    assert isinstance(ready, o.PickupReady) and ready.hint is not None  # identify first
    identify(desk)
    picked = desk.service.pick_up(ready.progress)
    assert isinstance(picked, o.PickedUp)
    text, said = printed(runtime, desk, picked.job)
    assert READY in text and "4101**********2015" in text and ZHANG not in text and "张建国" not in text
    assert said.key == "desk.pickup.printed"


def test_pickup_with_another_persons_identity_is_refused_and_forgotten(runtime: KioskRuntime, desk: Desk) -> None:
    ready = desk.service.look_up(READY, "pickup")
    identify(desk, OTHER)
    refused = desk.service.pick_up(ready.progress)
    assert isinstance(refused, o.PickupRefused) and refused.other_card
    assert refused.reason.key == "flows.pickup.not_applicant" and desk.session.citizen is None


def test_pickup_of_an_application_not_ready_shows_its_status(desk: Desk) -> None:
    view = desk.service.look_up(REVIEWING, "pickup")
    assert isinstance(view, o.ProgressView) and view.notice is not None
    assert view.notice.key == "flows.pickup.not_ready" and desk.session.citizen is None


def test_queue_ticket_online_and_offline(runtime: KioskRuntime, desk: Desk) -> None:
    services = desk.service.services()  # by service, as citizens know them; 社保 and 医保 share a window
    assert {"社保医保", "公积金", "户籍", "不动产", "税务", "征信", "民政"} <= set(services)
    assert "医保" not in services and len(services) == len(set(services))
    issued = desk.service.take_ticket("户籍")
    assert isinstance(issued, o.TicketIssued) and not issued.offline and not issued.number.startswith("K")
    text, said = printed(runtime, desk, issued.job)
    assert issued.number in text and "户籍" in text and said.key == "desk.ticket.printed"
    working = runtime.client
    runtime.client = PlatformClient("http://127.0.0.1:9", "KIOSK-DEMO-01", 1, 1)
    try:
        offline = desk.service.take_ticket("社保医保")
    finally:
        runtime.client = working
    assert isinstance(offline, o.TicketIssued) and offline.offline and offline.number.startswith("K")


def test_stepping_back_out_of_the_form_keeps_what_was_typed_for_this_session_only(desk: Desk) -> None:
    to_materials(desk, "GJJ-002")
    assert isinstance(desk.apply.materials_done(["居民身份证", "本人名下银行借记卡", "房屋租赁合同"], False), o.ShowForm)
    desk.apply.keep_draft({"phone": "13912345678", "amount": "", "not_a_field": "x"})  # 上一步 to materials
    again = desk.apply.after_materials()
    assert isinstance(again, o.ShowForm) and dict(again.values) == {"phone": "13912345678"}
    desk.end_session()
    to_materials(desk, "GJJ-002")
    fresh = desk.apply.materials_done(["居民身份证", "本人名下银行借记卡", "房屋租赁合同"], False)
    assert isinstance(fresh, o.ShowForm) and dict(fresh.values) == {}  # the next citizen sees none of it


def test_the_session_ends_with_nothing_left(runtime: KioskRuntime, desk: Desk) -> None:
    to_materials(desk, "HJ-001")
    ended = desk.end_session()
    assert ended and desk.session.is_empty and desk.session.id != ended


def test_the_core_imports_neither_kivy_nor_screens() -> None:
    import ast

    root = Path(__file__).resolve().parent.parent / "kiosk"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(root)}: {name}" for name in names
                          if name.split(".")[0] in ("kivy", "screens")]
    assert not offenders, offenders
