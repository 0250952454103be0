"""The Submitter: "submitted" only once the platform acknowledged; otherwise saved on the kiosk and uploaded
later, the local record then carrying the platform's receipt number."""

from __future__ import annotations

import time
from pathlib import Path

from test_sync_support import DEVICE_ID, TestSandbox, adapter_for, application_body

from kiosk.i18n import translate
from kiosk.sandbox.chaos import ChaosSettings
from kiosk.submission import Submitter
from offline.backoff import Backoff
from offline.outbox import Outbox
from offline.sync import SyncWorker


def _kiosk(tmp_path: Path, url: str) -> tuple[Outbox, SyncWorker, Submitter]:
    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0)
    submitter = Submitter(outbox, None, DEVICE_ID, wait_s=2.0)
    adapter = adapter_for(url)
    adapter.receipt_lookup = submitter.receipt_for
    worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk,
                        backoff=Backoff(base=0.05, cap=0.1))
    submitter.worker = worker
    worker.start()
    return outbox, worker, submitter


def _wait(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_acknowledged_when_the_platform_answers(tmp_path: Path) -> None:
    with TestSandbox(tmp_path / "sandbox.db") as sandbox:
        outbox, worker, submitter = _kiosk(tmp_path, sandbox.url)
        try:
            outcome = submitter.submit_application(application_body(), session_key="session-1")
            assert outcome.submitted and outcome.status == "acknowledged"
            assert outcome.receipt_number.startswith("ZW") and outcome.reference == outcome.receipt_number
            assert outcome.local_reference.startswith(f"K-{DEVICE_ID}-") and outcome.local_reference.endswith("-0001")
            record = submitter.record(outcome.local_reference)
            assert record.state == "acknowledged" and record.receipt_number == outcome.receipt_number

            again = submitter.submit_application(application_body(), session_key="session-1")  # a double tap
            assert again.receipt_number == outcome.receipt_number
            assert len([a for a in sandbox.applications() if a["receipt_number"] == outcome.receipt_number]) == 1
            assert translate(outcome.message_key) == "已提交，平台已受理。"
        finally:
            worker.stop()
            outbox.close()


def test_saved_locally_when_down_then_uploaded_when_back(tmp_path: Path) -> None:
    with TestSandbox(tmp_path / "sandbox.db", ChaosSettings(fail_rate=1.0, seed=5)) as sandbox:
        outbox, worker, submitter = _kiosk(tmp_path, sandbox.url)
        try:
            started = time.monotonic()
            outcome = submitter.submit_application(application_body(), wait_s=0.5)
            assert time.monotonic() - started < 2.0  # bounded: the citizen is not kept waiting
            assert outcome.status == "saved_locally" and not outcome.submitted
            assert outcome.receipt_number is None and outcome.reference == outcome.local_reference
            assert translate(outcome.message_key) == "已保存在本机，联网后将自动上传，无需再次办理。"
            rating = submitter.submit_rating({"item_code": "HJ-001", "receipt_number": None, "level": 5,
                                              "reasons": [], "callback": False},
                                             local_reference=outcome.local_reference)
            assert rating.status == "saved_locally"
            assert submitter.record(outcome.local_reference).state == "saved_locally"

            sandbox.chaos.calm()  # the network is back
            worker.wake()
            _wait(lambda: submitter.receipt_for(outcome.local_reference) is not None, "the upload")
            receipt = submitter.receipt_for(outcome.local_reference)
            assert receipt.startswith("ZW")
            _wait(lambda: outbox.status().depth == 0 and outbox.status().sending == 0, "the rating")
            rated = sandbox.store.db.execute("SELECT receipt_number FROM ratings").fetchall()
            assert (receipt,) in rated  # the rating names the receipt the platform gave later
        finally:
            worker.stop()
            outbox.close()


def test_refused_with_a_clear_message_when_the_outbox_is_full(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0, max_bytes=400 * 1024)
    try:
        submitter = Submitter(outbox, None, DEVICE_ID, wait_s=0)
        outcomes = [submitter.submit_application(application_body(n), images=[b"\xff\xd8\xff" + bytes(60_000)])
                    for n in range(12)]
        refused = [o for o in outcomes if o.status == "refused"]
        assert refused and outcomes[0].status == "saved_locally"
        assert refused[0].message_key == "offline.refused_disk"
        assert "存储空间已满" in translate(refused[0].message_key)
        assert len(submitter.records()) == len(outcomes) - len(refused)  # no record without its entry
    finally:
        outbox.close()
