"""Heartbeats against the real sandbox on loopback: one promptly on a device state change, a sign of life on
the interval, only the newest while the platform is down, and no personal data in any of them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from devices.printer import open_printer
from devices.status import DeviceStatus
from kiosk.health import HeartbeatReporter, make_snapshot
from kiosk.platform_client import PlatformClient
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.sandbox.server import EmbeddedSandbox
from offline.outbox import Outbox

DEVICE_ID = "KIOSK-HB-01"


def last_heartbeat(server: EmbeddedSandbox) -> dict | None:
    rows = list(server.app.state.store.db["heartbeats"].rows_where("device_id = ?", [DEVICE_ID]))
    # Read from another thread than the server's: a row may be seen between its insert and its body.
    return json.loads(rows[0]["body"]) if rows and rows[0]["body"] else None


def wait_for(condition, what: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def sandbox(tmp_path: Path):
    server = EmbeddedSandbox(tmp_path / "sandbox.db").start()
    yield server
    server.stop()


@pytest.fixture
def client(sandbox: EmbeddedSandbox):
    client = PlatformClient(sandbox.url, DEVICE_ID, 1, 2, device_secret=DEMO_DEVICE_SECRET)
    yield client
    client.close()


class Clock:
    """A hand-moved monotonic clock for the reporter's scheduling."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_paper_near_end_reaches_the_platform_promptly(tmp_path: Path, sandbox, client) -> None:
    printer = open_printer(f"sim://{tmp_path / 'printer'}")
    outbox = Outbox(tmp_path / "outbox.db", tmp_path / "device.key", reserve_bytes=0)
    outbox.enqueue("rating", {"level": 5})
    snapshot = make_snapshot(lambda: {"printer": printer.device_status(), "idreader": DeviceStatus.ok()},
                             required=("printer",), outbox=outbox, state_dir=tmp_path, started_at=time.time())
    # The interval is an hour: anything that arrives after the first beat came from the state change.
    reporter = HeartbeatReporter(client, snapshot, interval_s=3600, check_s=0.05, min_gap_s=0).start()
    try:
        first = wait_for(lambda: last_heartbeat(sandbox), "the start-up heartbeat")
        assert first["devices"]["printer"]["state"] == "ok" and first["availability"] == "available"
        assert first["outbox"]["pending"] == 1 and first["versions"]["kiosk"]
        assert first["disk_free_bytes"] > 0

        printer.virtual.simulate(paper_near_end=True)  # noticed by the reporter's own look at the state
        beat = wait_for(lambda: (b := last_heartbeat(sandbox)) and b["devices"]["printer"]["state"] == "degraded"
                        and b, "the paper-near-end heartbeat")
        assert "nearly used up" in beat["devices"]["printer"]["reason"] and beat["reason"] == "change"

        printer.virtual.simulate(paper_out=True)
        reporter.notify_change()  # what the app calls from a device's status callback
        beat = wait_for(lambda: (b := last_heartbeat(sandbox)) and b["devices"]["printer"]["state"] == "fault"
                        and b, "the paper-out heartbeat")
        assert beat["availability"] == "limited"
        # The platform stores the beat before it answers: the reporter counts it once the answer is back.
        assert wait_for(lambda: reporter.sent_count == 3, "the third beat's answer")
    finally:
        reporter.stop()
        outbox.close()
        printer.close()


def test_interval_beats_and_no_beat_without_change(client, sandbox) -> None:
    clock = Clock()
    reporter = HeartbeatReporter(client, make_snapshot(lambda: {"printer": DeviceStatus.ok()}),
                                 interval_s=300, clock=clock, min_gap_s=0)
    assert reporter.tick() is True  # start-up
    clock.now += 60
    assert reporter.tick() is False  # nothing changed, not due
    clock.now += 300
    assert reporter.tick() is True
    assert last_heartbeat(sandbox)["reason"] == "interval" and reporter.sent_count == 2


def test_offline_only_the_newest_heartbeat_is_sent_when_the_platform_is_back(tmp_path: Path) -> None:
    server = EmbeddedSandbox(tmp_path / "sandbox.db").start()
    port = server.port
    server.stop()  # the platform is down from the start
    client = PlatformClient(f"http://127.0.0.1:{port}", DEVICE_ID, 0.5, 1, device_secret=DEMO_DEVICE_SECRET)
    states = {"printer": DeviceStatus.ok()}
    clock = Clock()
    reporter = HeartbeatReporter(client, make_snapshot(lambda: dict(states), required=("printer",)),
                                 retry_s=30, clock=clock, min_gap_s=0)
    try:
        assert reporter.tick() is False
        states["printer"] = DeviceStatus.degraded("paper roll is nearly used up")
        clock.now += 1
        assert reporter.tick() is False
        states["printer"] = DeviceStatus.fault("paper roll is empty; load a new roll")
        clock.now += 1
        assert reporter.tick() is False
        assert reporter.failed_count == 3 and reporter.sent_count == 0
        assert reporter.pending["devices"]["printer"]["state"] == "fault"  # the older two are gone

        clock.now += 1
        assert reporter.tick() is False  # no change and the retry is not due: no attempt at all
        assert reporter.failed_count == 3

        server = EmbeddedSandbox(tmp_path / "sandbox.db", port=port).start()  # the platform is back
        try:
            clock.now += 30
            assert reporter.tick() is True
            assert reporter.sent_count == 1 and reporter.pending is None
            beat = last_heartbeat(server)
            assert beat["devices"]["printer"]["state"] == "fault" and beat["reason"] == "retry"
            clock.now += 5
            assert reporter.tick() is False  # delivered: nothing more to send until a change or the interval
        finally:
            server.stop()
    finally:
        client.close()


def test_heartbeats_carry_no_personal_data(client, sandbox) -> None:
    # A driver bug that put card data into a status reason must not carry it to the platform.
    leaky = DeviceStatus.fault("card 410105195003152015 of 13912345678 rejected")
    reporter = HeartbeatReporter(client, make_snapshot(lambda: {"idreader": leaky}, required=("idreader",)),
                                 min_gap_s=0)
    assert reporter.tick() is True
    raw = sandbox.app.state.store.db["heartbeats"].get(DEVICE_ID)["body"]
    assert "410105195003152015" not in raw and "13912345678" not in raw
    assert "4101**********2015" in raw
    assert json.loads(raw)["availability"] == "limited"  # card identification unavailable, typing still works
