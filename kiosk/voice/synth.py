"""Text to WAV, offline. The engine is espeak-ng from Debian (``apt-get install espeak-ng``).

Why espeak-ng: it ships a Mandarin voice (``cmn``) in the Debian package itself, loads in milliseconds, runs on
a 2-core kiosk without a GPU and needs nothing at run time. Better-sounding neural Mandarin voices (Piper,
Kokoro, sherpa-onnx) keep their models on model hubs, not in Debian or PyPI packages, so they cannot be
installed the way this project installs everything; ekho is not packaged for Debian 12. Another engine plugs
in by implementing ``Synthesizer``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

# Which espeak-ng voice speaks each UI language.
VOICE_FOR_LANGUAGE = {"zh_CN": "cmn", "en": "en-us"}
# espeak-ng words per minute (for Mandarin: syllables): 80 is very slow; 400 (6.7 a second) is a practised
# screen-reader user's pace.
MIN_RATE, MAX_RATE = 80, 400


class VoiceUnavailable(RuntimeError):
    """The speech engine cannot run here; the message says what to install or fix."""


class Synthesizer(Protocol):
    engine_id: str  # goes into the cache key, with the voice and the rate

    def synthesize(self, text: str, voice: str, rate: int, out: Path) -> None:
        """Write ``text`` spoken by ``voice`` at ``rate`` words per minute to the WAV file ``out``."""


class EspeakSynthesizer:
    engine_id = "espeak-ng"

    def __init__(self, executable: str | None = None, timeout_s: float = 15.0) -> None:
        found = executable or shutil.which("espeak-ng")
        if not found:
            raise VoiceUnavailable("voice: espeak-ng was not found on PATH; install it with "
                                   "'apt-get install espeak-ng' (run.sh does this)")
        self.executable = found
        self.timeout_s = timeout_s

    def synthesize(self, text: str, voice: str, rate: int, out: Path) -> None:
        rate = max(MIN_RATE, min(MAX_RATE, int(rate)))
        out.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a reader never sees half a WAV (the cache is shared).
        handle, partial = tempfile.mkstemp(suffix=".wav.part", dir=out.parent)
        os.close(handle)
        try:
            result = subprocess.run(
                [self.executable, "-v", voice, "-s", str(rate), "-w", partial, "--stdin"],
                input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s, check=False)
            if result.returncode != 0 or os.path.getsize(partial) <= 44:
                detail = result.stderr.decode("utf-8", "replace").strip() or f"exit status {result.returncode}"
                raise VoiceUnavailable(f"voice: espeak-ng could not speak with voice {voice!r}: {detail}; "
                                       "check that espeak-ng-data is installed ('espeak-ng --voices=zh')")
            os.replace(partial, out)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
