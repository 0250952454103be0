"""The issue #6 endpoints of the sandbox over real HTTP on loopback, through the kiosk's own client."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from kiosk.platform_client import PlatformClient, PlatformError, new_idempotency_key
from kiosk.rules.bundles import effective_item
from kiosk.rules.materials import check_materials
from kiosk.sandbox.server import EmbeddedSandbox

ZJG, LXY, WXM, CJ = "410105195003152015", "410102194811023023", "410305199007204512", "110101198501010025"
READY, IN_PROGRESS = "ZW20261101000001", "ZW20261101000002"




def body(item_code: str, id_number: str = WXM, name: str = "王小明", **extra) -> dict:
    return {"item_code": item_code, "applicant": {"id_number": id_number, "name": name, "phone": ""},
            "form": {}, "materials_present": [], "channel": "kiosk", **extra}


def test_eligibility_refuses_commitment_for_bad_credit_and_false_commitment(client: PlatformClient) -> None:
    good = client.eligibility(ZJG, "HJ-001")
    assert good.commitment_offered and good.reason == "offered" and good.credit_ok
    chen = client.eligibility(CJ, "HJ-001")  # 陈静 has a bad credit record
    assert not chen.commitment_offered and chen.reason == "bad_credit" and not chen.credit_ok
    li = client.eligibility(LXY, "HJ-001")  # 李秀英 made a false commitment before
    assert not li.commitment_offered and li.reason == "false_commitment"
    assert client.eligibility(ZJG, "GJJ-002").reason == "not_listed"


def test_eligibility_names_the_materials_the_platform_fetches_for_this_citizen(client: PlatformClient) -> None:
    assert client.eligibility(WXM, "GJJ-002").shared_materials == ("本人及配偶无房证明",)
    assert client.eligibility(CJ, "GJJ-002").shared_materials == ()  # not in the sharing platform for her
    assert client.eligibility(WXM, "YJS-002").shared_materials == ("退休审批信息",)  # bundle: merged materials
    with pytest.raises(PlatformError) as caught:
        client.eligibility("110101199003070011", "HJ-001")
    assert caught.value.status == 404 and "1101**********0011" in str(caught.value)


@pytest.mark.parametrize("code", ["SB-001", "YB-001", "GJJ-001", "SW-001", "BDC-001", "ZX-001"])
def test_every_personal_query_item_answers_for_every_demo_citizen(client: PlatformClient, code: str) -> None:
    for person in (ZJG, LXY, WXM, CJ):
        result = client.query(code, new_idempotency_key(), id_number=person)
        assert result.item_code == code and result.rows and result.title
        assert len(result.verification_code) == 14 and dt.datetime.fromisoformat(result.issued_at)


def test_a_query_is_idempotent_and_an_unknown_person_is_a_clear_404(client: PlatformClient) -> None:
    key = new_idempotency_key()
    first = client.query("GJJ-001", key, id_number=WXM)
    assert first == client.query("GJJ-001", key, id_number=WXM)
    assert first.table_headers == ("年月", "缴存额（元）") and len(first.table_rows) == 6
    with pytest.raises(PlatformError) as caught:
        client.query("GJJ-001", key, id_number=ZJG)
    assert caught.value.status == 422
    with pytest.raises(PlatformError) as caught:
        client.query("SB-001", new_idempotency_key(), id_number="110101199003070011")
    assert caught.value.status == 404 and "no citizen" in str(caught.value)
    with pytest.raises(PlatformError) as caught:
        client.query("HJ-001", new_idempotency_key(), id_number=WXM)
    assert caught.value.status == 422 and "not a query-and-print item" in str(caught.value)


def test_enterprise_credit_report_by_credit_code(client: PlatformClient) -> None:
    report = client.query("ZX-002", new_idempotency_key(), credit_code="91410105MA9K3F7T28")
    assert report.subject_name == "郑州市金水区惠民便利店有限公司"
    with pytest.raises(PlatformError) as caught:
        client.query("ZX-002", new_idempotency_key(), credit_code="91410100MA46Q8XR4Y")
    assert caught.value.status == 404 and "business licence" in str(caught.value)


def test_seeded_progress_and_pickup_only_for_the_applicant(client: PlatformClient, sandbox: EmbeddedSandbox) -> None:
    ready = client.application_progress(READY)
    assert ready.status == "ready" and ready.ready_for_pickup and len(ready.history) == 4
    assert [step.status for step in ready.history] == ["accepted", "reviewing", "approved", "ready"]
    with pytest.raises(PlatformError) as caught:
        client.pickup(READY, WXM)  # someone else's ID card
    assert caught.value.status == 403 and "not the applicant" in str(caught.value)
    picked = client.pickup(READY, ZJG)
    assert picked.document.title == "户籍证明" and dict(picked.document.rows)["证明用途"] == "出国（境）"
    assert client.application_progress(READY).status == "picked_up"
    again = client.pickup(READY, ZJG)  # a reprint after a paper jam: the same paper
    assert again.document.verification_code == picked.document.verification_code
    assert sandbox.app.state.store.db["pickups"].count == 2

    waiting = client.application_progress(IN_PROGRESS)
    assert waiting.status == "reviewing" and not waiting.ready_for_pickup
    with pytest.raises(PlatformError) as caught:
        client.pickup(IN_PROGRESS, WXM)
    assert caught.value.status == 409 and "not ready" in str(caught.value)


def test_a_bundle_gets_one_receipt_per_member_and_a_bundle_receipt(client: PlatformClient,
                                                                  sandbox: EmbeddedSandbox) -> None:
    key = new_idempotency_key()
    application = body("YJS-001", form={"child_name": "王小宝", "phone": "18612345602", "settle_with": "随父"})
    submission = client.submit_application(application, key)
    assert [m.item_code for m in submission.members] == ["WJ-001", "HJ-002", "YB-002", "SB-002"]
    numbers = [submission.receipt_number, *(m.receipt_number for m in submission.members)]
    assert len(set(numbers)) == 5
    assert client.submit_application(application, key) == submission  # a retry: nothing recorded twice
    progress = client.application_progress(submission.receipt_number)
    assert [m.receipt_number for m in progress.members] == numbers[1:]
    member = client.application_progress(submission.members[1].receipt_number)
    assert member.item_code == "HJ-002" and member.bundle_receipt == submission.receipt_number
    stored = sandbox.app.state.store.application(submission.members[1].receipt_number)
    assert '"settle_with": "随父"' in stored["body"] and "phone" in stored["body"]
    assert "mail_address" not in stored["body"]


def test_waiver_and_pledge_are_recorded_and_rechecked_by_the_platform(client: PlatformClient,
                                                                      sandbox: EmbeddedSandbox) -> None:
    catalog = client.catalog().catalog
    assert catalog is not None
    item = effective_item(catalog, "GJJ-002")
    check = check_materials(item, ["居民身份证", "本人名下银行借记卡"], today=dt.date.today())
    waiver = client.submit_application(
        body("GJJ-002", materials_present=["居民身份证", "本人名下银行借记卡"], commitment=check.commitment_record()),
        new_idempotency_key())
    assert waiver.acceptance == "waiver"
    row = sandbox.app.state.store.application(waiver.receipt_number)
    assert "房屋租赁合同" in row["commitment"] and "本人名下银行借记卡" in row["materials_present"]

    with pytest.raises(PlatformError) as caught:  # the bank card is a main material: no waiver
        client.submit_application(body("GJJ-002", materials_present=["居民身份证"],
                                       commitment={"kind": "waiver"}), new_idempotency_key())
    assert caught.value.status == 422 and "本人名下银行借记卡" in str(caught.value)

    pledge = client.submit_application(
        body("HJ-001", ZJG, "张建国", materials_present=["居民身份证"], commitment={"kind": "pledge"}),
        new_idempotency_key())
    assert pledge.acceptance == "pledge"
    with pytest.raises(PlatformError) as caught:  # 陈静: bad credit, the platform refuses the pledge too
        client.submit_application(body("HJ-001", CJ, "陈静", materials_present=["居民身份证"],
                                       commitment={"kind": "pledge"}), new_idempotency_key())
    assert caught.value.status == 422 and "bad_credit" in str(caught.value)


def test_queue_tickets_count_up_per_department(client: PlatformClient) -> None:
    first = client.take_ticket("市住房公积金管理中心")
    second = client.take_ticket("市住房公积金管理中心")
    assert first.number[0] == second.number[0] and int(second.number[1:]) == int(first.number[1:]) + 1
    assert second.waiting == first.waiting + 1
    with pytest.raises(PlatformError) as caught:
        client.take_ticket("不存在的部门")
    assert caught.value.status == 422 and "unknown department" in str(caught.value)


def test_the_new_endpoints_are_in_the_published_openapi(sandbox: EmbeddedSandbox) -> None:
    paths = set(requests.get(f"{sandbox.url}/openapi.json", timeout=5).json()["paths"])
    assert {"/v1/citizens/{id_number}/eligibility", "/v1/queries", "/v1/applications/{receipt_number}/pickup",
            "/v1/queue/tickets", "/v1/applications/{receipt_number}", "/v1/ratings"} <= paths
