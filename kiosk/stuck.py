"""Notices a citizen who is stuck, so the kiosk can offer help before they give up.

Two signs: three errors in a row on one screen (a refused ID number typed three times, a form field the
person cannot get right), or a long idle in the middle of a journey (on the home screen idle means nobody is
there, not that someone is stuck). Each sign offers help once; a new screen or new activity re-arms it.

A pure class: the App tells it what happens (``entered``, ``error``, ``progress``, ``touched``) and asks
``check()`` from its clock tick; it returns an ``Offer`` to show (``kiosk.assist`` reason ``stuck_errors`` /
``stuck_idle``) or None. No Kivy, no threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

ERRORS_IN_A_ROW = 3
IDLE_OFFER_S = 45.0  # well before the session's idle timeout (90 s with a 20 s countdown)


@dataclass(frozen=True, slots=True)
class Offer:
    reason: str  # "stuck_errors" | "stuck_idle" (the assist request's reason if the citizen accepts)
    screen: str
    message_key: str  # "help.assist.offer_errors" | "help.assist.offer_idle"


class StuckDetector:
    def __init__(self, errors_in_a_row: int = ERRORS_IN_A_ROW, idle_offer_s: float = IDLE_OFFER_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.errors_in_a_row = errors_in_a_row
        self.idle_offer_s = idle_offer_s
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """A new session (or none): nothing counted, nothing offered."""
        self.screen = ""
        self.mid_journey = False
        self._errors = 0
        self._last_activity = self.clock()
        self._offered_errors = False
        self._offered_idle = False

    def entered(self, screen: str, mid_journey: bool) -> None:
        """A screen was shown. ``mid_journey``: the citizen started something (not the home or a result)."""
        if screen != self.screen:
            self._errors = 0
            self._offered_errors = False
        self.screen = screen
        self.mid_journey = mid_journey
        self.touched()

    def touched(self) -> None:
        self._last_activity = self.clock()
        self._offered_idle = False

    def progress(self) -> None:
        """Something the citizen did worked: the run of errors is broken."""
        self._errors = 0
        self._offered_errors = False
        self.touched()

    def error(self) -> Offer | None:
        """Something the citizen did was refused on this screen; the third in a row offers help (once)."""
        self.touched()
        self._errors += 1
        if self._errors >= self.errors_in_a_row and not self._offered_errors:
            self._offered_errors = True
            return Offer("stuck_errors", self.screen, "help.assist.offer_errors")
        return None

    def check(self) -> Offer | None:
        """Call from a clock tick: a long idle mid-journey offers help once per idle stretch."""
        if not self.mid_journey or self._offered_idle:
            return None
        if self.clock() - self._last_activity >= self.idle_offer_s:
            self._offered_idle = True
            return Offer("stuck_idle", self.screen, "help.assist.offer_idle")
        return None
