"""A citizen who cannot see, with a keypad and a headset (issue #13, CUSS accessible mode): a query-and-print
item and a queue ticket with key presses only, listening to what the kiosk says. Nothing is tapped.

The voice is the real one (espeak-ng into WAV files, played by the silent player when the machine has no
sound card): the test checks what was said, in which order, and that each prompt's audio was made.
"""

from __future__ import annotations

import shutil
import time

import pytest

from kiosk.i18n import translate as _

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

DOWN, ENTER, ESCAPE, F1 = 274, 13, 27, 282
KEY_GAP_S = 0.08  # slower than a keyboard-wedge scanner's burst, as a person presses keys


def press(ui, key: int) -> None:
    from kivy.core.window import Window

    time.sleep(KEY_GAP_S)
    Window.dispatch("on_key_down", key, 0, None, [])
    Window.dispatch("on_key_up", key, 0)
    ui.pilot.frames(3)


def focus_on(ui, words: str, presses: int = 80) -> None:
    """Down until the focused control says ``words`` (a citizen listening to each control), then Enter."""
    focus = ui.app.access.focus
    for _i in range(presses):
        press(ui, DOWN)
        label = focus.focused is not None and _spoken(focus.focused)
        if label and words in label:
            press(ui, ENTER)
            return
    raise AssertionError(f"no control saying {words!r} on screen {ui.pilot.current!r} after {presses} presses")


def _spoken(widget) -> str:
    from screens.focus import spoken_label

    return spoken_label(widget)


def said_prompt(ui, key: str, timeout: float = 20.0):
    """The screen prompt ``key`` was spoken to the end, with its audio made; the utterance."""
    voice = ui.app.access.voice

    def done(entries) -> bool:
        return any(u.kind == "screen" and u.key == key and u.outcome in ("played", "failed") for u in entries)

    assert voice.utterances.wait_for(done, timeout), f"the prompt {key} was never spoken; said: {voice.utterances.said()}"
    utterance = next(u for u in reversed(voice.utterances.entries()) if u.kind == "screen" and u.key == key
                     and u.outcome in ("played", "failed"))
    assert utterance.outcome == "played", utterance.error
    assert utterance.text == _(key)
    assert utterance.audio_bytes > 1000 and utterance.audio_path.endswith(".wav")
    return utterance


def wait_quiet(ui) -> None:
    ui.app.access.voice.wait_idle(20)


def test_query_and_print_and_a_queue_ticket_with_the_keypad_only(ui) -> None:
    app, pilot = ui.app, ui.pilot
    voice = app.access.voice
    assert not voice.enabled, "the voice starts off for a sighted citizen"
    voice.utterances.clear()

    # The first key turns on the accessible mode: the voice says where the citizen is and how the keys work.
    press(ui, DOWN)
    assert voice.enabled and app.access.voice_on
    said_prompt(ui, "voice.prompt.home")
    assert voice.utterances.wait_for(lambda es: any(_("voice.keypad_hint") == u.text for u in es), 10)

    focus_on(ui, _("home.start"))
    pilot.wait_for_screen("catalog")
    said_prompt(ui, "voice.prompt.catalog")
    # The help key says the screen's prompt again.
    wait_quiet(ui)
    before = len([u for u in voice.utterances.entries() if u.key == "voice.prompt.catalog"])
    press(ui, F1)
    pilot.wait_until(lambda: len([u for u in voice.utterances.entries() if u.key == "voice.prompt.catalog"]) > before,
                     "the prompt said again")

    focus_on(ui, "个人信用报告打印", presses=120)
    pilot.wait_for_screen("guide")
    said_prompt(ui, "voice.prompt.guide")
    focus_on(ui, _("guide.query"))  # a query-and-print item: 查询打印
    pilot.wait_for_screen("identify")
    said_prompt(ui, "voice.prompt.identify")
    focus_on(ui, _("identify.demo_qr"))  # the e-ID on the citizen's phone, held to the camera
    pilot.wait_for_screen("query", 30)
    said_prompt(ui, "voice.prompt.query")
    pilot.wait_until(lambda: app.screen("query").state == "ready", "the query result", 30)
    focus_on(ui, _("query.print"))
    pilot.wait_until(lambda: app.screen("query").state == "printed", "the printout", 30)
    assert voice.utterances.wait_for(lambda es: any(u.kind == "cue" and u.key == "printing" for u in es), 10)
    # Nothing personal was ever said: the citizen's ID number and name are not in any utterance.
    assert not any("410105195003152015" in u.text or "张建国" in u.text for u in voice.utterances.entries())

    # Done: 返回首页 from the top bar, still with the keypad. The session ends; the voice forgets.
    focus_on(ui, _("nav.home"))
    pilot.wait_for_screen("home")
    assert not app.access.focus.active

    # A queue ticket: the next key turns the accessible mode on again.
    voice.utterances.clear()
    press(ui, DOWN)
    said_prompt(ui, "voice.prompt.home")
    focus_on(ui, _("home.ticket"))
    pilot.wait_for_screen("ticket")
    said_prompt(ui, "voice.prompt.ticket")
    focus_on(ui, app.desk.service.services()[0])
    pilot.wait_until(lambda: app.screen("ticket").print_text == _("desk.ticket.printed"), "the ticket", 30)
    spoken = " ".join(voice.utterances.said())
    assert _("voice.prompt.ticket") in spoken


def test_the_back_key_goes_one_step_back(ui) -> None:
    app, pilot = ui.app, ui.pilot
    press(ui, DOWN)  # accessible mode on
    focus_on(ui, _("home.start"))
    pilot.wait_for_screen("catalog")
    focus_on(ui, "个人信用报告打印", presses=120)
    pilot.wait_for_screen("guide")
    press(ui, ESCAPE)
    pilot.wait_for_screen("catalog")
    said_prompt(ui, "voice.prompt.catalog")
    assert app.access.voice.enabled


def test_the_top_bar_aids_are_one_tap_away_and_the_next_citizen_starts_afresh(ui) -> None:
    from kivy.metrics import Metrics

    from kiosk.i18n import current_language
    from screens import theme

    app, pilot = ui.app, ui.pilot
    bar = app.top_bar.ids
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    pilot.tap(bar.elder_toggle)
    assert Metrics.fontscale == 1.5 and app.idle.scale == 2.0 and app.access.max_choices == 6
    pilot.tap(bar.contrast_toggle)
    assert theme.live.name == "contrast"
    pilot.tap(bar.language_toggle)
    assert current_language() == "en" and app.top_bar.title == _("catalog.bar", "en")
    pilot.tap(bar.voice_toggle)
    assert app.access.voice.enabled
    said_prompt(ui, "voice.prompt.catalog")
    assert app.access.voice.utterances.last("screen").voice != "cmn"  # said in English now
    # 返回首页: the session ends, every aid goes back to the station's defaults.
    pilot.tap(bar.home_button)
    pilot.wait_for_screen("home")
    assert Metrics.fontscale == 1.0 and app.idle.scale == 1.0
    assert theme.live.name == "default" and current_language() == "zh_CN" and not app.access.voice.enabled
    assert app.top_bar.title == _("home.bar", "zh_CN")
