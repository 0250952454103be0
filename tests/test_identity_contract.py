"""Identity assurance in the platform contract (issue #11), against the real sandbox on loopback.

Personal data needs a verification proof the platform issued for this person at this kiosk; the kiosk's own
client is used throughout, and proofs come from the platform's endpoints (an e-ID code) or its key (as if a
face check had passed, or long ago). The access-log test runs the real ``kiosk sandbox`` server process.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk.platform_client import CardEvidence, PlatformClient, PlatformError, new_idempotency_key
from kiosk.sandbox.app import DEMO_DEVICE_SECRET, create_app
from kiosk.sandbox.server import EmbeddedSandbox
from offline.outbox import Outbox
from offline.sync import SyncWorker

ZJG, LXY, WXM, CJ = "410105195003152015", "410102194811023023", "410305199007204512", "110101198501010025"
DEVICE = "KIOSK-TEST-07"  # the conftest client's device id
READY = "ZW20261101000001"  # 张建国's 户籍证明, ready for pickup
TOKENS = {  # demo identity codes (kiosk/sandbox/data/identity_tokens.json): kind, token, whose
    LXY: ("eid", "AR4B9-JQg7CRLSPPwpcZqOEPVzink7Tu-PhqO-FrRE4"),
    WXM: ("social_card", "ZGg9_uMvG9drcoTuF_q_MrU8vdTZ6etMJIN5M0yK1J0"),
    ZJG: ("province_app", "2bPRc7huXJjQRtgHVSzeVTRKUA2kWnLIL6rT6xq3Ji8"),
}


@pytest.fixture(autouse=True)
def enforced(sandbox: EmbeddedSandbox) -> None:
    sandbox.app.state.identity.enforce = True


def issued(sandbox: EmbeddedSandbox, id_number: str, *, device: str = DEVICE, age_s: float = 0.0) -> str:
    """A proof as the platform issued it ``age_s`` seconds ago (after a face check at ``device``)."""
    identity = sandbox.app.state.identity
    return identity.issue(id_number, device, "face", issued_at=time.time() - age_s).proof


def application(id_number: str, name: str) -> dict:
    return {"item_code": "HJ-001", "applicant": {"id_number": id_number, "name": name, "phone": ""},
            "form": {"phone": "13912345678", "purpose": "就业"}, "materials_present": [], "channel": "kiosk"}


PERSONAL_CALLS = {
    "eligibility": lambda client, proof: client.eligibility(ZJG, "HJ-001", proof=proof),
    "query": lambda client, proof: client.query("ZX-001", new_idempotency_key(), id_number=ZJG, proof=proof),
    "pickup": lambda client, proof: client.pickup(READY, ZJG, proof=proof),
    "application": lambda client, proof: client.submit_application(application(ZJG, "张建国"),
                                                                   new_idempotency_key(), proof=proof),
}


@pytest.mark.parametrize("call", PERSONAL_CALLS)
def test_personal_data_without_a_proof_is_refused_naming_the_level(client: PlatformClient, call: str) -> None:
    with pytest.raises(PlatformError) as caught:
        PERSONAL_CALLS[call](client, None)
    refused = caught.value
    assert refused.status == 403 and refused.kind == "rejected" and not refused.is_outage
    assert refused.required_level == "verified"
    assert refused.problem is not None and refused.problem["type"].endswith("verification-required")
    assert {"type", "title", "status", "detail"} <= set(refused.problem) and refused.problem["status"] == 403
    assert "X-Verification-Proof" in refused.problem["detail"]


@pytest.mark.parametrize("call", PERSONAL_CALLS)
def test_the_same_request_with_the_persons_proof_goes_through(client: PlatformClient, sandbox: EmbeddedSandbox,
                                                              call: str) -> None:
    assert PERSONAL_CALLS[call](client, issued(sandbox, ZJG)) is not None


def test_an_e_id_code_gives_a_proof_that_opens_that_persons_records_only(client: PlatformClient) -> None:
    kind, token = TOKENS[ZJG]
    person = client.verify_identity(kind, token)
    assert person["id_number"] == ZJG and person["level"] == "verified" and person["method"] == "province_app"
    expires = dt.datetime.fromisoformat(person["expires_at"])
    assert dt.timedelta(minutes=1) < expires - dt.datetime.now().astimezone() <= dt.timedelta(minutes=5)
    assert ZJG not in person["proof"]  # the proof names its person by a keyed hash only
    report = client.query("ZX-001", new_idempotency_key(), id_number=ZJG, proof=person["proof"])
    assert report.subject_name == "张建国"
    with pytest.raises(PlatformError) as caught:  # 张建国's proof for 王小明's credit report
        client.query("ZX-001", new_idempotency_key(), id_number=WXM, proof=person["proof"])
    assert caught.value.status == 403 and caught.value.problem_type.endswith("proof-other-person")
    assert caught.value.required_level == "verified"


def test_an_expired_a_foreign_device_and_a_forged_proof_are_refused(client: PlatformClient, sandbox: EmbeddedSandbox,
                                                                   tmp_path: Path) -> None:
    refusals = {
        "proof-expired": issued(sandbox, ZJG, age_s=301),
        "proof-other-device": issued(sandbox, ZJG, device="KIOSK-ELSEWHERE-01"),
        "proof-invalid": issued(sandbox, WXM).replace(".", ".x", 1),
    }
    # A proof minted with another platform key (e.g. a copied sandbox database) is not this platform's.
    stranger = create_app(tmp_path / "other-platform.db")
    refusals["proof-invalid "] = stranger.state.identity.issue(ZJG, DEVICE, "face").proof
    for expected, proof in refusals.items():
        with pytest.raises(PlatformError) as caught:
            client.pickup(READY, ZJG, proof=proof)
        assert caught.value.status == 403 and caught.value.problem_type.endswith(expected.strip()), expected
        assert caught.value.required_level == "verified"
    with pytest.raises(PlatformError) as caught:
        client.eligibility(ZJG, "HJ-001", proof=refusals["proof-expired"])
    assert "expired at" in str(caught.value) and "verify the citizen again" in str(caught.value)


def test_a_queued_application_is_accepted_with_its_proof_for_days_but_not_for_ever(
        client: PlatformClient, sandbox: EmbeddedSandbox) -> None:
    two_hours_old = issued(sandbox, ZJG, age_s=2 * 3600)
    submission = client.submit_application(application(ZJG, "张建国"), new_idempotency_key(), proof=two_hours_old)
    assert submission.receipt_number.startswith("ZW")
    with pytest.raises(PlatformError) as caught:  # the same proof does not read records any more
        client.query("ZX-001", new_idempotency_key(), id_number=ZJG, proof=two_hours_old)
    assert caught.value.problem_type.endswith("proof-expired")
    with pytest.raises(PlatformError) as caught:
        client.submit_application(application(ZJG, "张建国"), new_idempotency_key(),
                                  proof=issued(sandbox, ZJG, age_s=8 * 24 * 3600))
    assert caught.value.status == 403 and caught.value.problem_type.endswith("proof-expired")
    with pytest.raises(PlatformError) as caught:  # an application in another person's name
        client.submit_application(application(LXY, "李秀英"), new_idempotency_key(), proof=two_hours_old)
    assert caught.value.problem_type.endswith("proof-other-person")


def test_the_outbox_carries_the_proof_and_sends_it_as_a_header(tmp_path: Path, client: PlatformClient,
                                                              sandbox: EmbeddedSandbox) -> None:
    from kiosk.outbox_adapter import OutboxAdapter

    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "device.key")
    fresh_at_submit = {**application(ZJG, "张建国"), "verification_proof": issued(sandbox, ZJG, age_s=3 * 3600)}
    outbox.enqueue("application", fresh_at_submit)  # saved offline three hours ago, the network is back now
    adapter = OutboxAdapter(client)
    report = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk).sync_once()
    assert report.sent == 1 and report.dead == 0
    rows = list(sandbox.app.state.store.db["applications"].rows_where("applicant_id_number = ? AND device_id = ?",
                                                                      [ZJG, DEVICE]))
    assert len(rows) == 1 and "verification_proof" not in rows[0]["body"]  # a header, not part of the body

    too_old = {**application(ZJG, "张建国"), "verification_proof": issued(sandbox, ZJG, age_s=30 * 24 * 3600)}
    entry = outbox.enqueue("application", too_old)
    report = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk).sync_once()
    assert report.dead == 1
    assert "proof-expired" in (outbox.get(entry.id).last_error or "")  # the technician sees why
    outbox.close()


def test_an_enterprise_record_only_for_its_representative_or_agent(client: PlatformClient,
                                                                  sandbox: EmbeddedSandbox) -> None:
    shop = "91410105MA9K3F7T28"  # 王小明 represents it, 张建国 is its authorised agent; 李秀英 is neither
    with pytest.raises(PlatformError) as caught:
        client.query("ZX-002", new_idempotency_key(), id_number=LXY, credit_code=shop, proof=issued(sandbox, LXY))
    assert caught.value.status == 403 and caught.value.problem_type.endswith("not-authorised-for-enterprise")
    assert "legal representative" in str(caught.value)
    with pytest.raises(PlatformError) as caught:  # and nobody reads it without being verified
        client.query("ZX-002", new_idempotency_key(), credit_code=shop)
    assert caught.value.status == 403 and caught.value.required_level == "verified"
    report = client.query("ZX-002", new_idempotency_key(), id_number=ZJG, credit_code=shop,
                          proof=issued(sandbox, ZJG))
    assert report.subject_name == "郑州市金水区惠民便利店有限公司"


def test_face_check_refuses_an_expired_or_stale_card_before_looking_at_the_face(client: PlatformClient) -> None:
    now = dt.datetime.now().astimezone()
    expired = CardEvidence(read_at=now, valid_until=dt.date(2024, 3, 1), card_digest="0" * 64)
    with pytest.raises(PlatformError) as caught:
        client.verify_face(CJ, expired, b"\xff\xd8\xff\xe0 not looked at")
    assert caught.value.status == 403 and caught.value.problem_type.endswith("card-expired")
    assert "2024-03-01" in str(caught.value) and caught.value.problem["valid_until"] == "2024-03-01"
    stale = CardEvidence(read_at=now - dt.timedelta(minutes=20), valid_until=None, card_digest="0" * 64)
    with pytest.raises(PlatformError) as caught:
        client.verify_face(CJ, stale, b"\xff\xd8\xff\xe0 not looked at")
    assert caught.value.problem_type.endswith("card-read-stale") and "card on the reader" in str(caught.value)


def test_no_id_number_reaches_the_access_log_of_the_real_server(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log_path = tmp_path / "sandbox.log"
    kiosk = Path(sys.executable).with_name("kiosk")
    with log_path.open("wb") as log_file:
        server = subprocess.Popen([str(kiosk), "sandbox", "--port", str(port), "--db", str(tmp_path / "s.db")],
                                  stdout=log_file, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, log_path.read_text()
            time.sleep(0.1)
        client = PlatformClient(url, DEVICE, 2, 10, device_secret=DEMO_DEVICE_SECRET)
        for id_number, (kind, token) in TOKENS.items():
            proof = client.verify_identity(kind, token)["proof"]
            client.eligibility(id_number, "HJ-001", proof=proof)
            client.query("SB-001", new_idempotency_key(), id_number=id_number, proof=proof)
            client.submit_application(application(id_number, "测试"), new_idempotency_key(), proof=proof)
            if id_number != ZJG:
                with pytest.raises(PlatformError):  # refusals are logged too: 张建国's pickup, another's proof
                    client.pickup(READY, ZJG, proof=proof)
        client.pickup(READY, ZJG, proof=client.verify_identity(*TOKENS[ZJG])["proof"])
        client.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "POST /v1/eligibility" in log and "POST /v1/pickups" in log  # the access log is on
    for id_number in (ZJG, LXY, WXM, CJ):
        assert id_number not in log


FACES = Path(__file__).parent / "data" / "faces"  # public-domain faces (see LICENSE.md there)


def fresh_card(valid_until: dt.date | None = dt.date(2036, 3, 15)) -> CardEvidence:
    return CardEvidence(read_at=dt.datetime.now().astimezone(), valid_until=valid_until, card_digest="ab" * 32)


def test_card_and_matching_face_give_a_proof_another_face_is_refused(sandbox: EmbeddedSandbox) -> None:
    pytest.importorskip("face_recognition_models")
    # The platform loads its face model on the first match (seconds on a busy 2-core box): a patient client.
    client = PlatformClient(sandbox.url, DEVICE, 2, 60, device_secret=DEMO_DEVICE_SECRET)
    own_face = (FACES / "eileen_collins.jpg").read_bytes()  # the photo registered for 张建国 (demo mapping)
    verification = client.verify_face(ZJG, fresh_card(), own_face)
    assert verification.level == "verified" and verification.method == "face"
    report = client.query("ZX-001", new_idempotency_key(), id_number=ZJG, proof=verification.proof)
    assert report.subject_name == "张建国"

    stranger = (FACES / "grace_hopper.jpg").read_bytes()  # "演示：他人冒用": someone else at 张建国's card
    with pytest.raises(PlatformError) as caught:
        client.verify_face(ZJG, fresh_card(), stranger)
    assert caught.value.status == 403 and caught.value.problem_type.endswith("face-not-matched")
    assert caught.value.required_level == "verified" and caught.value.problem["held_level"] == "card"
    for _ in range(4):  # five failures in ten minutes, then the kiosk sends the person to a window
        with pytest.raises(PlatformError):
            client.verify_face(ZJG, fresh_card(), stranger)
    with pytest.raises(PlatformError) as caught:
        client.verify_face(ZJG, fresh_card(), own_face)
    assert caught.value.status == 429 and "window" in str(caught.value)


def test_a_refused_request_retried_with_a_proof_under_the_same_key_goes_through(client: PlatformClient,
                                                                                 sandbox: EmbeddedSandbox) -> None:
    """The desk keeps one Idempotency-Key per session: asking again after the face check must not get the
    remembered 403 (a refusal depends on the proof, not on the body)."""
    key = new_idempotency_key()
    with pytest.raises(PlatformError) as caught:
        client.query("ZX-001", key, id_number=ZJG)
    assert caught.value.status == 403
    report = client.query("ZX-001", key, id_number=ZJG, proof=issued(sandbox, ZJG))
    assert report.subject_name == "张建国"


def test_a_long_session_refreshes_its_proof_for_half_an_hour_at_most(client: PlatformClient,
                                                                     sandbox: EmbeddedSandbox) -> None:
    identity = sandbox.app.state.identity
    four_minutes_old = issued(sandbox, ZJG, age_s=240)
    renewed = client.refresh_proof(ZJG, four_minutes_old)
    assert renewed.level == "verified" and renewed.method == "face"
    assert client.eligibility(ZJG, "HJ-001", proof=renewed.proof).commitment_offered
    with pytest.raises(PlatformError) as caught:  # the kiosk stood idle past the expiry: no refresh
        client.refresh_proof(ZJG, issued(sandbox, ZJG, age_s=400))
    assert caught.value.problem_type.endswith("proof-expired")
    with pytest.raises(PlatformError) as caught:  # another person's proof does not renew into this one
        client.refresh_proof(WXM, issued(sandbox, ZJG))
    assert caught.value.problem_type.endswith("proof-other-person")
    chain = identity.issue(ZJG, DEVICE, "face", issued_at=time.time() - 60,
                           verified_at=int(time.time()) - 31 * 60).proof  # refreshed until now, verified 31 min ago
    with pytest.raises(PlatformError) as caught:
        client.refresh_proof(ZJG, chain)
    assert caught.value.status == 403 and "verify again" in str(caught.value)
