"""The issue #6 endpoints of the sandbox over real HTTP on loopback, through the kiosk's own client, with
the platform enforcing verification proofs (each request carries the person's proof, as the desk sends it);
and the kiosk's rules checked against the platform's independent judge (kiosk/sandbox/judge.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import requests

from kiosk.catalog import load_catalog_file
from kiosk.platform_client import PlatformClient, PlatformError, new_idempotency_key
from kiosk.rules.bundles import effective_item
from kiosk.rules.commitment import ApplicantStanding, commitment_offer
from kiosk.rules.materials import check_materials
from kiosk.sandbox import judge
from kiosk.sandbox.server import EmbeddedSandbox
from kiosk.sandbox.store import DATA_DIR

ZJG, LXY, WXM, CJ = "410105195003152015", "410102194811023023", "410305199007204512", "110101198501010025"
READY, IN_PROGRESS = "ZW20261101000001", "ZW20261101000002"
DEVICE = "KIOSK-TEST-07"  # the conftest client's device id


@pytest.fixture(autouse=True)
def enforced(sandbox: EmbeddedSandbox) -> None:
    sandbox.app.state.identity.enforce = True


def proof(sandbox: EmbeddedSandbox, id_number: str) -> str:
    """The proof the platform would have issued after this person's face check at the test kiosk."""
    return sandbox.app.state.identity.issue(id_number, DEVICE, "face").proof



FORMS = {"GJJ-002": {"phone": "18612345602", "amount": "1500.00"}, "HJ-001": {"phone": "18612345602", "purpose": "就业"}}


def body(item_code: str, id_number: str = WXM, name: str = "王小明", **extra) -> dict:
    return {"item_code": item_code, "applicant": {"id_number": id_number, "name": name, "phone": ""},
            "form": FORMS.get(item_code, {}), "materials_present": [], "channel": "kiosk", **extra}


def test_eligibility_refuses_commitment_with_a_neutral_public_reason(client: PlatformClient,
                                                                       sandbox: EmbeddedSandbox) -> None:
    good = client.eligibility(ZJG, "HJ-001", proof=proof(sandbox, ZJG))
    assert good.commitment_offered and good.reason == "offered" and good.credit_ok and not good.private_reason
    chen = client.eligibility(CJ, "HJ-001", proof=proof(sandbox, CJ))  # 陈静 has a bad credit record
    assert not chen.commitment_offered and chen.reason == "not_offered" and not chen.credit_ok
    assert chen.private_reason == "bad_credit" and "失信" in chen.private_detail  # for her own slip only
    li = client.eligibility(LXY, "HJ-001", proof=proof(sandbox, LXY))  # 李秀英 made a false commitment before
    assert li.reason == "not_offered" and li.private_reason == "false_commitment" and "承诺不实" in li.private_detail
    listed = client.eligibility(ZJG, "GJJ-002", proof=proof(sandbox, ZJG))
    assert listed.reason == "not_listed" and not listed.private_reason


def test_eligibility_names_the_materials_the_platform_fetches_for_this_citizen(client: PlatformClient,
                                                                              sandbox: EmbeddedSandbox) -> None:
    assert client.eligibility(WXM, "GJJ-002", proof=proof(sandbox, WXM)).shared_materials == ("本人及配偶无房证明",)
    # not in the sharing platform for her
    assert client.eligibility(CJ, "GJJ-002", proof=proof(sandbox, CJ)).shared_materials == ()
    bundle = client.eligibility(WXM, "YJS-002", proof=proof(sandbox, WXM))  # bundle: every member's materials
    assert bundle.shared_materials == ("退休审批信息",)
    unknown = "110101199003070011"
    with pytest.raises(PlatformError) as caught:
        client.eligibility(unknown, "HJ-001", proof=proof(sandbox, unknown))
    assert caught.value.status == 404 and "1101**********0011" in str(caught.value)


@pytest.mark.parametrize("code", ["SB-001", "YB-001", "GJJ-001", "SW-001", "BDC-001", "ZX-001"])
def test_every_personal_query_item_answers_for_every_demo_citizen(client: PlatformClient, sandbox: EmbeddedSandbox,
                                                                  code: str) -> None:
    for person in (ZJG, LXY, WXM, CJ):
        result = client.query(code, new_idempotency_key(), id_number=person, proof=proof(sandbox, person))
        assert result.item_code == code and result.rows and result.title
        assert len(result.verification_code) == 14 and dt.datetime.fromisoformat(result.issued_at)


