"""The document camera (高拍仪) in `kiosk diagnose` and in the heartbeat (issue #17).

`kiosk diagnose --json` runs as a technician runs it (a subprocess, a config file, the sandbox on loopback)
with the simulated 高拍仪 working and with it unplugged (``sim://?fault=…``, the simulator's fault switch).
The heartbeat comes from a real runtime: the platform hears the 高拍仪's state, and hears promptly when it
fails while a citizen photographs papers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_diag_cli import SECRET, diagnose, write_config

from kiosk.config import demo_config
from kiosk.diagnostics import collect_from_runtime
from kiosk.runtime import KioskRuntime
from kiosk.sandbox.security import install_security, single_secret
from kiosk.sandbox.server import EmbeddedSandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    server = EmbeddedSandbox(tmp_path_factory.mktemp("sandbox") / "sandbox.db").start()
    install_security(server.app, single_secret(SECRET))
    yield server
    server.stop()


def with_doc_camera(config: Path, url: str) -> Path:
    text = config.read_text(encoding="utf-8")
    config.write_text(text + f'doc_camera = "{url}"\n', encoding="utf-8")  # [devices] is the last section
    return config


def test_diagnose_lists_a_working_doc_camera_with_its_kind_and_last_frame(tmp_path: Path, sandbox) -> None:
    code, report = diagnose(with_doc_camera(write_config(tmp_path, sandbox.url), "sim://"))
    assert code == 0, report["problems"]
    doc = next(d for d in report["devices"] if d["name"] == "doc_camera")
    assert (doc["state"], doc["kind"], doc["url"], doc["required"]) == ("ok", "sim", "sim://", False)
    assert "last frame" in doc["reason"] and "s ago" in doc["reason"], doc["reason"]
    assert not any("document camera" in line for line in report["warnings"])


def test_diagnose_says_how_to_fix_an_unplugged_doc_camera(tmp_path: Path, sandbox) -> None:
    config = with_doc_camera(write_config(tmp_path, sandbox.url), "sim://?fault=USB device disconnected")
    code, report = diagnose(config)
    assert code == 0  # not a required device: citizens go on without photos
    doc = next(d for d in report["devices"] if d["name"] == "doc_camera")
    assert doc["state"] == "fault" and doc["kind"] == "sim"
    assert "USB device disconnected" in doc["reason"]
    assert "USB cable" in doc["reason"] and "counter" in doc["reason"]  # the fix, and what citizens do meanwhile
    assert any(w.startswith("document camera sim://") and "fix:" in w for w in report["warnings"]), report["warnings"]


def test_diagnose_shows_a_doc_camera_switched_off(tmp_path: Path, sandbox) -> None:
    code, report = diagnose(write_config(tmp_path, sandbox.url))
    doc = next(d for d in report["devices"] if d["name"] == "doc_camera")
    assert (doc["state"], doc["kind"]) == ("disabled", "none")


def wait_for(condition, what: str, timeout: float = 15.0):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def heartbeat_doc_camera(runtime: KioskRuntime) -> dict | None:
    db = runtime.sandbox.app.state.store.db
    rows = list(db["heartbeats"].rows_where("device_id = ?", [runtime.config.kiosk.device_id]))
    body = json.loads(rows[0]["body"]) if rows and rows[0]["body"] else {}
    return (body.get("devices") or {}).get("doc_camera")


def test_the_heartbeat_carries_the_doc_camera_and_its_fault(tmp_path: Path) -> None:
    runtime = KioskRuntime(demo_config(tmp_path)).start()  # the demo's 高拍仪 is the simulated one
    try:
        beat = wait_for(lambda: heartbeat_doc_camera(runtime), "the start-up heartbeat")
        assert beat["state"] == "ok" and "idle" in beat["reason"]  # idle between citizens is not a fault
        assert runtime.device_states()["doc_camera"].state == "ok"

        camera = runtime.doc_camera.start()  # a citizen photographs papers ...
        wait_for(lambda: camera.frame_age_s is not None, "the first frame")
        camera.simulator.fault("USB device disconnected")  # ... and the cable is pulled
        wait_for(lambda: runtime.device_states()["doc_camera"].state == "fault", "the fault to show")
        runtime.heartbeat.notify_change()  # what the device monitor does on a change
        beat = wait_for(lambda: (b := heartbeat_doc_camera(runtime)) and b["state"] == "fault" and b, "the beat")
        # First "stopped delivering frames", then, reconnecting, the cause (the beat is sent on the state change).
        assert ("stopped delivering" in beat["reason"] or "USB device disconnected" in beat["reason"]) \
            and "fix:" in beat["reason"], beat["reason"]

        report = collect_from_runtime(runtime)  # diagnostics from the running app agree
        assert report.device("doc_camera").state == "fault"
        camera.simulator.heal()
        wait_for(lambda: runtime.device_states()["doc_camera"].state == "ok", "the recovery", 10)
    finally:
        runtime.stop()


def test_the_table_keeps_its_columns_straight_with_the_doc_camera(tmp_path: Path, sandbox) -> None:
    """The technician's table: "doc_camera" is wider than the other names and used to push its row askew."""
    config = with_doc_camera(write_config(tmp_path, sandbox.url), "sim://")
    done = subprocess.run([sys.executable, "-m", "cli.main", "diagnose", "--config", str(config)],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parent.parent)
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("DEVICE"))
    rows = [line for line in lines if line.split(" ")[0] in ("printer", "camera", "doc_camera", "idreader", "scanner")]
    assert len(rows) == 5
    for column in ("STATE", "REQUIRED", "URL"):
        at = header.index(column)
        assert all(row[at - 1] == " " and row[at] != " " for row in rows), (column, rows)
