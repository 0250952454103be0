"""Issue #17 through the desk, without a window: fees paid through the sandbox's payment simulation with the
电子票据 number on paper, a mailed result with its address and postage, appointments booked on working days,
printed and checked in by scanning the slip, electronic certificates used as materials, 我的办件, and the
complete-guide rules of `kiosk catalog check`. The real runtime: embedded sandbox on loopback, SQLite outbox,
the virtual printer."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.main import main
from kiosk.catalog import VAGUE_MATERIAL_WORDS, Material
from kiosk.config import demo_config
from kiosk.desk import Desk
from kiosk.desk import outcomes as o
from kiosk.desk import outcomes_service as s
from kiosk.desk.context import Services
from kiosk.rules.holidays import DEFAULT_CALENDAR
from kiosk.runtime import KioskRuntime
from kiosk.sandbox.store import DATA_DIR
from kiosk.session import Level

ZHANG = "410105195003152015"  # 张建国: holds four electronic certificates (sandbox data)
LI = "410102194811023023"  # 李秀英
WANG = "410305199007204512"  # 王小明
CHEN = "110101198501010025"  # 陈静
READY = "ZW20261101000001"  # 张建国's 户籍证明, ready for pickup (sandbox seed)
RAW_CATALOG = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskRuntime]:
    started = KioskRuntime(demo_config(tmp_path_factory.mktemp("finish"))).start()
    yield started
    started.stop()


@pytest.fixture
def desk(runtime: KioskRuntime) -> Iterator[Desk]:
    desk = Desk(runtime.config, runtime)
    desk.catalog = runtime.refresh_catalog().catalog
    yield desk
    runtime.end_session(desk.end_session())


def store(runtime: KioskRuntime):  # noqa: ANN201 - kiosk.sandbox.store.SandboxStore
    return runtime.sandbox.app.state.store


def printed(runtime: KioskRuntime, desk: Desk, job: o.PrintJob) -> tuple[str, bytes, o.Message]:
    """Print through the real print service: the paper's text, its raw ESC/POS bytes, what the citizen is told."""
    from kiosk.desk.paper import paper_message

    done, results = threading.Event(), []
    runtime.print_document(desk.session.id, job.document, lambda result: (results.append(result), done.set()))
    assert done.wait(20), "the printer never answered"
    return results[0].data.decode("gb18030", "replace"), results[0].data, paper_message(results[0], job)


def identify(desk: Desk, id_number: str = ZHANG) -> None:
    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    payload = desk.identity.code(next(t["payload"] for t in tokens if t["id_number"] == id_number))
    identified = desk.identity.verify_token(payload)
    assert isinstance(identified, o.Identified) and identified.citizen.level is Level.VERIFIED


def to_materials(desk: Desk, code: str, id_number: str = ZHANG) -> o.ShowMaterials:
    assert desk.apply.choose(code)
    assert isinstance(desk.apply.start(), o.NeedIdentity)
    identify(desk, id_number)
    assert isinstance(desk.apply.identified(), o.LoadEligibility)
    shown = desk.apply.eligibility()
    assert isinstance(shown, o.ShowMaterials)
    return shown


def submit_hukou_certificate(desk: Desk, ticked: set[str]) -> o.Submitted:
    form = desk.apply.materials_done(sorted(ticked), pledge=False)
    assert isinstance(form, o.ShowForm), form
    assert isinstance(desk.apply.form_done({"phone": "13912345678", "purpose": "出国（境）"}), o.ShowConfirm)
    submitted = desk.apply.submit()
    assert isinstance(submitted, o.Submitted), submitted
    return submitted


def application_body(runtime: KioskRuntime, receipt: str) -> dict:
    rows = list(store(runtime).db["applications"].rows_where("receipt_number = ?", [receipt]))
    assert len(rows) == 1
    return json.loads(rows[0]["body"])


def to_slots(desk: Desk, code: str, id_number: str) -> s.ShowSlots:
    assert desk.apply.choose(code)
    assert isinstance(desk.apply.start(), o.NeedIdentity)
    identify(desk, id_number)
    loading = desk.apply.identified()
    assert isinstance(loading, s.LoadSlots) and loading.item_code == code  # no typed date any more
    shown = desk.finish.appointments.slots()
    assert isinstance(shown, s.ShowSlots), shown
    return shown