def test_a_query_is_idempotent_and_an_unknown_person_is_a_clear_404(client: PlatformClient,
                                                                   sandbox: EmbeddedSandbox) -> None:
    key = new_idempotency_key()
    first = client.query("GJJ-001", key, id_number=WXM, proof=proof(sandbox, WXM))
    assert first == client.query("GJJ-001", key, id_number=WXM, proof=proof(sandbox, WXM))
    assert first.table_headers == ("年月", "缴存额（元）") and len(first.table_rows) == 6
    with pytest.raises(PlatformError) as caught:
        client.query("GJJ-001", key, id_number=ZJG, proof=proof(sandbox, ZJG))
    assert caught.value.status == 422
    unknown = "110101199003070011"
    with pytest.raises(PlatformError) as caught:
        client.query("SB-001", new_idempotency_key(), id_number=unknown, proof=proof(sandbox, unknown))
    assert caught.value.status == 404 and "no citizen" in str(caught.value)
    with pytest.raises(PlatformError) as caught:
        client.query("HJ-001", new_idempotency_key(), id_number=WXM, proof=proof(sandbox, WXM))
    assert caught.value.status == 422 and "not a query-and-print item" in str(caught.value)


def test_enterprise_credit_report_for_its_representative_and_its_agent(client: PlatformClient,
                                                                        sandbox: EmbeddedSandbox) -> None:
    shop = "91410105MA9K3F7T28"  # legal representative 王小明, authorised agent 张建国
    for person in (WXM, ZJG):
        report = client.query("ZX-002", new_idempotency_key(), id_number=person, credit_code=shop,
                              proof=proof(sandbox, person))
        assert report.subject_name == "郑州市金水区惠民便利店有限公司"
    with pytest.raises(PlatformError) as caught:
        client.query("ZX-002", new_idempotency_key(), id_number=WXM, credit_code="91410100MA46Q8XR4Y",
                     proof=proof(sandbox, WXM))
    assert caught.value.status == 403 and caught.value.problem_type.endswith("not-authorised-for-enterprise")


def test_seeded_progress_and_pickup_only_for_the_applicant(client: PlatformClient, sandbox: EmbeddedSandbox) -> None:
    ready = client.application_progress(READY)
    assert ready.status == "ready" and ready.ready_for_pickup and len(ready.history) == 4
    assert [step.status for step in ready.history] == ["accepted", "reviewing", "approved", "ready"]
    with pytest.raises(PlatformError) as caught:
        client.pickup(READY, WXM, proof=proof(sandbox, WXM))  # someone else, verified as themselves
    assert caught.value.status == 403 and "not the applicant" in str(caught.value)
    with pytest.raises(PlatformError) as caught:
        client.pickup(READY, ZJG, proof=proof(sandbox, WXM))  # the applicant's number with another's proof
    assert caught.value.status == 403 and caught.value.required_level == "verified"
    picked = client.pickup(READY, ZJG, proof=proof(sandbox, ZJG))
    assert picked.document.title == "户籍证明" and dict(picked.document.rows)["证明用途"] == "出国（境）"
    assert client.application_progress(READY).status == "picked_up"
    again = client.pickup(READY, ZJG, proof=proof(sandbox, ZJG))  # a reprint after a paper jam: the same paper
    assert again.document.verification_code == picked.document.verification_code
    assert sandbox.app.state.store.db["pickups"].count == 2

    waiting = client.application_progress(IN_PROGRESS)
    assert waiting.status == "reviewing" and not waiting.ready_for_pickup
    with pytest.raises(PlatformError) as caught:
        client.pickup(IN_PROGRESS, WXM, proof=proof(sandbox, WXM))
    assert caught.value.status == 409 and "not ready" in str(caught.value)


