"""``kiosk queue status|list|retry|purge-dead`` and ``kiosk sync --once`` as a technician runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_sync_support import DEVICE_ID, SECRET, TestSandbox, application_body

from kiosk.submission import Submitter
from offline.outbox import Outbox

REPO = Path(__file__).resolve().parent.parent


def _kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture()
def setup(tmp_path: Path):
    with TestSandbox(tmp_path / "sandbox.db") as sandbox:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[kiosk]\ndevice_id = "{DEVICE_ID}"\nstate_dir = "{tmp_path / "state"}"\n'
            f'[platform]\nurl = "{sandbox.url}"\ndevice_secret = "{SECRET}"\n', encoding="utf-8")
        outbox_dir = tmp_path / "state" / "outbox"
        with Outbox(outbox_dir / "outbox.db", outbox_dir / "device.key", reserve_bytes=0) as outbox:
            submitter = Submitter(outbox, None, DEVICE_ID, wait_s=0)
            for n in range(3):
                submitter.submit_application(application_body(n))
            bad = application_body(9)
            bad["item_code"] = "NO-SUCH-ITEM"  # the platform refuses it for good (422): it goes dead
            submitter.submit_application(bad)
        yield sandbox, str(config)


def test_status_list_sync_retry_purge(setup) -> None:
    sandbox, config = setup
    status = _kiosk("queue", "status", "--json", "--config", config)
    assert status.returncode == 0, status.stdout + status.stderr
    assert json.loads(status.stdout)["depth"] == 4

    listing = _kiosk("queue", "list", "--config", config)
    assert listing.returncode == 0 and "K-KIOSK-DEMO-01-" in listing.stdout
    for personal in ("410105195003152015", "张建国", "13912345678"):
        assert personal not in listing.stdout + status.stdout

    synced = _kiosk("sync", "--once", "--config", config)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "sent 3, dead 1" in synced.stdout
    entries = json.loads(_kiosk("queue", "list", "--json", "--config", config).stdout)
    assert [e["state"] for e in entries] == ["done", "done", "done", "dead"]
    assert all(e["ack"]["receipt_number"].startswith("ZW") for e in entries[:3])
    assert "HTTP 422" in entries[3]["last_error"]

    assert _kiosk("queue", "retry", "--config", config).returncode == 2  # ids or --all
    retried = _kiosk("queue", "retry", "--all", "--json", "--config", config)
    assert json.loads(retried.stdout) == {"retried": 1}
    assert json.loads(_kiosk("queue", "status", "--json", "--config", config).stdout)["depth"] == 1
    assert json.loads(_kiosk("sync", "--once", "--json", "--config", config).stdout)["dead"] == 1

    refused = _kiosk("queue", "purge-dead", "--config", config)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    purged = _kiosk("queue", "purge-dead", "--yes", "--json", "--config", config)
    assert json.loads(purged.stdout) == {"purged": 1}
    final = json.loads(_kiosk("queue", "status", "--json", "--config", config).stdout)
    assert (final["depth"], final["dead"], final["done"]) == (0, 0, 3)
    assert len([a for a in sandbox.applications() if a["item_code"] == "HJ-001"
                and a["receipt_number"] in {e["ack"]["receipt_number"] for e in entries[:3]}]) == 3


def test_help_everywhere_and_a_fresh_kiosk_has_an_empty_queue(tmp_path: Path) -> None:
    for args in (["queue", "--help"], ["queue", "status", "--help"], ["queue", "purge-dead", "--help"],
                 ["sync", "--help"], ["sandbox", "--help"]):
        assert _kiosk(*args).returncode == 0
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nstate_dir = "{tmp_path}"\n', encoding="utf-8")
    fresh = _kiosk("queue", "status", "--config", str(config))
    assert fresh.returncode == 0 and "nothing was ever queued" in fresh.stdout
    # A monitoring script gets JSON with zeros on a kiosk that never queued anything (issue #14), and nothing
    # is created on disk by looking.
    answer = _kiosk("queue", "status", "--json", "--config", str(config))
    counts = json.loads(answer.stdout)
    assert answer.returncode == 0 and (counts["depth"], counts["dead"], counts["exists"]) == (0, 0, False)
    assert json.loads(_kiosk("queue", "list", "--json", "--config", str(config)).stdout) == []
    assert not (tmp_path / "outbox").exists()
