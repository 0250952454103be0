"""The kiosk runtime's help wiring without a window (issue #15): the [help] config section, the paper counted
from the ESC/POS bytes each job sent, the heartbeat carrying it, and 进度查询 answering a complaint number
(TS…) through the desk — against the real sandbox, a real outbox and the virtual printer."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest
from help_support import set_hours

from kiosk.complaints import ComplaintDraft
from kiosk.config import ConfigError, parse_config
from kiosk.desk import Desk
from kiosk.desk.outcomes import LookingUp, ReceiptRefused
from kiosk.desk.outcomes_help import ComplaintStatusView
from kiosk.printing.help_documents import AssistSlip, assist_slip
from kiosk.runtime import KioskRuntime
from kiosk.sandbox.app import DEMO_DEVICE_SECRET

DEVICE = "KIOSK-WIRING-01"


def help_config(tmp_path: Path, url: str, **help_section) -> object:
    return parse_config({
        "kiosk": {"device_id": DEVICE, "state_dir": str(tmp_path / "state"), "fullscreen": False},
        "platform": {"url": url, "device_secret": DEMO_DEVICE_SECRET},
        "devices": {"printer": f"sim://{tmp_path / 'printer'}", "idreader": "none", "camera": "none",
                    "scanner": "none"},
        "help": help_section,
    }, "<test>")


def last_heartbeat(sandbox, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = list(sandbox.app.state.store.db["heartbeats"].rows_where("device_id = ?", [DEVICE]))
        if rows:
            return json.loads(rows[-1]["body"])
        time.sleep(0.1)
    raise AssertionError(f"no heartbeat from {DEVICE} within {timeout:.0f} s")


@pytest.fixture
def runtime(sandbox, tmp_path):
    started = KioskRuntime(help_config(tmp_path, sandbox.url, duty_phone="0371-6000 9999", paper_roll_m=80,
                                       consumables=[{"name": "文档摄像头灯", "unit": "小时", "limit": 5000}]))
    started.start()
    yield started
    started.stop()


def test_help_section_is_validated_and_names_the_bad_key(tmp_path):
    config = help_config(tmp_path, "http://127.0.0.1:9", duty_phone="0371-6000 9999",
                         staffed=[{"weekdays": [6, 7], "start": "09:00", "end": "12:00"}])
    settings = config.help_settings()
    assert settings.duty_phone == "0371-6000 9999" and settings.periods[0].weekdays == (6, 7)
    with pytest.raises(ConfigError) as refused:
        help_config(tmp_path, "http://127.0.0.1:9", duty_phone="call the office")
    assert "[help] duty_phone" in str(refused.value)
    with pytest.raises(ConfigError) as refused:
        help_config(tmp_path, "http://127.0.0.1:9", staffed=[{"weekdays": [1], "start": "18:00", "end": "08:00"}])
    assert "[help] staffed" in str(refused.value)


def test_the_service_point_is_one_setting_in_kiosk_and_a_different_one_in_help_is_refused(tmp_path):
    """[help] service_point (older files) may repeat [kiosk] service_point but never contradict it."""
    same = help_config(tmp_path, "http://127.0.0.1:9", service_point="JINSHUI-CENTRE")
    assert same.help_settings().service_point == same.kiosk.service_point == "JINSHUI-CENTRE"
    with pytest.raises(ConfigError) as refused:
        help_config(tmp_path, "http://127.0.0.1:9", service_point="ERQI-CENTRE")
    message = str(refused.value)
    assert "[help] service_point = 'ERQI-CENTRE'" in message and "[kiosk] service_point" in message
    assert "delete service_point from [help]" in message


def test_printed_paper_is_counted_and_the_heartbeat_carries_the_counter(runtime, sandbox):
    assert runtime.help.consumables.paper_printed_mm == 0
    heartbeat = last_heartbeat(sandbox)  # the one the kiosk sends when it starts, as the platform stored it
    assert heartbeat["consumables"]["paper"]["roll_mm"] == 80_000  # [help] paper_roll_m = 80
    assert heartbeat["consumables"]["items"][0]["name"] == "文档摄像头灯"

    done = threading.Event()
    results = []
    slip = assist_slip(AssistSlip("示范区政务服务中心", runtime.config.help_settings(),
                                  dt.datetime(2026, 11, 30, 21, 5), DEVICE))
    runtime.print_document("session-1", slip, lambda result: (results.append(result), done.set()))
    assert done.wait(15), "the virtual printer never answered"
    assert results[0].ok
    printed = runtime.help.consumables.paper_printed_mm
    assert 40 < printed < 400, printed  # a short slip: centimetres, not metres, and not nothing
    assert runtime.help.consumables.heartbeat_part()["paper"]["printed_mm"] == printed

    # 换纸 in maintenance resets the counter the runtime keeps counting with (not a second copy of the file).
    from kiosk.maintenance_view import run_action

    run_action(runtime, "paper_changed", "maintenance")
    assert runtime.help.consumables.paper_printed_mm == 0
    assert runtime.help.consumables.heartbeat_part()["paper"]["changed_at"] is not None


def test_progress_lookup_answers_a_complaint_number(runtime):
    desk = Desk(runtime.config, runtime)
    outcome = runtime.help.complaints.submit(ComplaintDraft(kind="complaint", category="waiting"))
    number = outcome.number or runtime.help.complaints.number_of(outcome.entry_id)
    assert number.startswith("TS"), outcome

    assert desk.service.scanned(f"{number}\r\n") == LookingUp(number)  # the slip's barcode, as a scanner sends it
    view = desk.service.look_up(number, "progress")
    assert isinstance(view, ComplaintStatusView)
    assert view.number == number and view.current.text() == "当前状态：已登记"
    assert view.history and view.history[0].status == "已登记"

    unknown = desk.service.look_up("TS20261130999999", "progress")
    assert isinstance(unknown, ReceiptRefused) and unknown.message.key == "help_ui.progress.unknown"


def test_the_platform_hours_replace_the_configured_ones(sandbox, tmp_path):
    set_hours(sandbox, DEVICE, staffed=False, duty_phone="0371-1111 2222")
    runtime = KioskRuntime(help_config(tmp_path, sandbox.url, duty_phone="0371-6000 9999")).start()
    try:
        deadline = time.monotonic() + 10
        while runtime.help.settings().duty_phone != "0371-1111 2222" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert runtime.help.settings().duty_phone == "0371-1111 2222"
        assert runtime.help.settings().service_point_name == "测试便民服务站"
        assert (tmp_path / "state" / "help_settings.json").exists()  # kept for a start without the network
    finally:
        runtime.stop()
