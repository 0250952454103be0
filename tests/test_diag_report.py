"""collect() as the app calls it (with its open devices, client and outbox) and the verdict's rules."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devices.printer import open_printer
from devices.status import DeviceStatus
from kiosk.availability import Level, assess
from kiosk.config import demo_config, parse_config
from kiosk.diagnostics import collect, collect_from_runtime, statuses_from_report
from kiosk.platform_client import PlatformClient
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.sandbox.server import EmbeddedSandbox
from offline.outbox import Outbox


@pytest.fixture
def sandbox(tmp_path: Path):
    server = EmbeddedSandbox(tmp_path / "sandbox.db").start()
    yield server
    server.stop()


def config_for(tmp_path: Path, url: str, **devices: object):
    return parse_config({"kiosk": {"state_dir": str(tmp_path / "state")}, "platform": {"url": url},
                         "devices": {"camera": "none", **devices}}, "<test>")


def test_the_apps_open_devices_client_and_outbox_are_used(tmp_path: Path, sandbox) -> None:
    config = config_for(tmp_path, sandbox.url, required=["printer", "idreader"])
    printer = open_printer(f"sim://{tmp_path / 'printer'}")
    printer.virtual.simulate(paper_near_end=True)
    client = PlatformClient(sandbox.url, config.kiosk.device_id, 1, 2, device_secret=DEMO_DEVICE_SECRET)
    with Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0) as outbox:
        entry = outbox.enqueue("rating", {"level": 4})
        outbox.begin_sending(entry.id)
        outbox.mark_done(entry.id, {"ok": True})
        outbox.enqueue("rating", {"level": 5})
        reader_down = DeviceStatus.fault("ID card reader: no answer on /dev/ttyUSB0 within 1.5 s")
        report = collect(config, devices={"printer": printer, "idreader": reader_down}, client=client,
                         outbox=outbox, started_at=time.time() - 90)
    client.close()
    printer.close()

    assert report.device("printer").state == "degraded" and "nearly used up" in report.device("printer").reason
    assert report.device("idreader").reason.endswith("within 1.5 s") and report.required_device_fault
    assert report.outbox.pending == 1 and report.outbox.last_success_at is not None
    assert report.platform.reachable and report.platform.last_sync_at == report.outbox.last_success_at
    assert 89 <= report.system.uptime_s < 120 and report.system.rss_bytes > 0
    assert not report.healthy and len(report.problems) == 1
    json.dumps(report.to_dict())  # JSON-ready as it is

    availability = assess(statuses_from_report(report), config.devices.required)
    assert availability.level is Level.LIMITED and not availability.feature_available("id_card")


def test_a_hanging_device_is_given_up_and_named(tmp_path: Path) -> None:
    config = config_for(tmp_path, "http://127.0.0.1:9", idreader="none")

    def hangs() -> DeviceStatus:
        time.sleep(30)
        return DeviceStatus.ok()

    report = collect(config, devices={"printer": hangs}, device_timeout=0.3)
    printer = report.device("printer")
    assert printer.state == "fault" and "no result within 0.3 s" in printer.reason
    assert report.device("idreader").state == "disabled"


def test_an_outbox_whose_key_is_missing_is_unhealthy_and_not_recreated(tmp_path: Path) -> None:
    config = config_for(tmp_path, "http://127.0.0.1:9", idreader="none")
    db, key = config.outbox_dir / "outbox.db", config.outbox_dir / "device.key"
    with Outbox(db, key, reserve_bytes=0) as outbox:
        outbox.enqueue("rating", {"level": 5})
    key.unlink()
    report = collect(config, probe_devices=False)
    assert report.outbox_unhealthy and "key file" in report.outbox.error and str(key) in report.outbox.error
    assert not key.exists()  # a diagnosis must never make a new key that orphans the queue


def test_report_from_a_running_kiosk_runtime(tmp_path: Path) -> None:
    from kiosk.runtime import KioskRuntime

    runtime = KioskRuntime(demo_config(tmp_path)).start()
    try:
        runtime.virtual_printer.simulate(paper_out=True)
        report = collect_from_runtime(runtime)
    finally:
        runtime.stop()
    assert report.device("printer").state == "fault" and "paper roll is empty" in report.device("printer").reason
    assert report.required_device_fault and report.platform.reachable  # the embedded sandbox answered
    assert "paper roll is empty" in report.problems[0]
    assert report.platform_line() and report.outbox_line() and report.system_line()