# -- electronic certificates -------------------------------------------------------------------------------
def test_an_electronic_certificate_is_used_as_a_material_and_named_in_the_application(
        runtime: KioskRuntime, desk: Desk) -> None:
    to_materials(desk, "HJ-001")
    shown = desk.finish.certificates.load()
    assert isinstance(shown, s.ShowCertificates)
    assert {c.title for c in shown.certificates} == {"居民身份证", "居民户口簿", "结婚证", "学士学位证书"}
    assert all("*" in c.number for c in shown.certificates)  # numbers masked before they reach a screen
    assert shown.usable == {"居民身份证": "EC-ID-0001", "居民户口簿": "EC-HK-0001"}
    used = desk.finish.certificates.use("居民户口簿")
    assert isinstance(used, s.CertificateUsed) and used.title == "居民户口簿"
    assert isinstance(desk.finish.certificates.use("本人名下银行借记卡"), s.CertificatesRefused)
    # The 户口簿 counts as present without being ticked: only the ID card is ticked by hand.
    submitted = submit_hukou_certificate(desk, {"居民身份证"} | desk.session.materials_present)
    body = application_body(runtime, submitted.receipt_number)
    assert body["certificates"] == [{"material": "居民户口簿", "certificate_id": "EC-HK-0001"}]
    assert "居民户口簿" in body["materials_present"]


def test_a_certified_copy_prints_with_the_platforms_verification_qr(runtime: KioskRuntime, desk: Desk) -> None:
    identify(desk)
    assert isinstance(desk.finish.certificates.load(), s.ShowCertificates)
    copy_printed = desk.finish.certificates.print_copy("EC-MC-0001")
    assert isinstance(copy_printed, s.CopyPrinted)
    text, raw, said = printed(runtime, desk, copy_printed.job)
    assert "结婚证（电子证照核验件）" in text and "核验码" in text and "张**" in text
    assert b"https://zz.sandbox.gov-kiosk.example/v1/verify/" in raw  # the QR's data
    assert "J410105-1976-000318" not in text  # the certificate number is masked on paper too
    assert said.key == "finish.cert.copy_printed"


def test_another_persons_certificate_is_refused_by_the_platform(runtime: KioskRuntime, desk: Desk) -> None:
    to_materials(desk, "HJ-001", WANG)
    assert isinstance(desk.finish.certificates.load(), s.ShowCertificates)
    desk.session.service["certificates"] = [{"material": "居民户口簿", "certificate_id": "EC-HK-0001"}]  # 张's
    form = desk.apply.materials_done(["居民身份证", "居民户口簿"], pledge=False)
    assert isinstance(form, o.ShowForm)
    desk.apply.form_done({"phone": "13912345678", "purpose": "出国（境）"})
    refused = desk.apply.submit()
    assert isinstance(refused, o.SubmitRefused)


def test_certificates_need_a_verified_identity(desk: Desk) -> None:
    desk.identity.need = Level.CLAIMED
    assert isinstance(desk.identity.typed(ZHANG), o.Identified)
    refused = desk.finish.certificates.load()
    assert isinstance(refused, s.CertificatesRefused) and refused.message.key == "identify.typed_not_enough"


# -- delivery ------------------------------------------------------------------------------------------
def test_a_mailed_result_carries_the_address_and_the_postage_onto_the_receipt(runtime: KioskRuntime,
                                                                              desk: Desk) -> None:
    to_materials(desk, "HJ-001")
    options = desk.finish.delivery.options()
    assert options is not None and options.methods == ("window", "kiosk_pickup", "mail", "electronic")
    short = desk.finish.delivery.choose("mail", "郑州")
    assert isinstance(short, s.DeliveryRefused) and short.message.key == "finish.delivery.address_short"
    assert isinstance(desk.finish.delivery.choose("print_now"), s.DeliveryRefused)
    chosen = desk.finish.delivery.choose("mail", "河南省郑州市金水区经三路 26 号 3 号楼 2 单元 501")
    assert isinstance(chosen, s.DeliveryChosen) and "12.00" in chosen.summary.text()
    submitted = submit_hukou_certificate(desk, {"居民身份证", "居民户口簿"})
    body = application_body(runtime, submitted.receipt_number)
    assert body["delivery"] == {"method": "mail", "address": "河南省郑州市金水区经三路 26 号 3 号楼 2 单元 501"}
    text, _raw, _said = printed(runtime, desk, submitted.jobs[0])
    text = re.sub(r"\n\s*", "", text)  # a long value wraps under itself on the paper
    assert "邮寄送达" in text and "邮费 12.00 元" in text and "河南省郑州市…" in text
    assert "经三路" not in text  # the full address stays off the paper


def test_an_address_outside_the_province_costs_more_and_electronic_delivery_has_none(desk: Desk) -> None:
    to_materials(desk, "HJ-001")
    chosen = desk.finish.delivery.choose("mail", "北京市东城区东长安街 14 号")
    assert isinstance(chosen, s.DeliveryChosen) and "20.00" in chosen.summary.text()
    electronic = desk.finish.delivery.choose("electronic")
    assert isinstance(electronic, s.DeliveryChosen) and desk.session.service["delivery"] == {"method": "electronic"}


# -- fees -------------------------------------------------------------------------------------------------
def test_a_fee_is_paid_through_the_payment_simulation_and_the_ebill_number_printed(runtime: KioskRuntime,
                                                                                   desk: Desk) -> None:
    shown = to_slots(desk, "HJ-003", ZHANG)  # 居民身份证到期换领: 20 元 工本费
    booked = desk.finish.appointments.book(shown.days[0].date, "PM")
    assert isinstance(booked, s.AppointmentBooked)
    order = desk.finish.payment.start(booked.appointment.number)
    assert isinstance(order, s.ShowPayment)
    assert order.order.amount_yuan == 20.0 and order.order.pay_url.startswith("https://")
    assert order.amount.text() == "应缴金额：20.00 元"
    assert isinstance(desk.finish.payment.poll(order.order), s.PaymentPending)
    runtime.client.demo_pay(order.order.order_id)  # the citizen's phone app pays
    paid = desk.finish.payment.poll(order.order)
    assert isinstance(paid, s.Paid) and paid.order.ebill_number.startswith("41")
    text, _raw, said = printed(runtime, desk, paid.job)
    assert "缴费凭证" in text and paid.order.ebill_number in text and "20.00 元" in text
    assert said.key == "finish.pay.printed"
    # Asking again never charges twice: the paid order comes back.
    again = desk.finish.payment.start(booked.appointment.number)
    assert isinstance(again, s.Paid) and again.order.order_id == order.order.order_id


def test_a_cancelled_payment_and_a_timed_out_one_are_said_and_nothing_is_charged(runtime: KioskRuntime,
                                                                                desk: Desk) -> None:
    shown = to_slots(desk, "HJ-003", WANG)
    booked = desk.finish.appointments.book(shown.days[1].date, "AM")
    assert isinstance(booked, s.AppointmentBooked)
    order = desk.finish.payment.start(booked.appointment.number)
    assert isinstance(order, s.ShowPayment)
    cancelled = desk.finish.payment.cancel(order.order)
    assert isinstance(cancelled, s.PaymentEnded) and cancelled.reason == "cancelled"
    assert runtime.client.payment_state(order.order.order_id).status == "cancelled"
    fresh = desk.finish.payment.start(booked.appointment.number)
    assert isinstance(fresh, s.ShowPayment) and fresh.order.order_id != order.order.order_id
    later = fresh.order.expires_at + dt.timedelta(seconds=1)
    timed_out = desk.finish.payment.poll(fresh.order, now=later)
    assert isinstance(timed_out, s.PaymentEnded) and timed_out.reason == "expired"
    assert runtime.client.payment_state(fresh.order.order_id).status == "cancelled"  # a late payment cannot land


def test_offline_the_fee_is_paid_at_pickup_and_the_receipt_says_so(runtime: KioskRuntime) -> None:
    from kiosk.desk.delivery import receipt_fee_note

    offline = Desk(runtime.config, Services(client=None))
    offline.catalog = runtime.refresh_catalog().catalog
    offline.apply.choose("HJ-003")
    deferred = offline.finish.payment.deferred()
    assert deferred.message.text() == "本机暂时连不上平台，申请已保存在本机；20.00 元费用在领取结果时缴纳。"
    assert receipt_fee_note(offline.session, offline.catalog.item("HJ-003")) == "；费用 20.00 元在领取结果时缴纳"


