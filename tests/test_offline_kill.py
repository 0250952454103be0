"""Crash test: a real child process enqueues and syncs in a loop and is SIGKILLed at random moments.

Afterwards the database must pass ``PRAGMA integrity_check``, every enqueue that returned must still be
there, every entry the platform acknowledged must be done, and after a final drain the platform must hold
each application exactly once (it dedups by idempotency key, and counts resends).
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
from test_offline_support import HttpAdapter, LoopbackPlatform

from offline.model import State
from offline.outbox import Outbox
from offline.sync import SyncWorker

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
KILLS = 20
CHUNK = 16 * 1024

CHILD = """
import random, sys
sys.path[:0] = [sys.argv[4], sys.argv[5]]
from offline.outbox import Outbox
from offline.sync import SyncWorker
from test_offline_support import HttpAdapter

directory, url, run, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[6])
outbox = Outbox(directory + "/outbox.db", directory + "/device.key", reserve_bytes=0)
adapter = HttpAdapter(url)
worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=chunk)
log = open(directory + "/committed.log", "a", buffering=1)
log.write(f"ready {run}\\n")
for n in range(10**6):
    seq = run * 100_000 + n
    images = [random.Random(seq).randbytes(40_000)] if seq % 3 == 0 else []
    outbox.enqueue("application", {"seq": seq, "name": "张三"}, images=images, meta={"seq": seq})
    log.write(f"{seq}\\n")  # only after enqueue returned: this one must never be lost
    worker.sync_once()
"""


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    log_path = tmp_path / "committed.log"
    rng = random.Random(20240601)
    with LoopbackPlatform(delay=0.002) as platform:
        for run in range(KILLS):
            child = subprocess.Popen(
                [sys.executable, str(script), str(tmp_path), platform.url, str(run), str(REPO), str(TESTS), str(CHUNK)],
                stderr=subprocess.PIPE,
            )
            deadline = time.monotonic() + 20
            while f"ready {run}\n" not in (log_path.read_text() if log_path.exists() else ""):
                assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
                assert time.monotonic() < deadline, "child did not start"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.02, 0.4))
            child.send_signal(signal.SIGKILL)
            child.wait()
            assert child.returncode == -signal.SIGKILL

        raw = sqlite3.connect(tmp_path / "outbox.db")
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        raw.close()

        committed = {int(line) for line in log_path.read_text().splitlines() if line.isdigit()}
        with Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0) as outbox:
            entries = outbox.list()
            by_seq = {entry.meta["seq"]: entry for entry in entries}
            assert len(by_seq) == len(entries), "an application was queued twice"
            assert committed <= set(by_seq), "a committed enqueue was lost"
            assert len(committed) > 2 * KILLS  # the children got real work done between kills
            for entry in entries:
                if entry.state is State.DONE:  # acknowledged: the platform has it, under the same receipt
                    assert entry.ack == {"receipt_no": platform.receipts[entry.idempotency_key]}

            adapter = HttpAdapter(platform.url)
            SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=CHUNK).sync_once()
            assert {entry.state for entry in outbox.list()} == {State.DONE}

        # Exactly once at the platform: one key per application, the right body, the right image bytes.
        assert set(platform.applied) == {entry.idempotency_key for entry in entries}
        for seq, entry in by_seq.items():
            assert platform.applied[entry.idempotency_key]["payload"]["seq"] == seq
            if seq % 3 == 0:
                expected = random.Random(seq).randbytes(40_000)
                assert bytes(platform.uploads[(entry.idempotency_key, 0)]) == expected
        resent_chunks = len(platform.chunk_offsets) - len(set(platform.chunk_offsets))
        assert resent_chunks <= KILLS  # at most the chunk in flight at each kill goes twice
        print(
            f"kills={KILLS} entries={len(entries)} done_before_drain="
            f"{sum(e.state is State.DONE for e in entries)} resent_posts={sum(platform.posts.values()) - len(platform.applied)}"
            f" resent_chunks={resent_chunks}"
        )
