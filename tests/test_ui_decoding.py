"""Issue #16: the camera's decoder works only on the screens that act on a code (home's appointment check-in,
identify, progress, maintenance). Elsewhere it rests, so the cores go to drawing; a phone held up meanwhile is
read as soon as a screen that wants it shows."""

from __future__ import annotations

import json
import time

import pytest
from uisteps import apply_from_guide, open_item

pytestmark = pytest.mark.ui

ZHANG = "410105195003152015"  # 张建国, the sandbox's citizen in good standing


def zhang_code():
    from kiosk.demo_codes import qr_image
    from kiosk.sandbox.store import DATA_DIR

    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    return qr_image(next(t["payload"] for t in tokens if t["id_number"] == ZHANG))


def frames_for(ui, seconds: float) -> None:
    until = time.monotonic() + seconds
    ui.pilot.wait_until(lambda: time.monotonic() >= until, f"{seconds} s of frames", seconds + 5)


def test_the_decoder_rests_off_the_code_screens_and_reads_a_code_held_up_meanwhile(ui) -> None:
    pilot, runtime = ui.pilot, ui.runtime
    worker = runtime.decode_worker
    frames_for(ui, 0.3)
    assert worker.decoding, "home takes an appointment slip's code: the decoder must work there"

    open_item(ui, "户籍证明开具")  # through the catalog to the guide: neither takes a code
    assert not worker.decoding
    runtime.show_to_camera(zhang_code())  # the citizen gets the phone out early
    decoded = worker.frames_decoded
    frames_for(ui, 0.6)
    assert worker.frames_decoded <= decoded + 1, "the decoder searched frames on the guide"
    assert pilot.current == "guide" and ui.app.session.citizen is None

    apply_from_guide(ui)
    pilot.wait_for_screen("identify")
    try:
        # The code held up all along is read once identify shows: no need to take the phone away and back.
        pilot.wait_until(lambda: pilot.current != "identify", "the code held up to be read", 30)
    finally:
        runtime.camera.simulator.hide()
    assert pilot.current == "materials"
    assert ui.app.session.citizen is not None and ui.app.session.citizen.id_number == ZHANG
    assert not worker.decoding

    ui.app.end_session()
    pilot.wait_for_screen("home")
    pilot.wait_until(lambda: worker.decoding, "the decoder to work again on the home screen", 5)
