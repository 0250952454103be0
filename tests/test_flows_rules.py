"""The citizen-flow rules of issue #6, without a window: materials and 一次性告知, 容缺, 告知承诺, bundles,
fees, pickup identity and form fields, on the demo catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.catalog import Catalog, FieldError, FormField, load_catalog_file, validate_field
from kiosk.printing.documents import commitment_slip, missing_materials_notice, query_result
from kiosk.printing.escpos import render
from kiosk.printing.profiles import get_profile
from kiosk.rules.bundles import effective_item, merge_bundle
from kiosk.rules.commitment import ApplicantStanding, commitment_offer
from kiosk.rules.fees import fee_display
from kiosk.rules.forms import check_form
from kiosk.rules.materials import check_materials
from kiosk.rules.pickup import check_pickup
from kiosk.rules.workdays import add_working_days
from kiosk.sandbox.store import DATA_DIR

FRIDAY = dt.date(2026, 11, 20)
ZJG = "410105195003152015"
WXM = "410305199007204512"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_file(Path(DATA_DIR / "catalog.json"))


# -- materials: one-time notification and 容缺 ---------------------------------------------------------------
def test_every_missing_material_is_named_at_once_and_the_notice_prints(catalog: Catalog) -> None:
    item = catalog.item("GJJ-002")
    check = check_materials(item, ticked=[], today=FRIDAY)
    assert check.outcome == "refused" and not check.accepted
    # The bank card and the ID card are main materials; the waivable lease is still told in the same notice.
    assert [m.name for m in check.missing] == ["居民身份证", "本人名下银行借记卡", "房屋租赁合同"]
    assert check.fetched == ("本人及配偶无房证明",)  # shared: never asked for
    notice = check.notice(centre_name="金水区政务服务中心", applicant_name="王小明", applicant_id_number=WXM,
                          issued_at=dt.datetime(2026, 11, 20, 9, 30), kiosk_id="KIOSK-07")
    assert [m.name for m in notice.missing] == ["居民身份证", "本人名下银行借记卡", "房屋租赁合同"]
    assert notice.missing[2].requirement == "复印件1份（可容缺后补）"
    printed = render(missing_materials_notice(notice), get_profile("58mm")).decode("gb18030", errors="replace")
    assert "共3项" in printed and "房屋租赁合同" in printed and "可容缺后补" in printed
    assert WXM not in printed  # the builder masks the ID number


def test_only_a_waivable_material_missing_is_accepted_with_a_deadline_and_a_slip(catalog: Catalog) -> None:
    item = catalog.item("GJJ-002")
    check = check_materials(item, ["居民身份证", "本人名下银行借记卡"], today=FRIDAY)
    assert check.outcome == "waiver" and check.accepted
    assert [m.name for m in check.to_supply_later] == ["房屋租赁合同"]
    assert check.supply_days == 5 and check.supply_by == dt.date(2026, 11, 27)  # five working days, no weekend
    assert check.consequence_key == "flows.materials.withdrawn"
    assert check.commitment_record() == {"kind": "waiver", "missing": ["房屋租赁合同"], "supply_by": "2026-11-27"}
    slip = check.slip(centre_name="中心", receipt_number="ZW20261120000001", applicant_name="王小明",
                      applicant_id_number=WXM, issued_at=dt.datetime(2026, 11, 20, 9, 30), qr_payload="ZW:1",
                      kiosk_id="K-07")
    assert slip.kind == "waiver" and slip.deadline == dt.date(2026, 11, 27)
    printed = render(commitment_slip(slip), get_profile("80mm")).decode("gb18030", errors="replace")
    assert "房屋租赁合同" in printed and "2026年11月27日" in printed and "视为申请人撤回申请" in printed


def test_complete_materials_and_a_shared_material_the_platform_cannot_fetch(catalog: Catalog) -> None:
    item = catalog.item("GJJ-002")
    everything = ["居民身份证", "本人名下银行借记卡", "房屋租赁合同"]
    assert check_materials(item, everything, today=FRIDAY).outcome == "complete"
    # The platform said it cannot fetch the no-house certificate for this citizen: now it is missing and main.
    check = check_materials(item, everything, fetched=[], today=FRIDAY)
    assert check.outcome == "refused" and [m.name for m in check.missing] == ["本人及配偶无房证明"]


def test_working_days_skip_weekends_and_given_holidays() -> None:
    assert add_working_days(FRIDAY, 1) == dt.date(2026, 11, 23)
    assert add_working_days(FRIDAY, 1, holidays={dt.date(2026, 11, 23)}) == dt.date(2026, 11, 24)


# -- 告知承诺 --------------------------------------------------------------------------------------------------
def test_commitment_is_offered_only_where_listed_and_to_applicants_in_good_standing(catalog: Catalog) -> None:
    household = catalog.item("HJ-001")
    good = commitment_offer(household, ApplicantStanding(credit_ok=True, false_commitment=False))
    assert good.offered and "承诺" in good.commitment_text and "信用" in good.consequence_text
    bad_credit = commitment_offer(household, ApplicantStanding(credit_ok=False))  # 陈静
    assert not bad_credit.offered and bad_credit.reason_key == "flows.commitment.bad_credit"
    false_before = commitment_offer(household, ApplicantStanding(credit_ok=True, false_commitment=True))
    assert not false_before.offered and false_before.reason == "false_commitment"
    assert commitment_offer(household, None).reason == "unchecked"  # offline: no credit check, no offer
    assert commitment_offer(catalog.item("GJJ-002"), ApplicantStanding()).reason == "not_listed"


def test_under_a_commitment_the_pledgeable_material_may_follow(catalog: Catalog) -> None:
    household = catalog.item("HJ-001")
    without = check_materials(household, ["居民身份证"], today=FRIDAY)
    assert without.outcome == "refused" and [m.name for m in without.missing] == ["居民户口簿"]
    pledged = check_materials(household, ["居民身份证"], today=FRIDAY, pledge=True)
    assert pledged.outcome == "pledge" and pledged.supply_by is not None
    assert pledged.slip(centre_name="c", receipt_number="ZW1", applicant_name="", applicant_id_number=ZJG,
                        issued_at=dt.datetime(2026, 11, 20, 10, 0), qr_payload="q", kiosk_id="k").kind == "pledge"
    with pytest.raises(ValueError, match="GJJ-002 does not allow"):
        check_materials(catalog.item("GJJ-002"), [], today=FRIDAY, pledge=True)


# -- bundles ---------------------------------------------------------------------------------------------------
def test_newborn_bundle_asks_each_field_once_and_keeps_the_strictest_material(catalog: Catalog) -> None:
    merged = merge_bundle(catalog, catalog.item("YJS-001"))
    assert merged.member_codes == ("WJ-001", "HJ-002", "YB-002", "SB-002")
    keys = [f.key for f in merged.item.fields]
    assert len(keys) == len(set(keys)) and {"child_name", "child_birth_date", "phone", "settle_with"} <= set(keys)
    materials = {m.name: m for m in merged.item.guide.materials}
    assert len(materials) == len(merged.item.guide.materials)
    ids = materials["父母双方居民身份证"]  # original x2 (出生证明, 入户) beats copy x1 (医保, 社保卡)
    assert (ids.form, ids.count, ids.required) == ("original", 2, True)
    household = materials["居民户口簿"]  # original for 入户, copy for 医保
    assert household.form == "original"
    assert materials["父母结婚证"].waivable  # waivable in the only member that asks for it
    assert materials["出生医学证明"].shared
    assert merged.item.guide.promised_limit_days == 10  # the slowest member


def test_a_material_waivable_in_one_member_but_not_another_is_not_waivable() -> None:
    from kiosk.catalog import Material
    from kiosk.rules.bundles import merge_materials

    merged = merge_materials([(Material(name="房屋租赁合同", form="copy", waivable=True),),
                              (Material(name="房屋租赁合同", form="original", count=2),)])
    assert merged == (Material(name="房屋租赁合同", form="original", count=2, waivable=False),)


def test_the_bundle_is_checked_as_one_set_of_materials(catalog: Catalog) -> None:
    item = effective_item(catalog, "YJS-002")
    check = check_materials(item, ["居民身份证"], today=FRIDAY)
    assert check.outcome == "refused"
    assert [m.name for m in check.missing] == ["社会保障卡", "本人名下银行借记卡"]


# -- fees ------------------------------------------------------------------------------------------------------
def test_the_fee_and_its_legal_basis_are_shown_before_committing(catalog: Catalog) -> None:
    paid = fee_display(catalog.item("HJ-003"))
    assert not paid.free and paid.must_confirm and paid.amount_text == "20.00"
    assert "2322号" in paid.basis
    assert paid.lines("zh_CN") == ["收费：20.00元", f"收费依据：{paid.basis}", "本机暂不能缴费，请到窗口缴纳"]
    free = fee_display(catalog.item("SB-001"))
    assert free.free and not free.must_confirm and free.lines("zh_CN") == ["本事项不收费"]


# -- pickup ----------------------------------------------------------------------------------------------------
def test_a_result_is_printed_only_for_the_applicant() -> None:
    assert check_pickup(ZJG, ZJG).allowed
    assert check_pickup(ZJG, " 410105 19500315 2015\n").allowed  # as a scanner or a typist gives it
    other = check_pickup(ZJG, WXM)
    assert not other.allowed and other.reason_key == "flows.pickup.not_applicant"
    assert check_pickup(ZJG, "410105195003152019").reason == "invalid_id"  # wrong check digit
    assert check_pickup(ZJG, ZJG, status="reviewing").reason == "not_ready"
    assert check_pickup("110101198501010025", "110101198501010025", status="picked_up").allowed  # reprint


# -- form fields -----------------------------------------------------------------------------------------------
def test_fields_are_normalised_or_refused_with_an_i18n_key() -> None:
    today = dt.date(2026, 11, 21)
    amount = FormField(key="amount", label="金额", type="amount", min_amount=1, max_amount=50000)
    assert validate_field(amount, "１，５００") == "1500.00"
    assert validate_field(amount, "¥1500.5元") == "1500.50"
    with pytest.raises(FieldError) as caught:
        validate_field(amount, "60000")
    assert caught.value.key == "flows.field.amount_range" and caught.value.field == "amount"
    with pytest.raises(FieldError, match="flows.field.amount"):
        validate_field(amount, "12.345")
    date = FormField(key="date", label="预约日期", type="date", date_range="future")
    assert validate_field(date, "2026年12月1日", today) == "2026-12-01"
    with pytest.raises(FieldError, match="date_future"):
        validate_field(date, "2026-11-21", today)
    phone = FormField(key="phone", label="电话", type="phone")
    assert validate_field(phone, "139 1234 5678") == "13912345678"
    assert validate_field(phone, "0371-65551234") == "0371-65551234"
    with pytest.raises(FieldError, match="flows.field.phone"):
        validate_field(phone, "12345")
    ident = FormField(key="id", label="身份证号", type="id_number")
    assert validate_field(ident, "41010519500315201x".upper()[:17] + "5") == ZJG
    with pytest.raises(FieldError) as caught:
        validate_field(ident, "410105195003152019")
    assert caught.value.key == "id.error.check_digit"
    code = FormField(key="credit_code", label="统一社会信用代码", type="credit_code")
    assert validate_field(code, "91410105ma9k3f7t28") == "91410105MA9K3F7T28"
    with pytest.raises(FieldError) as caught:
        validate_field(code, "91410105MA9K3F7T29")
    assert caught.value.key == "creditcode.error.check_digit"
    choice = FormField(key="purpose", label="用途", type="choice", choices=("就业", "入学"))
    with pytest.raises(FieldError, match="flows.field.choice"):
        validate_field(choice, "旅游")
    with pytest.raises(FieldError, match="flows.field.required"):
        validate_field(FormField(key="note", label="备注", type="text"), "  ")
    assert validate_field(FormField(key="note", label="备注", type="text", required=False), "") == ""


def test_a_whole_form_reports_every_problem_together(catalog: Catalog) -> None:
    check = check_form(catalog.item("GJJ-002"), {"phone": "123", "amount": "abc", "colour": "red"})
    assert not check.ok and set(check.errors) == {"phone", "amount", "colour"}
    assert check.errors["colour"].key == "flows.field.unknown"
    good = check_form(catalog.item("GJJ-002"), {"phone": "13912345678", "amount": "1500"})
    assert good.ok and good.values == {"phone": "13912345678", "amount": "1500.00"}


def test_every_key_a_rule_returns_has_both_translations() -> None:
    from kiosk.i18n import PLURAL_SEPARATOR
    from kiosk.i18n import catalog as messages

    zh, en = messages("zh_CN"), messages("en")
    # "flows.material.form.copy#1": English's second plural form, which Chinese does not have.
    flows = {key for key in zh if key.startswith("flows.") and PLURAL_SEPARATOR not in key}
    assert flows and flows == {key for key in en if key.startswith("flows.") and PLURAL_SEPARATOR not in key}
    for key in ("flows.commitment.bad_credit", "flows.pickup.not_applicant", "flows.materials.withdrawn",
                "flows.fee.pay_at_window", "flows.field.amount_range"):
        assert key in zh


def test_query_result_builder_accepts_a_platform_document() -> None:
    from kiosk.platform_client import ResultDocument
    from kiosk.rules.queries import printable

    document = ResultDocument(item_code="SB-001", title="社会保险个人参保证明", rows=(("参保状态", "正常缴费"),),
                              verification_code="ABCD-EFGH-JKLM", issued_at="2026-11-20T09:30:00+08:00")
    result = printable(document, centre_name="中心", kiosk_id="K-07", applicant_id_number=WXM)
    assert ("验证码", "ABCD-EFGH-JKLM") in result.fields and result.queried_at.hour == 9
    assert query_result(result).name == "query-result"
