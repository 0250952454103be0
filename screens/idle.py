"""The idle timeout: a session left alone ends by itself, after a visible countdown with a way to go on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from screens.widgets import CountdownView

log = logging.getLogger(__name__)


class IdleWatch:
    def __init__(self, timeout_s: Callable[[], float], warning_s: Callable[[], float], on_timeout: Callable[[], None]) -> None:
        self._timeout_s = timeout_s
        self._warning_s = warning_s
        self._on_timeout = on_timeout
        self._last_activity = time.monotonic()
        self._countdown: CountdownView | None = None
        self.seconds_left = 0
        self.scale = 1.0  # 长辈模式 gives more time (screens/routes_access.py)
        # Called once a second while the countdown shows: (seconds left, just opened) — the voice says it.
        self.on_tick: Callable[[int, bool], None] | None = None

    def note_activity(self, *_args: Any) -> bool:
        self._last_activity = time.monotonic()
        return False  # never consume the event

    def pretend_idle(self, seconds: float) -> None:
        """The screenshot tour and the tests: as if the citizen had left the screen alone ``seconds`` longer."""
        self._last_activity -= seconds

    def tick(self, at_home: bool) -> None:
        """Once a second from the UI clock."""
        if at_home:
            return
        left = self._timeout_s() * self.scale - (time.monotonic() - self._last_activity)
        if left <= 0:
            log.info("idle timeout")
            self._on_timeout()
        elif left <= self._warning_s():
            self.seconds_left = int(left + 0.999)
            opened = self._countdown is None
            if opened:
                self._countdown = CountdownView(continue_callback=self.go_on)
                self._countdown.open(animation=False)
            self._countdown.seconds_left = self.seconds_left
            if self.on_tick is not None:
                self.on_tick(self.seconds_left, opened)
        else:
            self.close()

    def go_on(self) -> None:
        self.note_activity()
        self.close()

    def close(self) -> None:
        if self._countdown is not None:
            self._countdown.dismiss(animation=False)
            self._countdown = None
