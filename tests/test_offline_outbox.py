"""The outbox on real SQLite files: one transaction with the caller's rows, heartbeats, status, dead entries,
disk full, and no personal data in clear bytes on disk before or after sync."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fakes import FakeClock
from test_offline_support import HttpAdapter, LoopbackPlatform

from offline.errors import OutboxUnavailable
from offline.model import Kind, State
from offline.outbox import Outbox
from offline.sync import SyncWorker

REPO = Path(__file__).resolve().parents[1]
NAME = "欧阳娜娜"
ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock):
    with Outbox(tmp_path / "data" / "outbox.db", tmp_path / "keys" / "device.key", clock=clock) as box:
        yield box


def application(n: int = 1) -> dict:
    return {"item": "shebao-001", "applicant": {"name": NAME, "id_number": ID_NUMBER, "phone": PHONE}, "n": n}


def test_callers_row_and_entry_commit_together_or_not_at_all(tmp_path: Path, outbox: Outbox) -> None:
    with outbox.transaction() as tx:
        tx.execute("CREATE TABLE applications (local_id INTEGER PRIMARY KEY, entry_id INTEGER, item TEXT)")
    with outbox.transaction() as tx:
        entry = tx.enqueue(Kind.APPLICATION, application(), meta={"item": "shebao-001"})
        tx.execute("INSERT INTO applications (entry_id, item) VALUES (?, ?)", (entry.id, "shebao-001"))

    # sqlite-utils writes commit on their own (``with conn:``); inside our transaction they must not.
    with pytest.raises(RuntimeError, match="citizen cancelled"), outbox.transaction() as tx:
        tx.db["applications"].insert({"entry_id": -1, "item": "gongjijin"})
        tx.enqueue(Kind.APPLICATION, application(2))
        raise RuntimeError("citizen cancelled")

    outbox.close()
    with Outbox(tmp_path / "data" / "outbox.db", tmp_path / "keys" / "device.key") as reopened:
        assert [e.id for e in reopened.list()] == [entry.id]
        rows = reopened._db.execute("SELECT entry_id, item FROM applications").fetchall()
        assert rows == [(entry.id, "shebao-001")]
        assert reopened.read_payload(reopened.get(entry.id)) == application()


def test_enqueue_makes_a_uuid4_key_and_pending_metadata(outbox: Outbox, clock: FakeClock) -> None:
    entry = outbox.enqueue("rating", {"stars": 5, "receipt_no": "R000001"}, meta={"item": "shebao-001"})
    assert entry.kind is Kind.RATING and entry.state is State.PENDING and entry.attempts == 0
    assert entry.created_at == clock.now and entry.next_attempt_at == clock.now
    assert len(entry.idempotency_key) == 36 and entry.idempotency_key[14] == "4"
    assert outbox.get(entry.id) == entry


def test_heartbeat_keeps_only_the_newest_pending_one(outbox: Outbox) -> None:
    first = outbox.enqueue(Kind.HEARTBEAT, {"seq": 1})
    outbox.enqueue(Kind.APPLICATION, application())
    for seq in (2, 3):
        outbox.enqueue(Kind.HEARTBEAT, {"seq": seq})
    heartbeats = outbox.list(kind=Kind.HEARTBEAT)
    assert len(heartbeats) == 1 and heartbeats[0].id != first.id
    assert outbox.read_payload(heartbeats[0]) == {"seq": 3}

    # A heartbeat already handed to the platform is not deleted under the worker's feet.
    in_flight = outbox.begin_sending(heartbeats[0].id)
    outbox.enqueue(Kind.HEARTBEAT, {"seq": 4})
    states = {e.id: e.state for e in outbox.list(kind=Kind.HEARTBEAT)}
    assert states[in_flight.id] is State.SENDING and len(states) == 2


def test_status_and_list_carry_metadata_only(outbox: Outbox, clock: FakeClock) -> None:
    outbox.enqueue(Kind.APPLICATION, application(), meta={"item": "shebao-001"})
    clock.advance(90)
    outbox.enqueue(Kind.RATING, {"stars": 1, "reason": "排队太久"})
    status = outbox.status()
    assert (status.depth, status.sending, status.dead, status.done) == (2, 0, 0, 0)
    assert status.oldest_pending_age == pytest.approx(90)
    assert status.last_success_at is None and status.last_error is None
    listing = json.dumps([repr(e) for e in outbox.list()] + [status.as_dict()], ensure_ascii=False)
    for secret in (NAME, ID_NUMBER, PHONE, "排队太久"):
        assert secret not in listing


@pytest.mark.parametrize("value", [ID_NUMBER, f"phone {PHONE}"])
def test_clear_text_metadata_refuses_personal_looking_values(outbox: Outbox, value: str) -> None:
    with pytest.raises(ValueError, match="encrypted"):
        outbox.enqueue(Kind.APPLICATION, application(), meta={"note": value})
    assert outbox.list() == []


def test_files_are_private_to_the_kiosk_user(tmp_path: Path, outbox: Outbox) -> None:
    outbox.enqueue(Kind.APPLICATION, application())
    for path in (tmp_path / "data" / "outbox.db", tmp_path / "keys" / "device.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_dead_entries_are_kept_until_a_technician_acts(outbox: Outbox) -> None:
    entries = [outbox.enqueue(Kind.APPLICATION, application(n)) for n in range(3)]
    for entry in entries:
        outbox.begin_sending(entry.id)
        outbox.mark_dead(entry.id, "rejected (HTTP 400): HTTP 400")
    assert outbox.status().dead == 3 and outbox.status().last_error == "rejected (HTTP 400): HTTP 400"

    assert outbox.retry_dead([entries[0].id]) == 1
    again = outbox.get(entries[0].id)
    assert again.state is State.PENDING and again.attempts == 0
    assert outbox.read_payload(again) == application(0)  # the payload survived its time as dead

    assert outbox.purge_dead([entries[1].id]) == 1
    assert [e.id for e in outbox.list(states=[State.DEAD])] == [entries[2].id]
    assert outbox.retry_dead("all") == 1
    assert outbox.status().depth == 2 and outbox.status().dead == 0


def _raw_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def test_personal_data_is_never_in_clear_bytes_and_is_erased_after_sync(tmp_path: Path, outbox: Outbox) -> None:
    secrets = [NAME.encode(), ID_NUMBER.encode(), PHONE.encode()]
    # A scanned ID card whose bytes happen to contain the ID number as text (as OCR'd PDFs do).
    image = b"\xff\xd8\xff\xe0" + b"SCAN " + ID_NUMBER.encode() + NAME.encode() + os.urandom(300_000)
    entries = [outbox.enqueue(Kind.APPLICATION, application(n), images=[image]) for n in range(5)]
    outbox.enqueue(Kind.RATING, {"stars": 5, "name": NAME, "phone": PHONE})

    # Sealed records as they sit in the file, to prove later that even the ciphertext was erased.
    probe = sqlite3.connect(outbox.path)
    sealed = [row[0][40:72] for row in probe.execute("SELECT data FROM outbox_payloads")]
    sealed += [row[0][100_000:100_032] for row in probe.execute("SELECT data FROM outbox_image_data")]
    probe.close()
    before = _raw_bytes(tmp_path / "data")
    assert all(chunk in before for chunk in sealed)  # the probe looks at the right bytes
    for secret in secrets:
        assert secret not in before, "personal data in clear text before sync"

    with LoopbackPlatform() as platform:
        adapter = HttpAdapter(platform.url)
        report = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk).sync_once()
    assert report.sent == 6
    assert {e.state for e in outbox.list()} == {State.DONE}
    assert outbox.get(entries[0].id).ack == {"receipt_no": "R000001"}

    wal = tmp_path / "data" / "outbox.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpoint(TRUNCATE) left no old page copies
    after = _raw_bytes(tmp_path / "data")
    for secret in secrets:
        assert secret not in after, "personal data in clear text after sync"
    leftovers = [chunk for chunk in sealed if chunk in after]
    assert not leftovers, "acknowledged ciphertext still in the file (secure_delete/checkpoint)"


def test_full_disk_refuses_new_entries_and_keeps_queued_ones(tmp_path: Path, clock: FakeClock) -> None:
    db_path, key_path = tmp_path / "outbox.db", tmp_path / "device.key"
    image = b"\xff\xd8\xff" + os.urandom(60_000)
    with Outbox(db_path, key_path, clock=clock, max_bytes=512 * 1024) as outbox:
        with outbox.transaction() as tx:
            tx.execute("CREATE TABLE applications (entry_id INTEGER)")
        queued = []
        with pytest.raises(OutboxUnavailable) as caught:
            for n in range(100):
                with outbox.transaction() as tx:
                    entry = tx.enqueue(Kind.APPLICATION, application(n), images=[image])
                    tx.execute("INSERT INTO applications VALUES (?)", (entry.id,))
                queued.append(entry)
        message = str(caught.value)
        assert str(db_path) in message and "full" in message
        assert 3 <= len(queued) < 100

        # Nothing half-written, nothing lost: every committed entry and its local row is intact.
        assert [e.id for e in outbox.list()] == [e.id for e in queued]
        assert outbox._db.execute("SELECT count(*) FROM applications").fetchone()[0] == len(queued)
        assert outbox.read_payload(queued[-1]) == application(len(queued) - 1)
        assert outbox.status().depth == len(queued)

        # Once the queue drains, the space is reused and applications are accepted again.
        with LoopbackPlatform() as platform:
            adapter = HttpAdapter(platform.url)
            assert SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk).sync_once().sent == len(queued)
        outbox.enqueue(Kind.APPLICATION, application(), images=[image])
    check = sqlite3.connect(db_path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_TMPFS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, sys.argv[2])
    from offline.errors import OutboxUnavailable
    from offline.outbox import Outbox
    root = sys.argv[1]
    box = Outbox(root + "/outbox.db", root + "/device.key", reserve_bytes=256 * 1024)
    done, error = 0, None
    try:
        for n in range(1000):
            box.enqueue("application", {"n": n, "name": "x" * 100}, images=[b"\\xff\\xd8\\xff" + os.urandom(50_000)])
            done += 1
    except OutboxUnavailable as exc:
        error = str(exc)
    box.close()
    again = Outbox(root + "/outbox.db", root + "/device.key", reserve_bytes=256 * 1024)
    listed = len(again.list())
    # The disk is still full: acknowledging must still work, and free the space for new applications.
    from offline.sync import SyncWorker
    sent = SyncWorker(again, lambda entry, payload, images: {"receipt_no": str(entry.id)}).sync_once().sent
    again.enqueue("application", {"n": -1}, images=[bytes([0xFF, 0xD8, 0xFF]) + os.urandom(50_000)])
    ok = again._db.execute("PRAGMA integrity_check").fetchone()[0]
    print(json.dumps({"done": done, "error": error, "listed": listed, "sent": sent, "integrity": ok}))
    """
)


def test_full_disk_on_a_real_tiny_tmpfs(tmp_path: Path) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("unshare not available")
    mount = tmp_path / "tiny"
    mount.mkdir()
    script = tmp_path / "fill.py"
    script.write_text(_TMPFS_SCRIPT)
    command = (
        f"mount -t tmpfs -o size=1m none {mount} && exec {sys.executable} {script} {mount} {REPO}"
    )
    run = subprocess.run(["unshare", "-rm", "sh", "-c", command], capture_output=True, text=True, timeout=60)
    if run.returncode != 0 and "mount" in run.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["error"] and "full" in result["error"] and "outbox.db" in result["error"]
    assert result["listed"] == result["done"] == result["sent"] > 3
    assert result["integrity"] == "ok"


def test_a_mistake_in_the_callers_sql_is_not_reported_as_a_full_disk(outbox: Outbox) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"), outbox.transaction() as tx:
        tx.enqueue(Kind.APPLICATION, application())
        tx.execute("INSERT INTO no_such_table VALUES (1)")
    assert outbox.list() == []  # the entry went with the failed transaction


def test_enqueue_inside_a_transaction_joins_it(outbox: Outbox) -> None:
    with pytest.raises(RuntimeError), outbox.transaction():
        outbox.enqueue(Kind.RATING, {"stars": 3})  # e.g. a helper that does not know about the transaction
        raise RuntimeError("abandoned")
    assert outbox.list() == []


def test_done_records_can_be_pruned_after_their_retention(outbox: Outbox, clock: FakeClock) -> None:
    old = outbox.enqueue(Kind.APPLICATION, application())
    outbox.begin_sending(old.id)
    outbox.mark_done(old.id, {"receipt_no": "R1"})
    clock.advance(86400 * 31)
    recent = outbox.enqueue(Kind.APPLICATION, application())
    outbox.begin_sending(recent.id)
    outbox.mark_done(recent.id, {"receipt_no": "R2"})
    assert outbox.prune_done(older_than=clock.now - 86400 * 30) == 1
    assert [e.ack for e in outbox.list()] == [{"receipt_no": "R2"}]
