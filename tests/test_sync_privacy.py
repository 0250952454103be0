"""After sync and the purge of done records, the citizen's ID number, name and phone are nowhere on disk or
in the logs: not in the outbox database, not in its WAL, not in any log line of the run."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from test_sync_support import DEVICE_ID, TestSandbox, adapter_for, application_body

from kiosk.logging_setup import RedactingFilter
from kiosk.sandbox.chaos import ChaosSettings
from kiosk.submission import Submitter
from offline.backoff import Backoff
from offline.outbox import Outbox
from offline.sync import SyncWorker

CITIZEN = {"id_number": "410102194811023023", "name": "李秀英", "phone": "13812345678"}


def _needles() -> dict[str, bytes]:
    return {
        "id number": CITIZEN["id_number"].encode(),
        "name (UTF-8)": CITIZEN["name"].encode("utf-8"),
        "name (GB18030)": CITIZEN["name"].encode("gb18030"),
        "phone": CITIZEN["phone"].encode(),
    }


def test_no_personal_data_left_after_sync(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    chaos = ChaosSettings(fail_rate=0.3, drop_after_commit=0.3, seed=11)
    with TestSandbox(tmp_path / "sandbox.db", chaos) as sandbox:
        outbox = Outbox(tmp_path / "outbox" / "outbox.db", tmp_path / "outbox" / "device.key", reserve_bytes=0)
        submitter = Submitter(outbox, None, DEVICE_ID, wait_s=0)
        adapter = adapter_for(sandbox.url)
        worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk, chunk_size=8192,
                            backoff=Backoff(base=0.01, cap=0.02, floor=0.0))
        photo = b"\xff\xd8\xff" + CITIZEN["name"].encode("gb18030") * 2000  # personal data inside an image too
        references = [submitter.submit_application(application_body(n, CITIZEN), images=[photo] if n % 2 else [])
                      .local_reference for n in range(6)]
        for _ in range(500):
            worker.sync_once()
            if outbox.status().depth == 0:
                break
        assert outbox.status().depth == 0
        assert all(submitter.record(r).receipt_number for r in references)
        outbox.prune_done(older_than=outbox.clock() + 1)
        outbox.close()
        # The platform does hold it (the point of syncing): the needle really was sent.
        assert sandbox.store.db.execute("SELECT count(*) FROM applications WHERE applicant_id_number = ?",
                                        [CITIZEN["id_number"]]).fetchone()[0] == 6

    files = sorted((tmp_path / "outbox").iterdir())
    assert any(p.name == "outbox.db" for p in files)
    logs = "\n".join(caplog.messages).encode()
    # what a journal would hold, formatted through the kiosk's redacting handler
    formatted = "\n".join(logging.Formatter("%(name)s %(message)s").format(r) for r in caplog.records
                          if RedactingFilter().filter(r)).encode()
    for what, needle in _needles().items():
        for path in files:
            assert needle not in path.read_bytes(), f"{what} found in {path.name}"
        assert needle not in logs and needle not in formatted, f"{what} found in the log"
