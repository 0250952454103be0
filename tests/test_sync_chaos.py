"""The outbox against a misbehaving sandbox: answers lost after commit, 5xx, 429, chunked images."""

from __future__ import annotations

import random
from pathlib import Path

from test_sync_support import TestSandbox, adapter_for, application_body

from kiosk.sandbox.chaos import ChaosSettings
from kiosk.sandbox.uploads import UploadStore
from offline.backoff import Backoff
from offline.model import State
from offline.outbox import Outbox
from offline.sync import SyncWorker


def _drain(worker: SyncWorker, outbox: Outbox, passes: int = 400) -> None:
    for _ in range(passes):
        worker.sync_once(force=True)
        if not outbox.entries(["pending", "sending"]):
            return
    raise AssertionError(f"the outbox did not drain: {outbox.status()}")


def test_answers_lost_after_commit_never_make_duplicates(tmp_path: Path) -> None:
    chaos = ChaosSettings(drop_after_commit=0.5, seed=7)
    with TestSandbox(tmp_path / "sandbox.db", chaos) as sandbox, \
            Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0) as outbox:
        adapter = adapter_for(sandbox.url)
        worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=8 * 1024,
                            backoff=Backoff(base=0.01, cap=0.02, floor=0.0))
        entries = []
        for n in range(30):
            images = [random.Random(n).randbytes(20_000)] if n % 5 == 0 else []
            entries.append(outbox.enqueue("application", application_body(n), images=images))
        _drain(worker, outbox)
        assert sandbox.chaos.counts.get("drop", 0) >= 10  # the answer really was lost, many times

        keys = [a["idempotency_key"] for a in sandbox.applications()]
        for entry in entries:
            assert keys.count(entry.idempotency_key) == 1
            done = outbox.get(entry.id)
            assert done.state is State.DONE and done.ack["receipt_number"]
        for n, entry in enumerate(entries):
            if n % 5 == 0:
                held = sandbox.store.db.execute(
                    "SELECT group_concat(length(data)) FROM upload_chunks WHERE idempotency_key = ?",
                    [entry.idempotency_key]).fetchone()[0]
                assert sum(int(x) for x in held.split(",")) == 20_000  # each chunk stored once
                assert UploadStore(str(tmp_path / "sandbox.db")).assembled(entry.idempotency_key, 0) == \
                    random.Random(n).randbytes(20_000)


def test_errors_throttling_and_delays_end_in_exactly_once(tmp_path: Path) -> None:
    chaos = ChaosSettings(fail_rate=0.3, throttle=0.15, retry_after=0.05, delay=0.01, drop_after_commit=0.2, seed=3)
    with TestSandbox(tmp_path / "sandbox.db", chaos) as sandbox, \
            Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0) as outbox:
        adapter = adapter_for(sandbox.url)
        worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=4096,
                            backoff=Backoff(base=0.01, cap=0.02, floor=0.0))
        entries = [outbox.enqueue("application", application_body(n),
                                  images=[random.Random(n).randbytes(9_000)] if n % 4 == 0 else [])
                   for n in range(20)]
        entries.append(outbox.enqueue("rating", {"item_code": "HJ-001", "level": 5, "reasons": [], "callback": False}))
        _drain(worker, outbox, passes=2000)
        counts = sandbox.chaos.counts
        assert counts.get("throttle") and counts.get("fail500", 0) + counts.get("fail503", 0) and counts.get("drop")
        keys = [a["idempotency_key"] for a in sandbox.applications()]
        for entry in entries[:-1]:
            assert keys.count(entry.idempotency_key) == 1
        assert all(e.state is State.DONE for e in outbox.list())
