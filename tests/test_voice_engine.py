"""The voice engine with the real espeak-ng and real WAV files; what was said is read from the utterance log.

There is no sound card here, so the silent player stands in for the speaker (it keeps real time when asked,
so interrupting behaves as on a kiosk); a stand-in "aplay" that copies its standard input to a file checks
what the real player command receives.
"""

from __future__ import annotations

import shutil
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.voice import PersonalName, SpeechRefused, VoiceEngine, VoiceSettings
from kiosk.voice.player import CommandPlayer, SilentPlayer, choose_player

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (run.sh)")

ID_NUMBER = "410105195003152015"


@pytest.fixture
def voice(tmp_path: Path):
    engine = VoiceEngine(VoiceSettings(state_dir=tmp_path, player="none"), language=lambda: "zh_CN").start()
    yield engine
    engine.stop()


def samples(path: str | Path) -> np.ndarray:
    with wave.open(str(path), "rb") as reader:
        return np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")


def test_a_screen_prompt_is_spoken_and_its_audio_cached(voice: VoiceEngine) -> None:
    voice.say_screen("voice.prompt.identify")
    assert voice.wait_idle()
    first = voice.utterances.last()
    assert first.outcome == "played" and first.kind == "screen" and first.key == "voice.prompt.identify"
    assert first.text.startswith("请核验身份")
    assert first.cached is False and first.audio_bytes > 10_000  # about a second of speech at least
    assert Path(first.audio_path).is_relative_to(voice.cache.directory)
    assert np.abs(samples(first.audio_path)).max() > 1000  # not silence

    voice.say_screen("voice.prompt.identify")
    assert voice.wait_idle()
    again = voice.utterances.last()
    assert again.cached is True and again.audio_path == first.audio_path
    assert voice.utterances.said("screen") == [first.text, first.text]


def test_prewarmed_prompts_start_from_the_cache_for_the_first_citizen(voice: VoiceEngine) -> None:
    voice.prewarm(["voice.prompt.home", "voice.prompt.catalog"], languages=("zh_CN", "en")).join(30)
    voice.say_screen("voice.prompt.catalog")
    voice.wait_idle()
    assert voice.utterances.last().cached is True
    assert len(list(voice.cache.directory.glob("*.wav"))) == 4  # two prompts, two languages


def test_the_cache_key_holds_voice_and_rate(voice: VoiceEngine) -> None:
    voice.say_screen("voice.prompt.home")
    voice.wait_idle()
    normal = voice.utterances.last()
    voice.set_rate(350)
    voice.say_screen("voice.prompt.home")
    voice.wait_idle()
    fast = voice.utterances.last()
    assert fast.cached is False and fast.audio_path != normal.audio_path
    assert fast.audio_bytes < normal.audio_bytes * 0.8  # faster speech is shorter


def test_a_new_screen_prompt_cuts_off_the_older_speech(tmp_path: Path) -> None:
    # Real-time playback, at a fast rate to keep the test short (the rating prompt lasts about 3.5 s).
    engine = VoiceEngine(VoiceSettings(state_dir=tmp_path, rate=400), player=SilentPlayer(realtime=True),
                         language=lambda: "zh_CN").start()
    try:
        engine.say_screen("voice.prompt.identify")  # several seconds long
        assert engine.utterances.wait_for(lambda log: log[0].started_at is not None, timeout=10)
        engine.say_label("确认提交")   # queued behind, then dropped by the next screen
        engine.say_screen("voice.prompt.rating")
        assert engine.utterances.wait_for(lambda log: log[-1].outcome == "played", timeout=30)
        outcomes = [(u.kind, u.outcome) for u in engine.utterances.entries()]
        assert outcomes == [("screen", "cancelled"), ("label", "cancelled"), ("screen", "played")]
        assert engine.utterances.said() == [engine.utterances.last().text]
    finally:
        engine.stop()


def test_help_repeats_the_current_screen_prompt(voice: VoiceEngine) -> None:
    assert voice.repeat_prompt() is None  # nothing to repeat before a screen spoke
    voice.say_screen("voice.prompt.ticket")
    voice.say_label("社保医保")
    voice.repeat_prompt()
    voice.wait_idle()
    assert voice.utterances.said()[-1] == "取号排队。请选择要办理的业务类别。"


