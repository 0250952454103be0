"""Signed requests against the real sandbox: what it refuses, and how the kiosk's outbox reacts to a 401."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from test_sync_support import DEVICE_ID, SECRET, TestSandbox, adapter_for, application_body, signed_client

from kiosk.signing import HmacSigner, derive_device_secret
from offline.errors import RetryLater
from offline.model import State
from offline.outbox import Outbox
from offline.sync import SyncWorker


@pytest.fixture()
def sandbox(tmp_path: Path):
    with TestSandbox(tmp_path / "sandbox.db") as running:
        yield running


def _rating(session: requests.Session, url: str, key: str = "rating-1") -> requests.Response:
    return session.post(f"{url}/v1/ratings", json={"item_code": "HJ-001", "level": 5},
                        headers={"Idempotency-Key": key}, timeout=5)


def test_signed_requests_pass_and_open_paths_need_no_signature(sandbox: TestSandbox) -> None:
    client = signed_client(sandbox.url)
    assert client.submit_application(application_body(), "key-signed-1").receipt_number.startswith("ZW")
    for path in ("/v1/health", "/openapi.json", "/docs"):
        assert requests.get(sandbox.url + path, timeout=5).status_code == 200


def test_unsigned_bad_secret_and_tampered_body_are_refused(sandbox: TestSandbox) -> None:
    unsigned = _rating(requests.Session(), sandbox.url)
    assert unsigned.status_code == 401 and unsigned.json()["reason"] == "missing_signature"

    wrong = requests.Session()
    wrong.auth = HmacSigner(DEVICE_ID, "not-the-device-secret-at-all")
    answer = _rating(wrong, sandbox.url)
    assert answer.status_code == 401 and answer.json()["reason"] == "bad_signature"
    assert "device secret" in answer.json()["detail"]

    session = requests.Session()
    session.auth = HmacSigner(DEVICE_ID, SECRET)
    prepared = session.prepare_request(requests.Request(
        "POST", f"{sandbox.url}/v1/ratings", json={"item_code": "HJ-001", "level": 5},
        headers={"Idempotency-Key": "tamper"}))
    prepared.body = prepared.body.replace(b"5", b"1")  # altered on the way: digest no longer matches
    assert session.send(prepared, timeout=5).json()["reason"] == "bad_digest"


def test_stale_timestamp_and_replayed_nonce_are_refused(sandbox: TestSandbox) -> None:
    stale = requests.Session()
    stale.auth = HmacSigner(DEVICE_ID, SECRET, clock=lambda: time.time() - 301)
    answer = _rating(stale, sandbox.url)
    assert answer.status_code == 401 and answer.json()["reason"] == "stale_timestamp"
    assert "clock" in answer.json()["detail"]
    ahead = requests.Session()
    ahead.auth = HmacSigner(DEVICE_ID, SECRET, clock=lambda: time.time() + 240)  # within 5 minutes: fine
    assert _rating(ahead, sandbox.url).status_code in (200, 201)

    session = requests.Session()
    session.auth = HmacSigner(DEVICE_ID, SECRET)
    prepared = session.prepare_request(requests.Request(
        "POST", f"{sandbox.url}/v1/ratings", json={"item_code": "HJ-001", "level": 4},
        headers={"Idempotency-Key": "replay-me"}))
    assert session.send(prepared, timeout=5).status_code == 201
    replay = session.send(prepared, timeout=5)  # the same bytes, the same nonce: a captured request
    assert replay.status_code == 401 and replay.json()["reason"] == "replayed_nonce"
    assert sandbox.security.rejected["replayed_nonce"] == 1


def test_per_device_secrets_derived_from_a_master(tmp_path: Path, sandbox: TestSandbox) -> None:
    from kiosk.sandbox.security import derived_secrets, install_security

    install_security(sandbox.app, derived_secrets("sandbox-master-secret"))  # replaces, does not stack
    client = signed_client(sandbox.url, secret=derive_device_secret("sandbox-master-secret", "KIOSK-B-02"),
                           device_id="KIOSK-B-02")
    assert client.submit_application(application_body(), "derived-1").receipt_number
    assert _rating(requests.Session(), sandbox.url).status_code == 401


def test_a_401_keeps_the_application_queued_and_it_goes_once_the_device_is_fixed(
    tmp_path: Path, sandbox: TestSandbox
) -> None:
    """Decision: every 401 is RetryLater. Clock skew, a missing secret, a replay after a crash are problems
    of the device, not of the citizen's application: it stays queued (not dead) and goes once fixed."""
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0) as outbox:
        entry = outbox.enqueue("application", application_body())
        skewed = adapter_for(sandbox.url, clock=lambda: time.time() - 3600)  # the kiosk clock is an hour behind
        report = SyncWorker(outbox, skewed.deliver, deliver_chunk=skewed.deliver_chunk).sync_once()
        assert report.retried == 1 and report.dead == 0
        stored = outbox.get(entry.id)
        assert stored.state is State.PENDING
        assert "401" in stored.last_error and "stale_timestamp" in stored.last_error and "NTP" in stored.last_error

        wrong = adapter_for(sandbox.url, secret="a-secret-nobody-issued")
        with pytest.raises(RetryLater, match="device_secret"):
            wrong.deliver(outbox.get(entry.id), outbox.read_payload(entry), [])

        fixed = adapter_for(sandbox.url)
        assert SyncWorker(outbox, fixed.deliver, deliver_chunk=fixed.deliver_chunk).sync_once().sent == 1
        assert outbox.get(entry.id).ack["receipt_number"].startswith("ZW")
    assert [a["idempotency_key"] for a in sandbox.applications()].count(entry.idempotency_key) == 1
