"""Keypad focus on a tiny test screen in the real window: keys move focus in reading order, each control is
spoken (read back from the voice's utterance log, with real espeak-ng audio), Enter activates, help repeats
the prompt, +/- change the volume, and the focus ring is really drawn on the glass."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.ui,
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (run.sh)")]

DOWN, UP, RIGHT, ENTER, BACKSPACE, F1, NUMPAD_ADD, NUMPAD_8 = 274, 273, 275, 13, 8, 282, 270, 264


@pytest.fixture
def stage(kiosk_display: Path, tmp_path: Path):
    """A tiny screen on top of whatever the window shows, a real voice engine, and a focus manager."""
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.properties import BooleanProperty
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    from kiosk.voice import VoiceEngine, VoiceSettings
    from screens.focus import KeypadFocus

    class Toggle(Button):
        checked = BooleanProperty(False)

        def on_release(self) -> None:
            self.checked = not self.checked

    class TinyScreen(BoxLayout):
        spoken_prompt = "voice.prompt.ticket"
        backs = 0

        def keypad_back(self) -> None:
            self.backs += 1

    EventLoop.ensure_window()
    screen = TinyScreen(orientation="vertical", padding=40, spacing=20)
    screen.add_widget(Label(text="取号排队", color=(0, 0, 0, 1)))  # a label: not a control
    row = BoxLayout(spacing=20)
    pressed: list[str] = []
    for text in ("社保医保", "户籍"):  # one row: read left to right
        button = Button(text=text)
        button.bind(on_release=lambda b: pressed.append(b.text))
        row.add_widget(button)
    screen.add_widget(row)
    hidden = Button(text="看不见的按钮", opacity=0)  # hidden widgets are skipped
    screen.add_widget(hidden)
    screen.add_widget(Toggle(text="[b]需要回访[/b]\n将致电 139****5678", markup=True))
    disabled = Button(text="暂停服务", disabled=True)
    screen.add_widget(disabled)
    Window.add_widget(screen)

    voice = VoiceEngine(VoiceSettings(state_dir=tmp_path, player="none", enabled=False),
                        language=lambda: "zh_CN").start()
    focus = KeypadFocus().attach(Window, voice)

    def frames(count: int = 3) -> None:
        for _ in range(count):
            EventLoop.idle()

    def key(code: int) -> None:
        time.sleep(0.06)  # a person's pace, not a scanner burst
        Window.dispatch("on_key_down", code, 0, None, [])
        frames(3)

    frames(5)
    focus.screen_changed(screen)
    yield screen, voice, focus, key, frames, pressed
    focus.detach()
    voice.stop()
    Window.remove_widget(screen)
    frames(2)


def spoken(voice) -> list[str]:
    voice.wait_idle(20)
    return voice.utterances.said()


def test_the_first_key_starts_voice_and_says_the_screen(stage) -> None:
    screen, voice, focus, key, frames, pressed = stage
    assert spoken(voice) == []  # touch users hear nothing until voice is wanted
    key(DOWN)
    assert focus.active and voice.enabled
    said = spoken(voice)
    assert said[0] == "取号排队。请选择要办理的业务类别。"
    assert said[1].startswith("使用方向键选择")
    first = voice.utterances.entries()[0]
    assert first.kind == "screen" and first.audio_bytes > 10_000 and Path(first.audio_path).exists()


def test_focus_moves_in_reading_order_and_each_control_is_spoken(stage) -> None:
    screen, voice, focus, key, frames, pressed = stage
    key(DOWN)  # wakes the accessible mode
    for code in (DOWN, RIGHT, DOWN, DOWN):
        key(code)
    labels = [u.text for u in voice.utterances.entries() if u.kind == "label"]
    # Row first (left, right), then the toggle with its markup removed and state said; hidden and disabled
    # buttons are skipped; after the last control focus wraps to the first.
    assert labels == ["社保医保", "户籍", "需要回访，将致电 139****5678，未选中", "社保医保"]
    key(UP)
    key(NUMPAD_8)
    assert [u.text for u in voice.utterances.entries() if u.kind == "label"][-2:] == [
        "需要回访，将致电 139****5678，未选中", "户籍"]


def test_enter_activates_and_a_toggle_says_its_new_state(stage) -> None:
    screen, voice, focus, key, frames, pressed = stage
    key(DOWN)
    key(DOWN)
    key(ENTER)
    frames(10)
    assert pressed == ["社保医保"]
    key(DOWN)
    key(DOWN)
    key(ENTER)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not voice.utterances.said("label")[-1].endswith("已选中"):
        frames(2)
        time.sleep(0.02)
    assert voice.utterances.said("label")[-1] == "需要回访，将致电 139****5678，已选中"


def test_help_repeats_the_prompt_back_goes_to_the_screen_and_volume_changes(stage) -> None:
    screen, voice, focus, key, frames, pressed = stage
    key(DOWN)
    key(DOWN)
    key(F1)
    assert spoken(voice)[-1] == "取号排队。请选择要办理的业务类别。"
    key(BACKSPACE)
    assert screen.backs == 1
    before = voice.volume
    key(NUMPAD_ADD)
    assert voice.volume == pytest.approx(min(1.0, before + 0.1))
    assert spoken(voice)[-1] == f"音量百分之{round(voice.volume * 100)}"


def test_a_scanner_burst_is_not_taken_for_keypad_keys(stage) -> None:
    from kivy.core.window import Window

    screen, voice, focus, key, frames, pressed = stage
    key(DOWN)
    key(DOWN)
    before = len(voice.utterances.entries())
    for code in (49, 50, 51, ENTER):  # "123" + Enter within a few milliseconds
        Window.dispatch("on_key_down", code, 0, chr(code), [])
    frames(5)
    assert pressed == []
    assert len(voice.utterances.entries()) == before


def test_the_focus_ring_is_drawn_around_the_focused_control(stage, tmp_path: Path) -> None:
    from kivy.core.window import Window
    from PIL import Image

    from screens import theme

    screen, voice, focus, key, frames, pressed = stage
    key(DOWN)
    assert not focus.ring.visible  # waking the mode focuses nothing yet
    key(DOWN)
    assert focus.ring.visible
    frames(4)
    shot = Path(Window.screenshot(name=str(tmp_path / "focus.png")))
    image = Image.open(shot).convert("RGB")
    widget = focus.focused
    x, y = widget.to_window(widget.x, widget.y)
    # Screenshots are top-down; Kivy's y goes up. Sample the middle of the left edge, just outside.
    px, py = int(x - 1), int(image.height - (y + widget.height / 2))
    outer = tuple(round(c * 255) for c in theme.live.focus_ring[:3])
    assert all(abs(a - b) < 40 for a, b in zip(image.getpixel((px, py)), outer, strict=True)), (
        image.getpixel((px, py)), outer)
    focus.end_session()
    frames(2)
    assert not focus.ring.visible
