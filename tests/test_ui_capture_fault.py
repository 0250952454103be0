"""A document camera (高拍仪) that fails while a citizen photographs papers, in the real window: the citizen
is told in plain words, is never left before a black or frozen picture, and goes on without photos; the
materials not photographed go to a counter on paper (as on a kiosk without a 高拍仪), and the pages taken
before the fault still reach the platform. The simulated 高拍仪's fault switch pulls its "USB cable"."""

from __future__ import annotations

import json
import os

import pytest
from uisteps import (
    apply_from_guide,
    fill_form,
    identify_with_card_and_face,
    materials_next,
    open_item,
    submit,
    tick_materials,
)

from devices.priority import BACKGROUND_NICE
from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui

PAPERS = ["居民身份证", "本人名下银行借记卡"]  # the rental contract is at home: 容缺


def to_capture(ui) -> None:
    pilot, app = ui.pilot, ui.app
    open_item(ui, "住房公积金租房提取")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, PAPERS)
    materials_next(ui)
    pilot.wait_for_screen("commitment")
    pilot.tap(app.screen("commitment").ids.agree_toggle)
    pilot.tap(app.screen("commitment").ids.commitment_next)
    pilot.wait_for_screen("capture")


def latest_body(ui) -> dict:
    row = ui.sandbox_db.execute("SELECT body FROM applications ORDER BY created_at DESC, receipt_number DESC "
                                "LIMIT 1").fetchone()
    return json.loads(row[0])


def test_the_doc_camera_fails_mid_capture_and_the_citizen_goes_on_without_photos(ui, doc_camera) -> None:
    pilot, app = ui.pilot, ui.app
    to_capture(ui)
    screen = app.screen("capture")
    pilot.wait_until(lambda: len(app.session.pages) >= 1, "the first page captured automatically", 30)
    assert not screen.camera_down and screen.ids.capture_skip.opacity == 0  # no way round a working camera
    worker = app.capture._worker  # capture yields the CPU to the UI (devices/priority.py)
    assert os.getpriority(os.PRIO_PROCESS, worker._thread.native_id) == BACKGROUND_NICE

    doc_camera.simulator.fault("USB device disconnected")  # the cable is pulled mid-capture
    pilot.wait_until(lambda: screen.camera_down, "the fault to be told", 10)
    assert screen.alert and screen.message_text == _("capture.camera_failed")
    assert "USB" not in screen.message_text  # plain words for the citizen; the technician's reason is logged
    pilot.frames(3)
    assert screen.ids.preview.texture is None and screen.ids.preview.opacity == 0  # no black or frozen picture
    assert screen.ids.capture_shoot.disabled
    pilot.wait_for_text(_("capture.skip_button"))
    taken = [material for material, _page in app.session.pages]
    assert set(taken) == {PAPERS[0]}

    pilot.tap(screen.ids.capture_skip)  # 不拍照，继续办理
    fill_form(ui, ["13912345678", "3000"])
    submit(ui)
    pilot.wait_for_screen("result", timeout=30)
    pilot.wait_until(lambda: app.screen("result").receipt_number, "the receipt number", 30)
    body = latest_body(ui)
    assert body["photographed"] == taken  # the pages taken before the fault went with the application
    assert set(PAPERS) <= set(body["materials_present"])  # the second paper: on paper, at the counter
    assert body["commitment"]["missing"] == ["房屋租赁合同"]


def test_a_doc_camera_dead_from_the_start_never_shows_a_blank_preview(ui, doc_camera) -> None:
    pilot, app = ui.pilot, ui.app
    doc_camera.simulator.fault("USB device disconnected")  # unplugged before the citizen arrives
    to_capture(ui)
    screen = app.screen("capture")
    pilot.wait_until(lambda: screen.camera_down, "the fault to be told", 10)
    assert screen.message_text == _("capture.camera_failed") and screen.ids.preview.opacity == 0
    pilot.tap(screen.ids.capture_skip)
    pilot.wait_for_screen("form")
    assert app.session.pages == []


def test_a_doc_camera_that_could_not_be_opened_is_said_and_skipped(ui) -> None:
    """Configured but not opened at start (a wrong URL, no device): the runtime recorded the fault."""
    from devices.status import DeviceStatus

    ui.runtime.device_status["doc_camera"] = DeviceStatus.fault("camera /dev/video7: no such device")
    try:
        to_capture(ui)
        screen = ui.app.screen("capture")
        assert screen.camera_down and screen.message_text == _("capture.camera_failed")
        ui.pilot.tap(screen.ids.capture_next)  # 下一份 works too: nothing can be photographed
        ui.pilot.wait_until(lambda: PAPERS[1] in screen.progress_text, "the second material")
        assert screen.camera_down
        ui.pilot.tap(screen.ids.capture_skip)
        ui.pilot.wait_for_screen("form")
    finally:
        del ui.runtime.device_status["doc_camera"]
