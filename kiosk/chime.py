"""The assist chime: a two-note "ding-dong" generated with numpy and written as a 16-bit mono WAV.

Generated rather than shipped (no binary in the repo, no download); written once into the state dir and
played by the UI (Kivy's SoundLoader) when 呼叫工作人员 is pressed, so staff nearby hear it too.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 22_050
NOTES = ((659.25, 0.45), (523.25, 0.9))  # E5 then C5: the familiar doorbell interval, gentle on old ears
VOLUME = 0.6


def chime_samples(sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """int16 samples: each note a sine with two soft overtones and a bell-like exponential decay."""
    parts = []
    for frequency, seconds in NOTES:
        t = np.arange(int(sample_rate * seconds)) / sample_rate
        tone = (np.sin(2 * np.pi * frequency * t) + 0.3 * np.sin(4 * np.pi * frequency * t)
                + 0.1 * np.sin(6 * np.pi * frequency * t)) / 1.4
        envelope = np.exp(-3.5 * t / seconds) * np.minimum(1.0, t / 0.01)  # 10 ms attack: no click
        parts.append(tone * envelope)
    signal = np.concatenate(parts) * VOLUME
    return (np.clip(signal, -1.0, 1.0) * 32767).astype(np.int16)


def write_chime(path: Path, sample_rate: int = SAMPLE_RATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(chime_samples(sample_rate).tobytes())
    return path


def chime_path(state_dir: Path) -> Path:
    """The chime file in ``<state_dir>/sounds``, written on first use."""
    path = Path(state_dir) / "sounds" / "assist_chime.wav"
    if not path.exists():
        write_chime(path)
    return path
