"""Short sound cues, generated (numpy + wave, nothing downloaded): card read, code read, printing, error, tick.

Each cue differs in rhythm and pitch direction, not only in pitch, so they are told apart by people who hear
high tones poorly (most elderly listeners): rising = something was read, falling = something went wrong.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when a cue is generated, not before the kiosk's first frame (issue #16)
    import numpy as np

SAMPLE_RATE = 22050

# name -> list of (frequency Hz, duration ms, gap after ms); frequency 0 is silence.
CUES: dict[str, list[tuple[float, int, int]]] = {
    "card_read": [(660, 90, 30), (880, 140, 0)],                 # rising two-note: 读卡成功
    "code_read": [(1046, 70, 40), (1046, 70, 0)],                # two short equal beeps: 扫码成功
    "printing": [(523, 60, 120), (523, 60, 120), (523, 60, 0)],  # three soft pulses: 正在打印
    "error": [(440, 160, 40), (311, 260, 0)],                    # falling, longer: 出错
    "tick": [(1200, 25, 0)],                                     # a click each second of the countdown
}


def tone(frequency: float, duration_ms: int, amplitude: float = 0.5) -> np.ndarray:
    import numpy as np

    count = int(SAMPLE_RATE * duration_ms / 1000)
    if frequency <= 0 or count == 0:
        return np.zeros(count, dtype=np.float32)
    times = np.arange(count, dtype=np.float32) / SAMPLE_RATE
    wave_form = np.sin(2 * np.pi * frequency * times) * amplitude
    ramp = min(count // 4, int(SAMPLE_RATE * 0.008))  # 8 ms fade in/out: no click at the edges
    if ramp:
        envelope = np.ones(count, dtype=np.float32)
        envelope[:ramp] = np.linspace(0, 1, ramp)
        envelope[-ramp:] = np.linspace(1, 0, ramp)
        wave_form *= envelope
    return wave_form.astype(np.float32)


def render(name: str) -> np.ndarray:
    try:
        notes = CUES[name]
    except KeyError:
        raise ValueError(f"sound cue {name!r} does not exist; use one of {', '.join(CUES)}") from None
    import numpy as np

    parts = []
    for frequency, duration_ms, gap_ms in notes:
        parts.append(tone(frequency, duration_ms))
        parts.append(np.zeros(int(SAMPLE_RATE * gap_ms / 1000), dtype=np.float32))
    return np.concatenate(parts)


def write_wav(samples: np.ndarray, path: Path) -> Path:
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    partial = path.with_suffix(".part")
    with wave.open(str(partial), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(pcm.tobytes())
    partial.replace(path)
    return path


def cue_file(name: str, directory: Path) -> Path:
    """The cue's WAV under ``directory``, generated the first time."""
    path = directory / f"cue-{name}.wav"
    if not path.is_file():
        write_wav(render(name), path)
    return path
