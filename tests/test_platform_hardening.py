"""The hardened sandbox over real HTTP on loopback (issue #14): one form contract on both sides, problem bodies
that name the field, body limits before reading, pydantic everywhere (422, never 500), a device writes only its
own heartbeat, Idempotency-Key on every POST, and a refused application that is never silent on the kiosk."""

from __future__ import annotations

import json
import resource
import uuid
from pathlib import Path

import pytest
import requests

from kiosk.catalog import load_catalog_file
from kiosk.health import heartbeat_body
from kiosk.platform_client import PlatformClient, PlatformError
from kiosk.rules.forms import check_form
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.sandbox.idempotency import IdempotencySettings
from kiosk.sandbox.server import EmbeddedSandbox
from kiosk.sandbox.store import DATA_DIR
from kiosk.signing import HmacSigner

ZJG = {"id_number": "410105195003152015", "name": "张建国"}
DEVICE = "KIOSK-TEST-07"


def proof_for(sandbox: EmbeddedSandbox, device: str = DEVICE) -> str:
    """张建国's verification proof, as the platform issues it after a face check (kiosk/sandbox/identity.py)."""
    return sandbox.app.state.identity.issue(ZJG["id_number"], device, "face").proof


def signed(device: str = DEVICE) -> requests.Session:
    session = requests.Session()
    session.auth = HmacSigner(device, DEMO_DEVICE_SECRET)
    session.headers["X-Kiosk-Device"] = device
    return session


def post(session: requests.Session, url: str, *, key: str | None = "new", **kwargs) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if key is not None:
        headers["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
    return session.post(url, headers=headers, timeout=30, **kwargs)


def assert_problem(response: requests.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem) and problem["status"] == status
    if field is not None:
        assert problem.get("field") == field, problem
    return problem


# -- one contract for form fields --------------------------------------------------------------------------------
def test_a_landline_the_kiosk_accepts_is_accepted_by_the_platform(client: PlatformClient,
                                                                  sandbox: EmbeddedSandbox) -> None:
    catalog = load_catalog_file(DATA_DIR / "catalog.json")
    check = check_form(catalog.item("HJ-001"), {"phone": "0371 6555 1234", "purpose": "就业"})
    assert check.ok and check.values["phone"] == "0371-65551234"
    body = {"item_code": "HJ-001", "applicant": {**ZJG, "phone": check.values["phone"]}, "form": check.values,
            "materials_present": ["居民身份证", "居民户口簿"], "channel": "kiosk"}
    submission = client.submit_application(body, str(uuid.uuid4()), proof=proof_for(sandbox))
    assert submission.receipt_number.startswith("ZW")


def test_the_served_catalog_carries_each_fields_type_and_pattern(client: PlatformClient) -> None:
    raw = client.catalog().raw
    assert raw is not None
    phone = next(f for item in raw["items"] for f in item["fields"] if f["type"] == "phone")
    assert phone["pattern"] and "0(?:10|2[0-9]" in phone["pattern"]  # landlines are part of the contract
    amount = next(f for item in raw["items"] for f in item["fields"] if f["type"] == "amount")
    assert {"min_amount", "max_amount", "pattern"} <= set(amount)


def test_a_bad_form_value_is_a_problem_naming_the_field_without_the_value(sandbox: EmbeddedSandbox) -> None:
    body = {"item_code": "HJ-001", "applicant": {**ZJG, "phone": "13912345678"},
            "form": {"phone": "0371-1", "purpose": "就业"}, "materials_present": [], "channel": "kiosk"}
    session, url = signed(), f"{sandbox.url}/v1/applications"
    proof = {"X-Verification-Proof": proof_for(sandbox)}
    problem = assert_problem(post(session, url, json=body, headers=proof), 422, "form.phone")
    assert "0371-1" not in json.dumps(problem, ensure_ascii=False)
    body["form"] = {"phone": "13912345678", "colour": "red"}
    assert_problem(post(session, url, json=body, headers=proof), 422, "form.colour")
    body["form"], body["applicant"]["phone"] = {}, "12345"
    problem = assert_problem(post(session, url, json=body, headers=proof), 422, "applicant.phone")
    assert "12345" not in json.dumps(problem)


def test_validation_problems_never_echo_an_id_number(sandbox: EmbeddedSandbox) -> None:
    body = {"item_code": "HJ-001", "applicant": {"id_number": "410105195003152019", "name": "张建国"}}
    problem = assert_problem(post(signed(), f"{sandbox.url}/v1/applications", json=body), 422,
                             "applicant.id_number")
    assert "410105195003152019" not in json.dumps(problem)


def test_a_refused_application_stays_in_the_outbox_and_raises_a_technician_alert(
        tmp_path: Path, client: PlatformClient, sandbox: EmbeddedSandbox) -> None:
    from kiosk.outbox_adapter import OutboxAdapter
    from offline.outbox import Outbox
    from offline.sync import SyncWorker

    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0)
    try:
        body = {"item_code": "HJ-001", "applicant": {**ZJG, "phone": "13912345678"},
                "form": {"purpose": "旅游"}, "materials_present": [], "channel": "kiosk",  # not one of the choices
                "verification_proof": proof_for(sandbox)}  # the outbox sends it as a header
        outbox.enqueue("application", body)
        report = SyncWorker(outbox, OutboxAdapter(client).deliver).sync_once()
        assert report.dead == 1
        status = outbox.status()
        assert status.dead == 1 and "422" in (status.last_error or "")
        assert "field form.purpose" in (status.last_error or "")  # the technician learns what to fix
        beat = heartbeat_body({}, outbox_status=status)
        assert beat["alerts"] and beat["alerts"][0]["kind"] == "outbox_dead" and beat["alerts"][0]["count"] == 1
        client.heartbeat(beat)  # the platform takes the alert as part of the heartbeat contract
    finally:
        outbox.close()