# -- appointments ---------------------------------------------------------------------------------------
def test_an_appointment_is_booked_on_a_working_day_printed_and_checked_in_by_its_slip(runtime: KioskRuntime,
                                                                                      desk: Desk) -> None:
    shown = to_slots(desk, "MZ-001", ZHANG)
    assert len(shown.days) == 10 and all(DEFAULT_CALENDAR.is_workday(day.date) for day in shown.days)
    assert shown.days[0].date > dt.date.today()
    assert [slot.label for slot in shown.days[0].slots] == ["上午", "下午"]
    day = shown.days[2]
    booked = desk.finish.appointments.book(day.date, "AM")
    assert isinstance(booked, s.AppointmentBooked) and booked.appointment.number.startswith("YY")
    text, raw, said = printed(runtime, desk, booked.job)
    assert "预约凭证" in text and booked.appointment.number in text and "上午 09:00–12:00" in text
    assert "张**" in text and ZHANG not in text
    slip_qr = "GOVKIOSK:A:" + booked.appointment.check_in_code
    assert slip_qr.encode() in raw
    assert said.key == "finish.appt.slip_printed"
    runtime.end_session(desk.end_session())

    # Arriving on the day, a stranger's hands (no identity) scan the slip at home.
    store(runtime).appointment_book.today = lambda: day.date
    try:
        checking = desk.finish.appointments.scanned(slip_qr)
        assert isinstance(checking, s.CheckingIn)
        checked = desk.finish.appointments.check_in(checking.code)
        assert isinstance(checked, s.CheckedIn) and checked.ticket.startswith("Y")
        text, _raw, _said = printed(runtime, desk, checked.job)
        assert "预约优先号" in text and checked.ticket in text and "预约号优先叫号" in text
    finally:
        store(runtime).appointment_book.today = dt.date.today
    assert desk.finish.appointments.scanned("GOVKIOSK:R:ZW20261101000001") is None  # a receipt is not a slip


def test_a_slip_checks_in_only_on_its_day_and_a_changed_one_no_longer(runtime: KioskRuntime, desk: Desk) -> None:
    shown = to_slots(desk, "MZ-001", LI)
    first = desk.finish.appointments.book(shown.days[4].date, "PM")
    assert isinstance(first, s.AppointmentBooked)
    not_today = desk.finish.appointments.check_in(first.appointment.check_in_code)
    assert isinstance(not_today, s.CheckInRefused) and not_today.message.key == "finish.appt.not_today"
    assert shown.days[4].date.isoformat() in not_today.message.text()
    # Booking again changes the booking; the old slip's code is void.
    moved = desk.finish.appointments.book(shown.days[5].date, "AM")
    assert isinstance(moved, s.AppointmentBooked) and moved.message.key == "finish.appt.changed"
    assert moved.appointment.number == first.appointment.number
    void = desk.finish.appointments.check_in(first.appointment.check_in_code)
    assert isinstance(void, s.CheckInRefused) and void.message.key == "finish.appt.unknown_code"
    cancelled = desk.finish.appointments.cancel()
    assert isinstance(cancelled, s.AppointmentCancelled)
    gone = desk.finish.appointments.check_in(moved.appointment.check_in_code)
    assert isinstance(gone, s.CheckInRefused) and gone.message.key == "finish.appt.was_cancelled"


def test_a_full_slot_is_refused_and_shows_none_left(runtime: KioskRuntime, desk: Desk) -> None:
    shown = to_slots(desk, "MZ-001", CHEN)
    day = shown.days[7].date
    for number in range(3):  # three other couples take the morning (the demo capacity is 3)
        store(runtime).db["appointments"].insert({
            "number": f"YY{day:%Y%m%d}{9000 + number}", "item_code": "MZ-001", "point": "JINSHUI-CENTRE",
            "date": day.isoformat(), "slot": "AM", "id_number": WANG, "name": "王小明", "phone": "",
            "status": "booked", "code": f"seeded-code-{number:010d}", "created_at": "", "ticket": ""})
    again = desk.finish.appointments.slots()
    assert isinstance(again, s.ShowSlots)
    morning = next(d for d in again.days if d.date == day).slots[0]
    assert morning.left == 0
    refused = desk.finish.appointments.book(day, "AM")
    assert isinstance(refused, s.AppointmentRefused) and refused.message.key == "finish.appt.slot_full"


def test_offline_appointments_are_not_offered_but_tickets_still_work(runtime: KioskRuntime) -> None:
    offline = Desk(runtime.config, Services(client=None))
    offline.catalog = runtime.refresh_catalog().catalog
    offline.apply.choose("MZ-001")
    unavailable = offline.finish.appointments.slots()
    assert isinstance(unavailable, s.AppointmentsUnavailable)
    assert "暂不能预约" in unavailable.message.text() and "排队取号不受影响" in unavailable.message.text()
    ticket = offline.service.take_ticket("市民政局")
    assert isinstance(ticket, o.TicketIssued) and ticket.offline


