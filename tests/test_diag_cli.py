"""`kiosk diagnose --json` as a technician or a monitoring system runs it: a subprocess, a config file, simulated
devices in healthy and faulty states, a real sandbox platform on loopback, a real outbox file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.sandbox.security import install_security, single_secret
from kiosk.sandbox.server import EmbeddedSandbox
from offline.outbox import Outbox

ROOT = Path(__file__).resolve().parents[1]
NOBODY_LISTENS = "http://127.0.0.1:9"  # the discard port: nothing listens there on a test machine


SECRET = "diag-test-device-secret-0123"  # not the public demo secret: that one is a fault on a real kiosk


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory):
    server = EmbeddedSandbox(tmp_path_factory.mktemp("sandbox") / "sandbox.db").start()
    install_security(server.app, single_secret(SECRET))
    yield server
    server.stop()


def write_config(tmp_path: Path, platform: str, *, printer: str = "", idreader: str = "sim://",
                 camera: str = "none", required: tuple[str, ...] = ("printer",)) -> Path:
    printer = printer or f"sim://{tmp_path / 'printer'}"
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[kiosk]
device_id = "KIOSK-DIAG-01"
state_dir = "{tmp_path / 'state'}"

[platform]
url = "{platform}"
device_secret = "{SECRET}"
connect_timeout_s = 1
read_timeout_s = 2

[devices]
printer = "{printer}"
idreader = "{idreader}"
camera = "{camera}"
scanner = "keyboard"
required = {json.dumps(list(required))}
""",
        encoding="utf-8",
    )
    return path


def diagnose(config: Path, *extra: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "diagnose", "--config", str(config), "--json", *extra],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    return done.returncode, json.loads(done.stdout)


def test_healthy_kiosk_exits_0_with_platform_round_trip_and_clock_skew(tmp_path: Path, sandbox) -> None:
    code, report = diagnose(write_config(tmp_path, sandbox.url, required=("printer", "idreader")))
    assert code == 0, report["problems"]
    assert report["healthy"] is True and report["problems"] == []
    states = {d["name"]: (d["state"], d["required"]) for d in report["devices"]}
    assert states == {"printer": ("ok", True), "idreader": ("ok", True), "camera": ("disabled", False),
                      "doc_camera": ("disabled", False), "scanner": ("ok", False)}
    platform = report["platform"]
    assert platform["reachable"] is True and platform["rtt_ms"] >= 0
    assert abs(platform["clock_skew_s"]) < 5  # same machine: only the Date header's whole seconds differ
    assert report["system"]["version"] and report["system"]["disk_free_bytes"] > 0
    assert report["system"]["mem_available_bytes"] > 0


def test_paper_out_on_a_required_printer_exits_1_with_the_reason(tmp_path: Path, sandbox) -> None:
    config = write_config(tmp_path, sandbox.url, printer=f"sim://{tmp_path / 'p'}?simulate=paper_out")
    code, report = diagnose(config)
    assert code == 1 and report["exit_status"] == 1
    printer = next(d for d in report["devices"] if d["name"] == "printer")
    assert printer["state"] == "fault" and "paper roll is empty" in printer["reason"]
    assert report["healthy"] is False and any("paper roll is empty" in p for p in report["problems"])


def test_paper_near_end_is_a_warning_not_a_failure(tmp_path: Path, sandbox) -> None:
    config = write_config(tmp_path, sandbox.url, printer=f"sim://{tmp_path / 'p'}?simulate=paper_near_end")
    code, report = diagnose(config)
    assert code == 0
    assert any("nearly used up" in w for w in report["warnings"])


def test_silent_required_reader_exits_1_and_says_no_answer(tmp_path: Path, sandbox) -> None:
    config = write_config(tmp_path, sandbox.url, idreader="sim://?silent=1", required=("printer", "idreader"))
    code, report = diagnose(config)
    assert code == 1
    reader = next(d for d in report["devices"] if d["name"] == "idreader")
    assert reader["state"] == "fault" and "no answer" in reader["reason"]


def test_camera_gone_fails_only_when_required(tmp_path: Path, sandbox) -> None:
    config = write_config(tmp_path, sandbox.url, camera="v4l2:///dev/video99", required=("printer", "camera"))
    code, report = diagnose(config)
    assert code == 1
    camera = next(d for d in report["devices"] if d["name"] == "camera")
    assert camera["state"] == "fault" and "/dev/video99" in camera["reason"]

    code, report = diagnose(write_config(tmp_path, sandbox.url, camera="v4l2:///dev/video99"))
    assert code == 0 and any("/dev/video99" in w for w in report["warnings"])


