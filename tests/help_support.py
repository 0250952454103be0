"""Shared pieces of the help tests: a kiosk's outbox + signed adapter against the real sandbox, and a staff
session logged in to the console over HTTP (as a technician's phone would)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import requests

from kiosk.outbox_adapter import OutboxAdapter
from kiosk.platform_client import PlatformClient
from kiosk.sandbox.app import DEMO_DEVICE_SECRET
from kiosk.staffed_hours import HelpSettings, StaffedPeriod
from offline.outbox import Outbox

STAFF_USER, STAFF_PASSWORD = "jishu01", "kiosk-demo-01"  # the sandbox's demo account (docs/FLEET.md)
ALWAYS = (StaffedPeriod(weekdays=(1, 2, 3, 4, 5, 6, 7), start=dt.time(0, 0), end=dt.time(23, 59, 59)),)


def kiosk_side(tmp_path: Path, base_url: str, device_id: str) -> tuple[Outbox, OutboxAdapter]:
    outbox = Outbox(tmp_path / f"{device_id}-outbox.db", tmp_path / f"{device_id}.key", reserve_bytes=0)
    client = PlatformClient(base_url, device_id, 1, 5, device_secret=DEMO_DEVICE_SECRET)
    return outbox, OutboxAdapter(client)


def set_hours(sandbox, device_id: str, *, staffed: bool, duty_phone: str = "0371-6000 1234") -> HelpSettings:
    """Give the device's service point hours that are (or are not) staffed right now."""
    settings = HelpSettings(service_point=f"TEST-{device_id}", service_point_name="测试便民服务站",
                            duty_phone=duty_phone, periods=ALWAYS if staffed else ())
    sandbox.app.state.help.set_point(settings, (device_id,))
    return settings


def staff_session(base_url: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{base_url}/console/login", data={"user": STAFF_USER, "password": STAFF_PASSWORD},
                          headers={"Accept": "application/json"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return session
