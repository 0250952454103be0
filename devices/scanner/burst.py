"""Telling a keyboard-wedge scanner from a person typing, when both arrive as key events.

A scanner "types" a whole code in a few milliseconds per character and ends it with Enter; a person types
at best every ~80-150 ms per key. The UI feeds every character with its timestamp; the detector returns the
scanned text when a fast burst ends with Enter, and otherwise lets the characters through as typing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENTER = ("\r", "\n")


@dataclass
class KeystrokeBurstDetector:
    max_gap: float = 0.05  # seconds between characters of one scan; people do not type this fast
    min_length: int = 4  # shorter bursts are key chatter or a fast double tap, not a code
    _buffer: list[str] = field(default_factory=list)
    _last_at: float | None = None

    def feed(self, char: str, timestamp: float) -> str | None:
        """Feed one character (``"\\r"`` or ``"\\n"`` for Enter) and its time in seconds.

        Returns the scanned code when this Enter ends a fast burst, else None. Characters that turn out to be
        typing are available from ``take_typed()`` so the UI can still put them into the focused field.
        """
        slow = self._last_at is not None and timestamp - self._last_at > self.max_gap
        self._last_at = timestamp
        if char in ENTER:
            burst = "".join(self._buffer)
            self._buffer.clear()
            if not slow and len(burst) >= self.min_length:
                return burst
            return None
        if slow:
            # A pause longer than a scanner ever makes: what came before was typing.
            self._buffer.clear()
        self._buffer.append(char)
        return None

    def reset(self) -> None:
        self._buffer.clear()
        self._last_at = None
