"""SIGKILL the kiosk's sync at random moments, against a misbehaving, signing sandbox.

A real child process runs the real thing: Outbox, SyncWorker thread, OutboxAdapter, signed PlatformClient and
the Submitter, in a loop of submit-and-wait cycles (some with chunked images). The sandbox fails requests
(500/503), throttles (429 + Retry-After), delays, and drops answers after committing. The child is killed at
random moments, again and again. Afterwards: the outbox passes ``PRAGMA integrity_check``; every submission
that returned is still there; after a final drain the sandbox holds each application exactly once, under the
receipt number the citizen was given if the kiosk said "submitted".
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_sync_support import DEVICE_ID, TestSandbox, adapter_for

from kiosk.sandbox.chaos import ChaosSettings
from kiosk.sandbox.uploads import UploadStore
from kiosk.submission import Submitter
from offline.outbox import Outbox
from offline.sync import SyncWorker

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
MIN_CYCLES = 220
IMAGE_BYTES = 30_000

CHILD = """
import random, sys
sys.path[:0] = [sys.argv[4], sys.argv[5]]
from offline.backoff import Backoff
from offline.outbox import Outbox
from offline.sync import SyncWorker
from kiosk.submission import Submitter
from test_sync_support import DEVICE_ID, adapter_for, application_body

directory, url, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
outbox = Outbox(directory + "/outbox.db", directory + "/device.key", reserve_bytes=0)
submitter = Submitter(outbox, None, DEVICE_ID, wait_s=0.3)
adapter = adapter_for(url)
adapter.receipt_lookup = submitter.receipt_for
worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=8192,
                    backoff=Backoff(base=0.02, cap=0.1, floor=0.0))
submitter.worker = worker
worker.start()
log = open(directory + "/citizens.log", "a", buffering=1)
log.write(f"ready {run}\\n")
for n in range(10**6):
    seq = run * 100_000 + n
    images = [random.Random(seq).randbytes(IMAGE_BYTES)] if seq % 3 == 0 else []
    outcome = submitter.submit_application(application_body(seq), images=images)
    # Written only after the kiosk told the citizen: this must never be lost or doubled.
    log.write(f"{outcome.status} {outcome.local_reference} {outcome.receipt_number} {seq}\\n")
""".replace("IMAGE_BYTES", str(IMAGE_BYTES))


@pytest.mark.slow
def test_sigkill_during_sync_against_a_misbehaving_sandbox(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log_path = tmp_path / "citizens.log"
    rng = random.Random(20241121)
    chaos = ChaosSettings(fail_rate=0.1, throttle=0.05, retry_after=0.05, delay=0.01, drop_after_commit=0.15, seed=9)
    with TestSandbox(tmp_path / "sandbox.db", chaos) as sandbox:
        run = 0
        started = time.monotonic()
        while _cycles(log_path) < MIN_CYCLES:
            assert time.monotonic() - started < 120, f"only {_cycles(log_path)} cycles in 120 s"
            before = _cycles(log_path)
            child = subprocess.Popen(
                [sys.executable, str(script), str(tmp_path), sandbox.url, str(run), str(REPO), str(TESTS)],
                stderr=subprocess.PIPE,
            )
            deadline = time.monotonic() + 30
            while f"ready {run}\n" not in (log_path.read_text() if log_path.exists() else ""):
                assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
                assert time.monotonic() < deadline, "child did not start"
                time.sleep(0.01)
            target = before + rng.randint(3, 30)
            while _cycles(log_path) < target and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.15))  # a random moment inside a cycle: mid-chunk, mid-POST, mid-commit
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            child.send_signal(signal.SIGKILL)
            child.wait()
            assert child.returncode == -signal.SIGKILL
            run += 1

        raw = sqlite3.connect(tmp_path / "outbox.db")
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()

        told = [line.split() for line in log_path.read_text().splitlines() if not line.startswith("ready")]
        sandbox.chaos.calm()
        with Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0) as outbox:
            submitter = Submitter(outbox, None, DEVICE_ID)
            adapter = adapter_for(sandbox.url)
            adapter.receipt_lookup = submitter.receipt_for
            worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=8192)
            for _ in range(50):
                worker.sync_once()
                if outbox.status().depth == 0:
                    break
            status = outbox.status()
            assert (status.depth, status.sending, status.dead) == (0, 0, 0), status
            records = {r.local_reference: r for r in submitter.records(limit=100_000)}
            entries = {e.id: e for e in outbox.list(kind="application")}

        assert len(records) == len(entries) >= MIN_CYCLES  # one local record per outbox entry, none twice
        at_platform: dict[str, list[str]] = {}
        for row in sandbox.store.db.execute("SELECT idempotency_key, receipt_number FROM applications"
                                            " WHERE device_id = ?", [DEVICE_ID]):
            at_platform.setdefault(row[0], []).append(row[1])
        assert set(at_platform) == {e.idempotency_key for e in entries.values()}  # none missing, none extra
        assert all(len(receipts) == 1 for receipts in at_platform.values())  # exactly once
        uploads = UploadStore(str(tmp_path / "sandbox.db"))
        for record in records.values():
            entry = entries[record.entry_id]
            assert record.receipt_number == at_platform[entry.idempotency_key][0]
        acknowledged = 0
        for status_word, reference, receipt, seq in told:
            record = records[reference]  # every submission the kiosk answered is still there
            if status_word == "acknowledged":
                acknowledged += 1
                assert receipt == record.receipt_number  # the citizen's receipt number is the platform's
            else:
                assert status_word == "saved_locally"
            if int(seq) % 3 == 0:
                key = entries[record.entry_id].idempotency_key
                assert uploads.assembled(key, 0) == random.Random(int(seq)).randbytes(IMAGE_BYTES)
        assert acknowledged > 50
        print(f"kills={run} cycles={len(told)} acknowledged={acknowledged} entries={len(entries)} "
              f"chaos={dict(sandbox.chaos.counts)}")


def _cycles(log_path: Path) -> int:
    if not log_path.exists():
        return 0
    return sum(1 for line in log_path.read_text().splitlines() if not line.startswith("ready"))