# -- heartbeats ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("garbage", [b"", b"[1, 2]", b"{", b"null", b"\xff\xfe", b'{"devices": {"printer": [[[]]]}}',
                                     b'{"schema": 1, "x": {"a": {"b": {"c": 1}}}}', b'"text"', b"1e999999"])
def test_heartbeat_garbage_is_refused_with_a_problem_never_500(sandbox: EmbeddedSandbox, garbage: bytes) -> None:
    answer = post(signed(), f"{sandbox.url}/v1/devices/{DEVICE}/heartbeat", data=garbage,
                  headers={"Content-Type": "application/json"})
    assert_problem(answer, 422)


def test_a_device_writes_only_its_own_heartbeat(sandbox: EmbeddedSandbox) -> None:
    beat = {"schema": 1, "availability": "available"}
    assert_problem(post(signed("KIOSK-A-01"), f"{sandbox.url}/v1/devices/KIOSK-B-02/heartbeat", json=beat),
                   403, "device_id")
    assert_problem(post(signed("KIOSK-A-01"), f"{sandbox.url}/v1/devices/KIOSK-A-01/heartbeat",
                        json={**beat, "device_id": "KIOSK-B-02"}), 403, "device_id")
    assert post(signed("KIOSK-A-01"), f"{sandbox.url}/v1/devices/KIOSK-A-01/heartbeat", json=beat).status_code == 204
    rows = list(sandbox.app.state.store.db["heartbeats"].rows)
    assert [row["device_id"] for row in rows] == ["KIOSK-A-01"]


# -- body limits -----------------------------------------------------------------------------------------------
def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("path", ["/v1/applications", "/v1/ratings", f"/v1/devices/{DEVICE}/heartbeat"])
def test_a_50_mb_body_is_refused_413_before_it_is_read(sandbox: EmbeddedSandbox, path: str) -> None:
    big = b'{"item_code": "HJ-001", "level": 5, "reasons": ["' + b"x" * (50 * 1024 * 1024) + b'"]}'
    before = _peak_rss_mb()
    for session in (signed(), requests.Session()):  # signed, and unsigned (no 401 after reading it all)
        answer = post(session, sandbox.url + path, data=big, headers={"Content-Type": "application/json"})
        problem = assert_problem(answer, 413)
        assert problem["max_body_bytes"] <= 64 * 1024
    # The sandbox runs in this process: the body was never held (the client's own copy is already counted).
    assert _peak_rss_mb() - before < 40
    assert sandbox.app.state.body_limits.refused >= 2


def test_a_body_without_length_is_counted_as_it_streams(sandbox: EmbeddedSandbox) -> None:
    def chunks():
        for _ in range(200):
            yield b"x" * 1024  # 200 KB, chunked transfer encoding: no Content-Length to look at

    # Unsigned (a signature needs the whole body first): the limit is checked before the signature anyway.
    answer = post(requests.Session(), f"{sandbox.url}/v1/ratings", data=chunks(),
                  headers={"Content-Type": "application/json"})
    assert_problem(answer, 413)