# -- 我的办件 -------------------------------------------------------------------------------------------
def test_my_applications_lists_the_citizens_own_with_the_ready_result_without_a_receipt(runtime: KioskRuntime,
                                                                                      desk: Desk) -> None:
    identify(desk)
    shown = desk.finish.mine.load()
    assert isinstance(shown, s.ShowMyApplications)
    ready = [row for row in shown.rows if row.receipt_number == READY]
    assert ready and ready[0].ready and ready[0].item_name == "户籍证明开具"
    assert shown.ready_count >= 1
    assert ready[0].status.text() == "可以领取" or ready[0].status.key == "desk.status.ready"
    others = {row.receipt_number for row in shown.rows}
    assert "ZW20261101000002" not in others or all(r.receipt_number != "" for r in shown.rows)
    desk.end_session()
    identify(desk, WANG)
    wang = desk.finish.mine.load()
    assert isinstance(wang, s.ShowMyApplications) and READY not in {r.receipt_number for r in wang.rows}


def test_my_applications_need_a_verified_identity(desk: Desk) -> None:
    desk.identity.need = Level.CLAIMED
    assert isinstance(desk.identity.typed(ZHANG), o.Identified)
    refused = desk.finish.mine.load()
    assert isinstance(refused, s.MyApplicationsRefused) and refused.message.key == "identify.typed_not_enough"


# -- complete office guides --------------------------------------------------------------------------------
def test_the_demo_catalog_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "check", str(DATA_DIR / "catalog.json")]) == 0
    assert "ok (20 items)" in capsys.readouterr().out


def write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("promised", [5, 6])
def test_a_promise_equal_to_or_longer_than_the_law_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               promised: int) -> None:
    raw = copy.deepcopy(RAW_CATALOG)
    hukou = next(item for item in raw["items"] if item["code"] == "HJ-001")
    assert hukou["guide"]["legal_limit_days"] == 5
    hukou["guide"]["promised_limit_days"] = promised
    assert main(["catalog", "check", str(write(tmp_path, raw))]) == 1
    assert f"item HJ-001: guide: the promised time limit ({promised} working days) must be shorter " \
           "than the legal time limit (5)" in capsys.readouterr().out


def test_a_guide_without_review_standard_inquiry_or_remedy_is_refused(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    raw = copy.deepcopy(RAW_CATALOG)
    hukou = next(item for item in raw["items"] if item["code"] == "HJ-001")
    for key in ("review_standard", "inquiry_channels", "remedy"):
        del hukou["guide"][key]
    assert main(["catalog", "check", str(write(tmp_path, raw))]) == 1
    out = capsys.readouterr().out
    for field in ("guide.review_standard: 审查标准", "guide.inquiry_channels: 查询渠道", "guide.remedy: 救济途径"):
        assert f"item HJ-001: {field}" in out
    assert "3 problem(s)" in out


@pytest.mark.parametrize("vague", ["其他有效证件", "相关证明文件", "部门要求的其他文件", "其它材料", "有关资料",
                                   "身份证等证件", "视情况提供的证明", "审批部门认为需要的材料"])
def test_vague_materials_are_refused(vague: str) -> None:
    with pytest.raises(ValueError, match="is vague"):
        Material(name=vague)


def test_every_vague_phrase_is_refused_and_exact_names_pass() -> None:
    for word in VAGUE_MATERIAL_WORDS:
        with pytest.raises(ValueError, match="is vague"):
            Material(name=f"申请人{word}")
    exact = {m["name"] for item in RAW_CATALOG["items"] for m in item["guide"].get("materials", [])}
    exact |= {"出生医学证明", "不动产权证书", "结婚证", "离婚证", "本人及配偶无房证明", "营业执照副本"}
    for name in exact:
        assert Material(name=name).name == name


def test_a_materials_sample_is_in_the_served_catalog(desk: Desk) -> None:
    hukou = desk.catalog.item("HJ-001")
    samples = {m.name: m.sample for m in hukou.guide.materials}
    assert "户主页" in samples["居民户口簿"]
    assert hukou.guide.review_standard and hukou.guide.inquiry_channels and "行政复议" in hukou.guide.remedy
