"""Session wipe and the flow rules, without a window."""

from __future__ import annotations

import pytest

from kiosk.catalog import load_catalog_file
from kiosk.flow import FlowError, ServiceFlow
from kiosk.idnumber import IdNumberError
from kiosk.sandbox.store import DATA_DIR
from kiosk.session import Session

DEMO_ID = "410105195003152015"


@pytest.fixture
def catalog():
    return load_catalog_file(DATA_DIR / "catalog.json")


def test_identify_rejects_a_wrong_check_digit_with_a_readable_reason() -> None:
    flow = ServiceFlow(Session())
    with pytest.raises(IdNumberError) as caught:
        flow.identify("410105195003152019")
    assert caught.value.key == "id.error.check_digit"
    assert flow.session.citizen is None


def test_citizen_never_shows_full_number_or_name_in_repr() -> None:
    flow = ServiceFlow(Session())
    citizen = flow.identify(DEMO_ID.lower(), name="张建国", phone="13912345678", source="id_card")
    text = repr(citizen) + str(citizen) + repr(flow.session)
    assert DEMO_ID not in text and "张建国" not in text and "13912345678" not in text
    assert citizen.masked_id == "4101**********2015"


def test_cannot_submit_before_identifying_or_choosing(catalog) -> None:
    flow = ServiceFlow(Session())
    with pytest.raises(FlowError, match="not_identified"):
        flow.application_body()
    flow.identify(DEMO_ID)
    with pytest.raises(FlowError, match="no_item"):
        flow.application_body()
    flow.choose(catalog, "HJ-001")
    assert flow.application_body()["item_code"] == "HJ-001"


def test_a_retry_reuses_the_idempotency_key(catalog) -> None:
    flow = ServiceFlow(Session())
    flow.identify(DEMO_ID, name="张建国")
    flow.choose(catalog, "HJ-001")
    body1, key1 = flow.prepare_submission()
    body2, key2 = flow.prepare_submission()
    assert key1 == key2 and body1 == body2
    flow.choose(catalog, "GJJ-002")  # a different application gets a new key
    assert flow.prepare_submission()[1] != key1


def test_wipe_forgets_everything_and_changes_the_session_id(catalog) -> None:
    session = Session()
    flow = ServiceFlow(session)
    flow.identify(DEMO_ID, name="张建国")
    flow.choose(catalog, "HJ-001")
    flow.prepare_submission()
    session.receipt_number = "ZW20261121000001"
    old_id = session.id
    session.wipe()
    assert session.is_empty and session.id != old_id
    assert session.idempotency_key is None and session.form == {} and not session.submitted


def test_guide_summary_splits_shared_materials_and_shows_the_fee(catalog) -> None:
    summary = ServiceFlow.guide_summary(catalog.item("GJJ-002"))
    assert "本人及配偶无房证明" in summary.materials_shared
    assert "本人及配偶无房证明" not in summary.materials_to_bring
    assert summary.fee_text_key == "guide.fee.free"


def test_rating_levels_are_the_five_national_levels(catalog) -> None:
    flow = ServiceFlow(Session())
    flow.choose(catalog, "SB-001")
    assert flow.rating_body(5)["level"] == 5
    with pytest.raises(FlowError):
        flow.rating_body(6)
