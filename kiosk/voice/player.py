"""Playing a WAV through the kiosk's speaker or headset: aplay (alsa-utils) or paplay (PulseAudio/PipeWire).

``choose_player()`` picks one by what exists on the machine:
- a PulseAudio/PipeWire socket (``$PULSE_SERVER`` or ``$XDG_RUNTIME_DIR/pulse/native``) and ``paplay``;
- otherwise an ALSA sound card (``/proc/asound/cards`` lists one) and ``aplay``;
- otherwise ``SilentPlayer``: no sound card (a test machine, a kiosk whose card failed): nothing is heard, the
  utterance is still synthesized and recorded, so the tests read what would have been said.

Volume is applied to the samples before they go to the player (one code path for both players and no mixer
state left behind for the next citizen). Playback is cancellable: a new screen's prompt stops older speech.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

ASOUND_CARDS = Path("/proc/asound/cards")


class Player(Protocol):
    name: str

    def play(self, wav: Path, volume: float, cancel: threading.Event, on_start: Callable[[], None]) -> bool:
        """Play ``wav`` at ``volume`` (0..1); call ``on_start`` when sound starts; return False if cancelled."""


def wav_duration_s(wav: Path) -> float:
    with wave.open(str(wav), "rb") as reader:
        return reader.getnframes() / float(reader.getframerate() or 1)


def scaled_wav_bytes(wav: Path, volume: float) -> bytes:
    """The WAV with its 16-bit samples multiplied by ``volume`` (0..1)."""
    with wave.open(str(wav), "rb") as reader:
        params = reader.getparams()
        frames = reader.readframes(params.nframes)
    if params.sampwidth == 2 and volume < 0.999:
        import numpy as np  # here, not at the top: kept out of the kiosk's cold start (issue #16)

        samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) * max(0.0, min(1.0, volume))
        frames = np.clip(samples, -32768, 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(frames)
    return out.getvalue()


class CommandPlayer:
    """aplay or paplay reading a WAV from standard input."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.argv = argv

    def play(self, wav: Path, volume: float, cancel: threading.Event, on_start: Callable[[], None]) -> bool:
        data = scaled_wav_bytes(wav, volume)
        process = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        on_start()
        try:
            assert process.stdin is not None
            process.stdin.write(data)
            process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        while process.poll() is None:
            if cancel.wait(0.02):
                process.terminate()
                try:
                    process.wait(1.0)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                return False
        return process.returncode == 0


class SilentPlayer:
    """No sound card: nothing is heard, but timing is kept when ``realtime`` (so cancelling behaves as live)."""

    name = "none"

    def __init__(self, realtime: bool = False) -> None:
        self.realtime = realtime

    def play(self, wav: Path, volume: float, cancel: threading.Event, on_start: Callable[[], None]) -> bool:
        on_start()
        if self.realtime:
            return not cancel.wait(wav_duration_s(wav))
        return not cancel.is_set()


def pulse_socket_present(environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("PULSE_SERVER"):
        return True
    runtime = env.get("XDG_RUNTIME_DIR")
    return bool(runtime) and Path(runtime, "pulse", "native").exists()


def alsa_card_present(cards: Path = ASOUND_CARDS) -> bool:
    try:
        text = cards.read_text()
    except OSError:
        return False
    return "no soundcards" not in text and bool(text.strip())


def choose_player(preference: str = "auto") -> Player:
    """'auto', 'paplay', 'aplay' or 'none'. An explicit player whose program is missing is an error."""
    if preference == "none":
        return SilentPlayer()
    paplay, aplay = shutil.which("paplay"), shutil.which("aplay")
    if preference == "paplay" or (preference == "auto" and paplay and pulse_socket_present()):
        if not paplay:
            raise RuntimeError("voice: player 'paplay' was asked for but is not installed; "
                               "apt-get install pulseaudio-utils, or set the player to 'aplay' or 'auto'")
        return CommandPlayer("paplay", [paplay])
    if preference == "aplay" or (preference == "auto" and aplay and alsa_card_present()):
        if not aplay:
            raise RuntimeError("voice: player 'aplay' was asked for but is not installed; "
                               "apt-get install alsa-utils, or set the player to 'auto'")
        return CommandPlayer("aplay", [aplay, "-q", "-"])
    if preference not in ("auto", "paplay", "aplay"):
        raise ValueError(f"voice: player {preference!r} is unknown; use auto, aplay, paplay or none")
    return SilentPlayer()