def test_platform_down_is_reported_but_not_a_failure(tmp_path: Path) -> None:
    code, report = diagnose(write_config(tmp_path, NOBODY_LISTENS))
    assert code == 0
    assert report["platform"]["reachable"] is False and "cannot connect" in report["platform"]["error"]
    assert any("platform not reachable" in w for w in report["warnings"])


def _outbox(tmp_path: Path, clock=time.time) -> Outbox:
    directory = tmp_path / "state" / "outbox"
    return Outbox(directory / "outbox.db", directory / "device.key", clock=clock, reserve_bytes=0)


def test_dead_outbox_entries_exit_4_and_with_a_paper_fault_5(tmp_path: Path) -> None:
    config = write_config(tmp_path, NOBODY_LISTENS)
    with _outbox(tmp_path) as outbox:
        entry = outbox.enqueue("application", {"item_code": "HJ-001"})
        outbox.begin_sending(entry.id)
        outbox.mark_dead(entry.id, "rejected (HTTP 422): form field missing")
    code, report = diagnose(config)
    assert code == 4
    assert report["outbox"]["dead"] == 1 and report["outbox_unhealthy"] is True
    assert any("1 dead entry" in p and "HTTP 422" in p for p in report["problems"])

    config = write_config(tmp_path, NOBODY_LISTENS, printer=f"sim://{tmp_path / 'p'}?simulate=paper_out")
    code, _ = diagnose(config)
    assert code == 5


def test_entries_pending_too_long_make_the_outbox_unhealthy(tmp_path: Path) -> None:
    config = write_config(tmp_path, NOBODY_LISTENS)
    three_hours_ago = time.time() - 3 * 3600
    with _outbox(tmp_path, clock=lambda: three_hours_ago) as outbox:
        outbox.enqueue("rating", {"level": 5})
    code, report = diagnose(config)
    assert code == 4
    assert report["outbox"]["pending"] == 1 and report["outbox"]["oldest_pending_age_s"] > 2 * 3600
    assert any("has waited" in p for p in report["problems"])
    code, _ = diagnose(config, "--stale-after", "600")  # minutes: a looser limit
    assert code == 0


def test_missing_config_is_named_with_exit_78(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    done = subprocess.run([sys.executable, "-m", "cli.main", "diagnose", "--config", str(missing)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 78
    assert str(missing) in done.stderr and "not found" in done.stderr


def test_table_output_names_the_faulty_device(tmp_path: Path) -> None:
    config = write_config(tmp_path, NOBODY_LISTENS, printer=f"sim://{tmp_path / 'p'}?simulate=cover_open")
    done = subprocess.run([sys.executable, "-m", "cli.main", "diagnose", "--config", str(config)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1
    assert "UNHEALTHY" in done.stdout and "cover is open" in done.stdout and "UNREACHABLE" in done.stdout


@pytest.mark.parametrize(("text", "named"), [
    ("", "[platform] is missing"),
    ('[kiosk]\ndevice_id = "KIOSK-X-01"\n', "[platform] is missing"),
    ('[platform]\nurl = "http://127.0.0.1:9"\ndevice_secret = "demo-device-secret-change-me"\n', "public demo secret"),
    ('[platform]\nurl = "embedded"\ndevice_secret = "a-real-secret-0123456789"\n', "url = 'embedded'"),
])
def test_a_real_kiosk_with_the_demo_platform_settings_is_unhealthy(tmp_path: Path, text: str, named: str) -> None:
    # Issue #14: an empty file used to run against the embedded sandbox with the public secret, and diagnose
    # said HEALTHY. Now diagnose names it (exit bit 8) and `kiosk run` refuses to start with it.
    config = tmp_path / "kiosk.toml"
    config.write_text(f'{text}\n[devices]\nprinter = "sim://{tmp_path / "p"}"\n' if "[devices]" not in text else text,
                      encoding="utf-8")
    text_state = config.read_text(encoding="utf-8").replace("[kiosk]\n", f'[kiosk]\nstate_dir = "{tmp_path}"\n', 1)
    if "[kiosk]" not in text_state:
        text_state = f'[kiosk]\nstate_dir = "{tmp_path}"\n' + text_state
    config.write_text(text_state, encoding="utf-8")
    code, report = diagnose(config, "--no-devices")
    assert code & 8 and report["demo_config"] is True and report["healthy"] is False
    assert any(named in problem for problem in report["problems"])
    run = subprocess.run([sys.executable, "-m", "cli.main", "run", "--config", str(config)],
                         capture_output=True, text=True, timeout=60, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert run.returncode == 78 and named in run.stderr and "Traceback" not in run.stderr
