"""One navigation (issue #13): every screen of a journey shows one 上一步 (the top bar's) and one 返回首页, and
上一步 goes to the previous step of this journey. The receipt's 返回首页 asks once whether to rate first and
never traps the citizen."""

from __future__ import annotations

import pytest
from uisteps import apply_from_guide, identify_with_card_and_face, materials_next, open_item, tick_materials

from kiosk.desk.rating import REASON_KEYS
from kiosk.i18n import translate as _

pytestmark = pytest.mark.ui


def buttons(ui, text: str) -> list:
    """Visible buttons whose label contains ``text`` (the top bar says 返回上一步, a screen's own said 上一步)."""
    ui.pilot.frames(2)
    return [w for w in ui.pilot.visible_widgets()
            if hasattr(w, "on_release") and isinstance(getattr(w, "text", None), str) and text in w.text]


def assert_one_navigation(ui, *, back: bool = True) -> None:
    screen = ui.pilot.current
    backs, homes = buttons(ui, _("nav.back")), buttons(ui, _("nav.home"))
    assert len(homes) == 1, f"{screen}: {len(homes)} 返回首页 buttons"
    assert homes[0] == ui.app.top_bar.ids.home_button, f"{screen}: 返回首页 is not the top bar's"
    if back:
        assert len(backs) == 1, f"{screen}: {len(backs)} 上一步 buttons: {[b.text for b in backs]}"
        assert backs[0] == ui.app.top_bar.ids.back_button, f"{screen}: 上一步 is not the top bar's"
    else:
        assert not backs, f"{screen}: 上一步 shown where there is no step back"


def step_back(ui, expected: str) -> None:
    ui.pilot.tap(ui.app.top_bar.ids.back_button)
    ui.pilot.wait_for_screen(expected)


def to_materials(ui) -> None:
    open_item(ui, "户籍证明开具")
    apply_from_guide(ui)
    identify_with_card_and_face(ui)
    tick_materials(ui, ["居民身份证", "居民户口簿"])


def test_each_step_has_one_back_and_one_home_and_back_is_the_previous_step(ui) -> None:
    app, pilot = ui.app, ui.pilot
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    assert_one_navigation(ui)
    open_item(ui, "户籍证明开具")
    assert_one_navigation(ui)
    step_back(ui, "catalog")  # the guide's previous step
    open_item(ui, "户籍证明开具")
    apply_from_guide(ui)
    pilot.wait_for_screen("identify")
    assert_one_navigation(ui)
    identify_with_card_and_face(ui)
    pilot.wait_for_screen("materials")
    assert_one_navigation(ui)
    step_back(ui, "guide")  # identified once: the identity is kept, so the previous step is the guide
    apply_from_guide(ui)
    tick_materials(ui, ["居民身份证", "居民户口簿"])
    materials_next(ui)

    pilot.wait_for_screen("form")
    form = app.screen("form")
    assert_one_navigation(ui)
    pilot.type_keys("13912345678")
    pilot.tap(form.ids.form_next)
    pilot.wait_until(lambda: form.index == 1, "the second field")
    step_back(ui, "form")  # inside the form: the previous field, with what was typed
    pilot.wait_until(lambda: form.index == 0, "the first field again")
    assert form.value == "13912345678"
    step_back(ui, "materials")  # from the first field: the previous step of the journey, not the guide
    assert app.screen("materials").ids.materials_next  # still the citizen's ticks: on to the form again
    materials_next(ui)
    pilot.wait_for_screen("form")
    pilot.wait_until(lambda: form.index == 0, "the form from its first field")
    assert form.value == "13912345678"  # what was typed waited for the citizen's return
    pilot.tap(form.ids.form_next)
    pilot.wait_until(lambda: form.index == 1, "the second field")
    pilot.tap_text("入学", exact=True)

    pilot.wait_for_screen("confirm")
    assert_one_navigation(ui)
    step_back(ui, "form")  # the form, not the guide
    assert form.index == 1
    pilot.tap_text("入学", exact=True)
    pilot.wait_for_screen("confirm")
    pilot.tap_text(_("confirm.submit"))

    pilot.wait_for_screen("result", timeout=30)
    pilot.wait_until(lambda: app.screen("result").printed, "the receipt to print")
    assert_one_navigation(ui, back=False)  # submitted: no step back into the confirmation


def test_home_from_the_receipt_asks_to_rate_once_and_never_traps(ui) -> None:
    app, pilot = ui.app, ui.pilot
    # The previous citizen rated badly and was asked why: the rating screen must look the same for this one.
    app.go("rating")
    pilot.wait_for_screen("rating")
    app.screen("rating").ask_reasons(2, REASON_KEYS, "")
    pilot.frames(3)
    app.end_session()
    pilot.frames(2)
    to_materials(ui)
    materials_next(ui)
    pilot.wait_for_screen("form")
    pilot.type_keys("13912345678")
    pilot.tap(app.screen("form").ids.form_next)
    pilot.tap_text("就业", exact=True)
    pilot.wait_for_screen("confirm")
    pilot.tap_text(_("confirm.submit"))
    pilot.wait_for_screen("result", timeout=30)
    session = app.session.id

    pilot.tap(app.top_bar.ids.home_button)
    pilot.wait_for_text(_("result.rate_first.title"))
    pilot.tap_text(_("result.rate_first.rate"), exact=True)  # yes: to the rating
    pilot.wait_for_screen("rating")
    assert_one_navigation(ui)  # the rating too: 跳过 and 返回首页 both end the visit
    bar_bottom = app.top_bar.to_window(*app.top_bar.pos)[1]
    for button in app.screen("rating").ids.levels.children:  # all under the bar: a tap on 上一步 rates nothing
        assert button.to_window(button.x, button.top)[1] <= bar_bottom + 1, f"{button.text} reaches the top bar"
    step_back(ui, "result")
    pilot.tap(app.top_bar.ids.home_button)  # asked again on a new visit of the receipt …
    pilot.wait_for_text(_("result.rate_first.title"))
    pilot.tap_text(_("result.rate_first.leave"), exact=True)  # … and "no" goes home at once
    pilot.wait_for_screen("home")
    assert app.session.id != session  # the session ended: nothing of the citizen stays


def test_home_asked_once_then_a_second_tap_goes_home(ui) -> None:
    app, pilot = ui.app, ui.pilot
    to_materials(ui)
    pilot.tap_text("居民户口簿")  # untick: a main material is missing → the one-time notice
    materials_next(ui)
    pilot.wait_for_screen("notice")
    assert_one_navigation(ui)
    step_back(ui, "materials")  # the previous step: tick what was forgotten
    materials_next(ui)
    pilot.wait_for_screen("notice")
    pilot.tap(app.top_bar.ids.home_button)
    pilot.wait_for_text(_("result.rate_first.title"))
    popup = buttons(ui, _("result.rate_first.leave"))[0].parent.parent
    popup.dismiss(animation=False)  # closed without an answer (e.g. the idle countdown took over)
    pilot.tap(app.top_bar.ids.home_button)  # asked once: the second tap goes home
    pilot.wait_for_screen("home")