def test_a_bundle_gets_one_receipt_per_member_and_a_bundle_receipt(client: PlatformClient,
                                                                  sandbox: EmbeddedSandbox) -> None:
    key = new_idempotency_key()
    application = body("YJS-001", form={"child_name": "王小宝", "child_birth_date": "2026-10-01", "child_sex": "男",
                                           "phone": "18612345602", "settle_with": "随父"})
    submission = client.submit_application(application, key, proof=proof(sandbox, WXM))
    assert [m.item_code for m in submission.members] == ["WJ-001", "HJ-002", "YB-002", "SB-002"]
    numbers = [submission.receipt_number, *(m.receipt_number for m in submission.members)]
    assert len(set(numbers)) == 5
    again = client.submit_application(application, key, proof=proof(sandbox, WXM))
    assert again == submission  # a retry: nothing recorded twice
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
        new_idempotency_key(), proof=proof(sandbox, WXM))
    assert waiver.acceptance == "waiver"
    row = sandbox.app.state.store.application(waiver.receipt_number)
    assert "房屋租赁合同" in row["commitment"] and "本人名下银行借记卡" in row["materials_present"]

    with pytest.raises(PlatformError) as caught:  # the bank card is a main material: no waiver
        client.submit_application(body("GJJ-002", materials_present=["居民身份证"],
                                       commitment={"kind": "waiver"}), new_idempotency_key(),
                                  proof=proof(sandbox, WXM))
    assert caught.value.status == 422 and "本人名下银行借记卡" in str(caught.value)

    pledge = client.submit_application(
        body("HJ-001", ZJG, "张建国", materials_present=["居民身份证"], commitment={"kind": "pledge"}),
        new_idempotency_key(), proof=proof(sandbox, ZJG))
    assert pledge.acceptance == "pledge"
    with pytest.raises(PlatformError) as caught:  # 陈静: bad credit, the platform refuses the pledge too
        client.submit_application(body("HJ-001", CJ, "陈静", materials_present=["居民身份证"],
                                       commitment={"kind": "pledge"}), new_idempotency_key(),
                                  proof=proof(sandbox, CJ))
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
    spec = requests.get(f"{sandbox.url}/openapi.json", timeout=5).json()
    paths = set(spec["paths"])
    assert {"/v1/eligibility", "/v1/queries", "/v1/pickups", "/v1/identity/verify", "/v1/identity/face",
            "/v1/queue/tickets", "/v1/applications/{receipt_number}", "/v1/ratings"} <= paths
    in_urls = {parameter["name"] for operations in spec["paths"].values() for operation in operations.values()
               for parameter in operation.get("parameters", []) if parameter["in"] in ("path", "query")}
    assert not in_urls & {"id_number", "credit_code", "phone", "name"}  # no personal identifier in any URL
    assert "x-verification-proof" in {p["name"] for p in spec["paths"]["/v1/queries"]["post"]["parameters"]}


# -- the kiosk's rules against the platform's own judge --------------------------------------------------------
CATALOG = load_catalog_file(DATA_DIR / "catalog.json")
APPLYABLE = [item.code for item in CATALOG.items if item.kind in ("application", "bundle")]


@pytest.mark.parametrize("code", APPLYABLE)
def test_kiosk_and_platform_judge_every_pile_of_materials_alike(code: str) -> None:
    """Every subset of the item's materials (capped), with and without sharing, waiver and pledge: the kiosk's
    kiosk.rules and the platform's judge reach the same outcome, list the same missing materials and deadline."""
    item = effective_item(CATALOG, code)
    names = [m.name for m in item.guide.materials]
    today = dt.date(2026, 11, 27)  # a Friday: the deadline steps over a weekend
    subsets = itertools.islice(itertools.chain.from_iterable(
        itertools.combinations(names, size) for size in range(len(names) + 1)), 400)
    pledges = (False, True) if item.guide.commitment_allowed else (False,)
    assert judge.allows_commitment(CATALOG, code) == item.guide.commitment_allowed
    for present, pledge in itertools.product(list(subsets), pledges):
        for unshared in ((), tuple(names[:1])):
            fetched = judge.fetchable(CATALOG, code, unshared)
            kiosk = check_materials(item, present, fetched, today=today, pledge=pledge)
            platform = judge.judge_materials(CATALOG, code, present, fetched, pledge=pledge, today=today)
            where = f"{code} with {present}, pledge={pledge}, fetched={fetched}"
            assert platform.acceptance == kiosk.outcome, where
            assert platform.missing == tuple(m.name for m in kiosk.missing), where
            assert platform.supply_by == kiosk.supply_by, where


@pytest.mark.parametrize("code", APPLYABLE)
def test_kiosk_and_platform_agree_on_who_is_offered_a_commitment(code: str) -> None:
    item = effective_item(CATALOG, code)
    for credit_ok, false_commitment in itertools.product((True, False), repeat=2):
        kiosk = commitment_offer(item, ApplicantStanding(credit_ok, false_commitment))
        platform = judge.standing(CATALOG, code, credit_ok, false_commitment)
        assert platform.offered == kiosk.offered
        assert (platform.private_reason or platform.public_reason) == kiosk.reason
        assert platform.public_reason in ("offered", "not_listed", "not_offered")  # never the private fact
    assert judge.promised_days(CATALOG, code) == item.guide.promised_limit_days
