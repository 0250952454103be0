"""Screenshots of every on-screen keyboard layout in use, for ``kiosk screenshots`` (screens/tour.py).

The form is opened straight at the field whose layout is shown (a screenshot tour, not a journey: the
journeys themselves are walked by the UI tests)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.pinyin.lexicon import lexicon_if_loaded, preload_in_background
from screens.pilot import Pilot


def keyboard_screenshots(app, pilot: Pilot, shot: Callable[[str], None], finish: Callable[[], None]) -> None:
    """``finish`` ends a session and turns the tour's mode on again (长辈模式 …), as screens/tour.py does."""
    catalog = app.catalog_state.catalog
    form = app.screen("form")
    if lexicon_if_loaded() is None:
        preload_in_background()
    pilot.wait_until(lambda: lexicon_if_loaded() is not None, "the pinyin lexicon", timeout=30)

    def open_form(code: str, field: str) -> None:
        finish()
        pilot.frames(2)
        form.start(catalog.item(code), {}, first_field=field)
        app.go("form")
        pilot.wait_for_screen("form")

    # The catalog search: letters as typed, matched as pinyin initials after every key.
    finish()
    app.go("catalog")
    pilot.wait_for_screen("catalog")
    pilot.tap(app.screen("catalog").ids.search_box)
    pilot.tap_keys("GJJ")
    shot("keyboard-latin-search")
    pilot.tap_key("hide")

    # A newborn's name: pinyin with the candidate bar, surnames first.
    open_form("WJ-001", "child_name")
    pilot.tap_keys("zhang")
    shot("keyboard-pinyin-name")
    pilot.choose_candidate("张")
    pilot.tap_keys("hao")
    pilot.tap_key("next")
    shot("keyboard-pinyin-page-2")

    from kiosk.pinyin import handwriting

    if handwriting.available():  # the writing pad: 十 written with a finger
        pilot.tap_key("back")
        pilot.tap_key("back")
        pilot.tap_key("back")
        pilot.tap_key("hand")
        pad = form.ids.keyboard.pad
        pilot.draw(pad, [(0.15 + 0.07 * i, 0.5) for i in range(11)])
        pilot.draw(pad, [(0.5, 0.15 + 0.07 * i) for i in range(11)])
        pilot.wait_until(lambda: form.ids.keyboard.candidates, "handwriting candidates")
        shot("keyboard-handwriting")

    open_form("WJ-001", "child_birth_date")
    pilot.tap_keys("202611")
    shot("keyboard-date")

    open_form("GJJ-002", "amount")
    pilot.tap_keys("3000.5")
    shot("keyboard-amount")

    # A credit code: the 31 characters of GB 32100; a wrong check character is said at the field.
    open_form("ZX-002", "credit_code")
    pilot.tap_keys("91410105MA9K3F7T29")
    shot("keyboard-credit-code-check")

    # An address: the kiosk's own townships first, then villages, then the house number typed.
    open_form("SB-002", "mail_address")
    shot("address-townships")
    pilot.tap_text("兴达路街道", exact=True)
    pilot.tap_text("庙李村", exact=True)
    pilot.tap_keys("12")
    pilot.tap_keys("hao")
    shot("keyboard-address-detail")
    finish()
    pilot.frames(2)
