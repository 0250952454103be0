"""``kiosk voice-test`` as a technician runs it: a test sentence spoken, the audio written where asked."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (run.sh)")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "voice-test", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_voice_test_speaks_the_test_sentence_and_writes_the_wav(tmp_path: Path) -> None:
    out = tmp_path / "speaker-check.wav"
    result = run("--out", str(out), "--player", "none", "--cue", "tick")
    assert result.returncode == 0, result.stderr
    assert "said: 语音测试。" in result.stdout
    assert "player: none" in result.stdout and "headset:" in result.stdout
    with wave.open(str(out), "rb") as reader:
        assert reader.getnframes() / reader.getframerate() > 2.0  # a whole sentence, not a click


def test_voice_test_refuses_to_read_an_id_number_in_full(tmp_path: Path) -> None:
    result = run("--text", "号码410105195003152015", "--player", "none")
    assert result.returncode == 0, result.stderr
    assert "410105195003152015" not in result.stdout and "4101**********2015" in result.stdout


def test_an_explicit_player_that_is_missing_is_named_with_the_fix(tmp_path: Path) -> None:
    if shutil.which("paplay"):
        pytest.skip("paplay is installed here")
    result = run("--player", "paplay")
    assert result.returncode == 69
    assert "paplay" in result.stderr and "apt-get install pulseaudio-utils" in result.stderr
