"""Paper counted from the ESC/POS bytes sent (checked against the virtual printer's own paper), kept across a
restart, reset by 换纸, reported in the heartbeat and turned into a console warning; the assist chime."""

from __future__ import annotations

import datetime as dt
import wave

import numpy as np
import pytest

from devices.printer.interpreter import TOP_MARGIN_DOTS, render_escpos
from kiosk.chime import chime_path
from kiosk.consumables import Consumables, ConsumableSpec, paper_dots
from kiosk.printing import documents
from kiosk.printing.documents import QueueTicket, queue_ticket
from kiosk.printing.escpos import render
from kiosk.printing.help_documents import AssistSlip, assist_slip
from kiosk.printing.profiles import get_profile
from kiosk.sandbox.fleet_status import summarise
from kiosk.staffed_hours import office_hours


def _jobs(profile):
    when = dt.datetime(2026, 11, 30, 9, 0)
    yield documents.test_page(profile)
    yield queue_ticket(QueueTicket("金水区政务服务中心", "A012", "社保", 4, when, "K-1"))
    yield assist_slip(AssistSlip("金水区政务服务中心", office_hours("0371-6000 1234"), when, "K-1", "HJ20261130000001"))


@pytest.mark.parametrize("name,native_qr", [("80mm", True), ("58mm", True), ("80mm", False)])
def test_counted_length_is_the_length_the_printer_feeds(name, native_qr):
    profile = get_profile(name, native_qr=native_qr)
    for document in _jobs(profile):
        data = render(document, profile)
        # The picture has a blank strip above the first line (TOP_MARGIN_DOTS) that is not paper fed.
        fed = render_escpos(data, profile.dots_width).height - TOP_MARGIN_DOTS
        assert paper_dots(data) == fed, document.name


def test_counter_survives_a_restart_and_paper_change_resets_it(tmp_path):
    profile = get_profile("80mm")
    data = render(documents.test_page(profile), profile)
    lamp = ConsumableSpec(name="文档摄像头灯", unit="小时", limit=5000)
    counter = Consumables(tmp_path, roll_mm=50_000, items=(lamp,))
    job_mm = counter.count_job(data)
    counter.count_job(data)
    counter.add("文档摄像头灯", 12.5)
    assert job_mm == paper_dots(data) // 8 > 100  # a test page is well over 10 cm

    restarted = Consumables(tmp_path, roll_mm=50_000, items=(lamp,))
    assert restarted.paper_printed_mm == 2 * paper_dots(data) // 8
    part = restarted.heartbeat_part()
    assert part["paper"]["printed_mm"] == restarted.paper_printed_mm and part["paper"]["roll_mm"] == 50_000
    assert part["items"] == [{"name": "文档摄像头灯", "unit": "小时", "used": 12.5, "limit": 5000}]

    restarted.paper_changed()
    assert Consumables(tmp_path).paper_printed_mm == 0
    with pytest.raises(KeyError, match="not in the config"):
        restarted.add("碳粉", 1)


def test_console_warns_before_the_paper_runs_out():
    fine = summarise({"consumables": {"paper": {"printed_mm": 20_000, "roll_mm": 50_000}}})
    low = summarise({"consumables": {"paper": {"printed_mm": 44_000, "roll_mm": 50_000}}})
    lamp = summarise({"consumables": {"items": [{"name": "文档摄像头灯", "used": 5001, "limit": 5000}]}})
    assert fine.problems == ()
    assert low.problems == ("打印纸将用完（已用 88%）",)
    assert lamp.problems == ("文档摄像头灯需更换",)


def test_assist_chime_is_an_audible_wav(tmp_path):
    path = chime_path(tmp_path)
    with wave.open(str(path)) as chime:
        assert (chime.getnchannels(), chime.getsampwidth()) == (1, 2)
        seconds = chime.getnframes() / chime.getframerate()
        samples = np.frombuffer(chime.readframes(chime.getnframes()), dtype=np.int16)
    assert 1.0 < seconds < 2.0
    assert np.abs(samples).max() > 10_000  # loud enough to hear in a hall
    assert abs(int(samples[0])) < 500  # starts without a click
