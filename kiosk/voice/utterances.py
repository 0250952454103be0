"""The log of what the voice said (masked text, never the raw input), for tests, benchmarks and diagnostics.

Kept in memory (bounded) and, when a path is given, appended as JSON lines. Each entry says what was asked
(kind, i18n key, masked text), what audio was used (file, bytes, from the cache or not) and what happened
(played, cancelled, failed, and the monotonic times of the request and of the start of playback).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Utterance:
    seq: int
    kind: str                # screen | label | text | cue
    key: str                 # the i18n key or cue name ('' for free text)
    text: str                # as spoken, masked
    requested_at: float      # time.monotonic() when say_*() was called
    voice: str = ""
    rate: int = 0
    volume: float = 0.0
    audio_path: str = ""
    audio_bytes: int = 0
    cached: bool = False
    player: str = ""
    started_at: float | None = None   # playback began
    outcome: str = "queued"           # queued | played | cancelled | failed
    error: str = ""

    @property
    def latency_s(self) -> float | None:
        return None if self.started_at is None else self.started_at - self.requested_at


class UtteranceLog:
    def __init__(self, path: Path | None = None, keep: int = 500) -> None:
        self.path = path
        self._entries: deque[Utterance] = deque(maxlen=keep)
        self._changed = threading.Condition()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def add(self, utterance: Utterance) -> None:
        with self._changed:
            self._entries.append(utterance)
            self._changed.notify_all()

    def started(self, utterance: Utterance) -> None:
        """Playback of ``utterance`` began (its ``started_at`` is set): wake anyone waiting on the log."""
        with self._changed:
            self._changed.notify_all()

    def finish(self, utterance: Utterance) -> None:
        """Record the final outcome of an utterance (called by the worker thread)."""
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(utterance), ensure_ascii=False) + "\n")
        with self._changed:
            self._changed.notify_all()

    def entries(self) -> list[Utterance]:
        with self._changed:
            return list(self._entries)

    def said(self, kind: str | None = None) -> list[str]:
        """The texts that were played (in order), optionally of one kind."""
        return [u.text for u in self.entries() if u.outcome == "played" and (kind is None or u.kind == kind)]

    def last(self, kind: str | None = None) -> Utterance | None:
        for utterance in reversed(self.entries()):
            if kind is None or utterance.kind == kind:
                return utterance
        return None

    def wait_for(self, predicate: Callable[[list[Utterance]], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(list(self._entries)):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def clear(self) -> None:
        with self._changed:
            self._entries.clear()
