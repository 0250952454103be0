"""Issue #16: the frames that first show the form's keyboard and the materials list were among the soak's frames
over 33 ms. Both now reuse what the last citizen's visit built, without the last citizen's answers in it."""

from __future__ import annotations

import pytest
from uisteps import apply_from_guide, identify_with_code, materials_next, open_item

pytestmark = pytest.mark.ui

ZHANG = "410105195003152015"  # 张建国, the sandbox's citizen in good standing


def reach_materials(ui) -> list:
    """户籍证明开具 up to its materials list; the list's rows, top first."""
    open_item(ui, "户籍证明开具")
    apply_from_guide(ui)
    identify_with_code(ui, ZHANG)
    ui.pilot.wait_for_screen("materials")
    ui.pilot.wait_until(lambda: not ui.app.screen("materials").loading, "the platform's answer")
    return list(reversed(ui.app.screen("materials").ids.material_list.children))


def reach_form(ui) -> None:
    reach_materials(ui)
    for name in ("居民身份证", "居民户口簿"):  # everything at hand: no one-time notice on the way
        ui.pilot.tap_text(name)
    materials_next(ui)
    ui.pilot.wait_for_screen("form")


def end_session(ui) -> None:
    ui.app.end_session()
    ui.pilot.wait_for_screen("home")
    ui.pilot.frames(2)


def test_the_next_citizen_gets_the_same_material_rows_unticked(ui) -> None:
    pilot = ui.pilot
    first = reach_materials(ui)
    assert [row.material for row in first] == ["居民身份证", "居民户口簿"]
    pilot.tap_text("居民身份证")
    assert first[0].checked
    end_session(ui)
    assert not any(row.checked for row in first), "a kept row still shows the last citizen's tick"

    second = reach_materials(ui)
    assert [id(row) for row in second] == [id(row) for row in first], "the rows were built again"
    assert [row.material for row in second] == ["居民身份证", "居民户口簿"]
    assert not any(row.checked for row in second), "the next citizen starts with a tick"
    assert all(row.material in row.text for row in second)
    pilot.tap_text("居民户口簿")
    assert ui.app.screen("materials").ticked() == ["居民户口簿"]


def test_the_keys_do_not_change_state_when_the_form_shows_its_keyboard_again(ui) -> None:
    """Each change of a key's state draws its label again: the keys were put on a keyboard still disabled and
    enabled again a moment later, 12 new textures in the frame that shows the field."""
    from screens.keyboard import KeyboardKey

    pilot = ui.pilot
    reach_form(ui)
    keyboard = ui.app.screen("form").ids.keyboard
    assert keyboard.layout and not keyboard.disabled
    keys = [widget for widget in keyboard.ids.rows.walk() if isinstance(widget, KeyboardKey)]
    assert len(keys) >= 12  # the phone number's pad (not the candidates' paging keys: pinyin only)
    end_session(ui)
    assert keyboard.disabled, "a hidden keyboard must take no touches"

    changes: list[tuple[str, bool]] = []
    for key in keys:
        key.fbind("disabled", lambda widget, value: changes.append((widget.key, value)))
    reach_form(ui)
    pilot.frames(2)
    shown = [widget for widget in keyboard.ids.rows.walk() if isinstance(widget, KeyboardKey)]
    assert {id(key) for key in shown} == {id(key) for key in keys}, "the keys were built again"
    assert not keyboard.disabled and not [key.key for key in shown if key.disabled]
    assert changes == [], f"keys changed state on the way to the form: {changes[:6]}"
    pilot.type_keys("139")
    assert ui.app.screen("form").value == "139"


def choice_buttons(ui) -> list:
    editor = ui.app.screen("form").ids.editor
    return [button for button in reversed(editor.children) if hasattr(button, "choice")]


def test_the_choice_buttons_are_kept_and_each_citizen_chooses_their_own(ui) -> None:
    pilot = ui.pilot
    reach_form(ui)
    pilot.type_keys("13912345678")
    pilot.tap(ui.app.screen("form").ids.form_next)
    first = choice_buttons(ui)
    assert [button.choice for button in first] == ["就业", "入学", "出国（境）", "其他用途"]
    pilot.tap_text("就业", exact=True)
    pilot.wait_for_screen("confirm")
    end_session(ui)

    reach_form(ui)
    pilot.type_keys("13912345678")
    pilot.tap(ui.app.screen("form").ids.form_next)
    second = choice_buttons(ui)
    assert [id(button) for button in second] == [id(button) for button in first], "the buttons were built again"
    assert [button.text for button in second] == ["就业", "入学", "出国（境）", "其他用途"]
    assert all(button.state == "normal" for button in second)
    pilot.tap_text("入学", exact=True)
    pilot.wait_for_screen("confirm")
    confirmed = " ".join(pilot.visible_texts())  # the confirm screen lists the answers
    assert "入学" in confirmed and "就业" not in confirmed, "the last citizen's choice came back"
