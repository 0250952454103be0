"""Every way a citizen identifies at the kiosk, in the real window: the simulated camera (real capture thread
and decoder), a keyboard-wedge scanner gun (real key events), and what is refused."""

from __future__ import annotations

import time

import pytest

from kiosk.demo_codes import demo_identity_payload, qr_image
from kiosk.i18n import translate as _
from kiosk.platform_client import PlatformClient

pytestmark = pytest.mark.ui


from uisteps import go_identify  # noqa: E402


def test_e_id_qr_on_the_camera_is_verified_by_the_platform(ui) -> None:
    go_identify(ui)
    ui.pilot.tap_text(_("identify.demo_qr"))  # the demo phone shows 李秀英's e-ID code to the camera
    ui.pilot.wait_for_screen("materials")
    assert ui.app.session.citizen.id_number == "410102194811023023"
    assert ui.app.session.citizen.source == "qr"


def test_plain_id_number_qr_and_inverted_phone_screen(ui) -> None:
    go_identify(ui)
    ui.runtime.show_to_camera(qr_image("410305199007204512", dark_on_light=False))  # light on dark
    # Read from the inverted screen, but a bare ID number is only a claim: no application opens with it.
    ui.pilot.wait_for_text(_("identify.typed_not_enough"))
    assert ui.pilot.current == "identify" and ui.app.session.citizen is None


def test_a_url_qr_is_refused_and_never_opened(ui) -> None:
    go_identify(ui)
    ui.runtime.show_to_camera(qr_image("https://evil.example/login"))
    ui.pilot.wait_for_text(_("qr.error.url"))
    assert ui.pilot.current == "identify" and ui.app.session.citizen is None


def test_identity_qr_while_the_platform_is_down_says_the_id_card_still_works(ui) -> None:
    go_identify(ui)
    working = ui.runtime.client
    ui.runtime.client = PlatformClient("http://127.0.0.1:9", "KIOSK-DEMO-01", 1, 1)
    try:
        ui.app.demo.identity_qr("social_card")
        ui.pilot.wait_for_text(_("identify.qr_offline"))
    finally:
        ui.runtime.client = working
    assert ui.app.session.citizen is None


def _scan_with_keyboard_wedge(text: str, gap: float) -> None:
    from kivy.core.window import Window

    for char in text:
        Window.dispatch("on_key_down", ord(char.lower()), 0, char, [])
        time.sleep(gap)
    Window.dispatch("on_key_down", 13, 40, None, [])


def test_scanner_gun_via_keyboard_events(ui) -> None:
    go_identify(ui)
    _scan_with_keyboard_wedge(demo_identity_payload("province_app"), gap=0.001)  # a scanner: ~1 ms a key
    ui.pilot.wait_for_screen("materials")
    assert ui.app.session.citizen.id_number == "410105195003152015"


def test_slow_typing_on_a_keyboard_is_not_a_scan(ui) -> None:
    go_identify(ui)
    _scan_with_keyboard_wedge("410305199007204512", gap=0.12)  # a person: ~120 ms a key
    ui.pilot.frames(5)
    assert ui.pilot.current == "identify" and ui.app.session.citizen is None


def test_a_card_left_on_the_reader_does_not_identify_the_next_person(ui) -> None:
    go_identify(ui)
    ui.pilot.tap_text(_("identify.demo_card"))
    ui.pilot.wait_for_screen("materials")
    ui.app.end_session()  # the citizen walks away; the session ends
    ui.pilot.frames(3)
    go_identify(ui)
    ui.pilot.frames(30)
    assert ui.pilot.current == "identify" and ui.app.session.citizen is None