# -- Idempotency-Key -------------------------------------------------------------------------------------------
def test_every_post_needs_an_idempotency_key(sandbox: EmbeddedSandbox) -> None:
    for path, body in (("/v1/ratings", {"item_code": "HJ-001", "level": 5}),
                       (f"/v1/devices/{DEVICE}/heartbeat", {"schema": 1}),
                       ("/v1/queue/tickets", {"department": "市公安局户政管理支队"})):
        assert_problem(post(signed(), sandbox.url + path, key=None, json=body), 400, "header.Idempotency-Key")


def test_a_reused_key_with_another_rating_is_422_and_the_same_rating_gets_the_first_answer(
        sandbox: EmbeddedSandbox) -> None:
    url = f"{sandbox.url}/v1/ratings"
    first = post(signed(), url, key="rating-key-1", json={"item_code": "HJ-001", "level": 5})
    again = post(signed(), url, key="rating-key-1", json={"item_code": "HJ-001", "level": 5})
    other = post(signed(), url, key="rating-key-1", json={"item_code": "HJ-001", "level": 1})
    assert first.status_code == 201 and again.status_code == 201 and again.json() == first.json()
    assert_problem(other, 422, "header.Idempotency-Key")
    # After a restart (in-memory answers gone) the store still refuses the other body.
    sandbox.app.state.idempotency._answers.clear()
    assert_problem(post(signed(), url, key="rating-key-1", json={"item_code": "HJ-001", "level": 2}), 422)
    assert len(list(sandbox.app.state.store.db["ratings"].rows)) == 1


def test_a_key_still_in_progress_is_409() -> None:
    settings = IdempotencySettings()
    scope = ("KIOSK-TEST-07", "/v1/applications", "k1")
    assert settings.claim(scope, "json:a") == ("new", None)
    assert settings.claim(scope, "json:a") == ("running", None)  # the endpoint answers 409 for this
    assert settings.claim(scope, "json:b") == ("conflict", None)
    settings.finish(scope, 503, [], b"")  # a failure is not remembered: the kiosk may try again
    assert settings.claim(scope, "json:a") == ("new", None)


# -- errors are problems, and the OpenAPI says what the server does ------------------------------------------------
def test_not_found_and_unsigned_are_problem_bodies(sandbox: EmbeddedSandbox) -> None:
    assert_problem(signed().get(f"{sandbox.url}/v1/applications/ZW00000000000000", timeout=10), 404)
    problem = assert_problem(requests.post(f"{sandbox.url}/v1/ratings", json={}, timeout=10), 401)
    assert problem["reason"] == "missing_signature"


def test_openapi_requires_the_idempotency_key_and_publishes_limits_and_problems(sandbox: EmbeddedSandbox) -> None:
    schema = requests.get(f"{sandbox.url}/openapi.json", timeout=10).json()
    assert "Problem" in schema["components"]["schemas"] and "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "post" and path.startswith("/v1/"):
                keys = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
                assert keys and keys[0]["required"] is True, path
                assert {"400", "409", "413", "422"} <= set(operation["responses"]), path
            if path != "/v1/health" and path.startswith("/v1/"):
                assert operation["security"] == [{"KioskSignature": []}] and "401" in operation["responses"]
            assert operation["x-max-body-bytes"] > 0
    beat = schema["paths"]["/v1/devices/{device_id}/heartbeat"]["post"]
    assert beat["x-max-body-bytes"] == 16 * 1024 and "403" in beat["responses"]


def test_platform_client_problem_detail_is_redacted_in_the_log(client: PlatformClient, sandbox: EmbeddedSandbox,
                                                              caplog) -> None:
    body = {"item_code": "HJ-001", "applicant": {**ZJG, "phone": "13912345678"},
            "form": {"purpose": "旅游"}, "materials_present": [], "channel": "kiosk"}
    with pytest.raises(PlatformError) as caught:
        client.submit_application(body, str(uuid.uuid4()), proof=proof_for(sandbox))
    assert caught.value.status == 422
    assert "410105195003152015" not in caplog.text and "13912345678" not in caplog.text