def test_a_full_id_number_is_never_spoken_or_logged(voice: VoiceEngine, tmp_path: Path) -> None:
    voice.say(f"身份证号码{ID_NUMBER}，电话13912345678")
    voice.wait_idle()
    said = voice.utterances.last()
    assert ID_NUMBER not in said.text and "13912345678" not in said.text
    assert "4101**********2015" in said.text and "139****5678" in said.text
    assert said.cached is False and Path(said.audio_path).parent == voice.scratch_dir
    assert said.audio_bytes > 44
    # The audio of personal text goes when the session ends.
    voice.forget()
    assert not Path(said.audio_path).exists()


def test_names_are_refused_or_masked(voice: VoiceEngine) -> None:
    with pytest.raises(SpeechRefused):
        voice.say(PersonalName("张建国"))
    voice.set_private_words(["张建国"])
    voice.say("张建国您好，请取走回执。")
    voice.wait_idle()
    assert voice.utterances.last().text == "张**您好，请取走回执。"
    voice.forget()
    voice.say("张建国")  # after the session ended the word is no longer known to be private …
    voice.wait_idle()
    assert voice.utterances.last().outcome == "played"  # … which is why names travel as PersonalName


def test_volume_scales_what_the_player_receives(tmp_path: Path) -> None:
    received = tmp_path / "received.wav"
    # A stand-in "aplay": the real CommandPlayer code, a real process reading the WAV from standard input.
    copier = CommandPlayer("copy", [sys.executable, "-c",
                                    f"import sys, shutil; shutil.copyfileobj(sys.stdin.buffer, open({str(received)!r}, 'wb'))"])
    engine = VoiceEngine(VoiceSettings(state_dir=tmp_path, volume=1.0), player=copier,
                         language=lambda: "zh_CN").start()
    try:
        engine.say_label("确认")
        engine.wait_idle()
        loud = np.abs(samples(received)).max()
        engine.set_volume(0.5)
        engine.say_label("确认")
        engine.wait_idle()
        quiet = np.abs(samples(received)).max()
        assert quiet == pytest.approx(loud * 0.5, rel=0.02)
        assert engine.volume_down() == 0.4 and engine.volume_up() == 0.5
        assert engine.set_volume(7) == 1.0
    finally:
        engine.stop()


def test_cues_are_short_distinct_generated_sounds(voice: VoiceEngine) -> None:
    names = ["card_read", "code_read", "printing", "error", "tick"]
    for name in names:
        voice.cue(name)
    voice.wait_idle()
    cues = [u for u in voice.utterances.entries() if u.kind == "cue"]
    assert [u.key for u in cues] == names and all(u.outcome == "played" for u in cues)
    durations = {u.key: len(samples(u.audio_path)) / 22050 for u in cues}
    assert all(0.01 < seconds < 1.0 for seconds in durations.values()), durations
    assert len({Path(u.audio_path).read_bytes() for u in cues}) == len(names)
    with pytest.raises(ValueError, match="card_read, code_read"):
        voice.cue("fanfare")


def test_disabled_voice_says_nothing_until_enabled(tmp_path: Path) -> None:
    engine = VoiceEngine(VoiceSettings(state_dir=tmp_path, player="none", enabled=False)).start()
    try:
        assert engine.say_screen("voice.prompt.home") is None
        engine.enable()
        engine.say_screen("voice.prompt.home")
        engine.wait_idle()
        assert len(engine.utterances.said()) == 1
    finally:
        engine.stop()


def test_english_uses_an_english_voice(tmp_path: Path) -> None:
    engine = VoiceEngine(VoiceSettings(state_dir=tmp_path, player="none"), language=lambda: "en").start()
    try:
        engine.say_screen("voice.prompt.home")
        engine.wait_idle()
        said = engine.utterances.last()
        assert said.voice == "en-us" and said.text.startswith("Welcome")
    finally:
        engine.stop()


def test_player_choice_without_a_sound_card() -> None:
    assert choose_player("none").name == "none"
    if not Path("/proc/asound/cards").exists():
        assert choose_player("auto").name in ("none", "paplay")
    with pytest.raises(ValueError, match="auto, aplay, paplay or none"):
        choose_player("speaker")
