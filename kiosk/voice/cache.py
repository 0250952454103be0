"""WAV files of fixed prompts, keyed by text + engine + voice + rate, under ``<state_dir>/voice/cache``.

Fixed prompts (screen prompts, button labels, cues) are the same for every citizen, so their audio is made
once and replayed: a screen's prompt then starts within the 150 ms budget. Text with anything personal in it
is never cached (the engine writes it to a scratch file that is deleted when the session ends).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kiosk.voice.synth import Synthesizer


class WavCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, text: str, engine_id: str, voice: str, rate: int) -> Path:
        digest = hashlib.sha256(f"{engine_id}\0{voice}\0{rate}\0{text}".encode()).hexdigest()[:32]
        return self.directory / f"{digest}.wav"

    def get_or_make(self, text: str, synthesizer: Synthesizer, voice: str, rate: int) -> tuple[Path, bool]:
        """The WAV for ``text`` and whether it was already there."""
        path = self.path_for(text, synthesizer.engine_id, voice, rate)
        if path.is_file() and path.stat().st_size > 44:
            return path, True
        synthesizer.synthesize(text, voice, rate, path)
        return path, False

    def clear(self) -> int:
        removed = 0
        for path in self.directory.glob("*.wav"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed
