"""The stuck detector: three errors in a row on one screen, or a long idle mid-journey, offer help once."""

from __future__ import annotations

from kiosk.stuck import StuckDetector


def test_three_errors_in_a_row_on_one_screen_offer_help_once():
    detector = StuckDetector()
    detector.entered("identify", mid_journey=True)
    assert detector.error() is None and detector.error() is None
    offer = detector.error()
    assert (offer.reason, offer.screen, offer.message_key) == ("stuck_errors", "identify", "help.assist.offer_errors")
    assert detector.error() is None  # offered once, not at every further error


def test_success_or_another_screen_breaks_the_run():
    detector = StuckDetector()
    detector.entered("form", mid_journey=True)
    detector.error()
    detector.error()
    detector.progress()
    assert detector.error() is None
    detector.error()
    detector.entered("materials", mid_journey=True)
    assert detector.error() is None and detector.error() is None
    assert detector.error() is not None


def test_long_idle_mid_journey_offers_help_but_idle_at_home_does_not():
    now = [0.0]
    detector = StuckDetector(idle_offer_s=45, clock=lambda: now[0])
    detector.entered("home", mid_journey=False)
    now[0] = 600
    assert detector.check() is None

    detector.entered("form", mid_journey=True)
    now[0] += 44
    assert detector.check() is None
    now[0] += 2
    offer = detector.check()
    assert (offer.reason, offer.screen) == ("stuck_idle", "form")
    assert detector.check() is None
    detector.touched()
    now[0] += 46
    assert detector.check() is not None  # a new idle stretch offers again


def test_reset_forgets_the_last_citizen():
    detector = StuckDetector()
    detector.entered("identify", mid_journey=True)
    detector.error()
    detector.error()
    detector.reset()
    detector.entered("identify", mid_journey=True)
    assert detector.error() is None
