"""Retry delays: exponential backoff with full jitter and a cap.

Full jitter (a uniform draw between the floor and the exponential ceiling) spreads the retries of many
kiosks that lost the same network at the same moment, so the platform is not hit by all of them at once
when it comes back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Backoff:
    base: float = 2.0  # ceiling of the first retry, seconds
    cap: float = 300.0  # ceiling never grows beyond 5 minutes: a village box must notice the network soon
    floor: float = 0.5  # a zero delay would spin against a dead network
    max_retry_after: float = 3600.0  # a bogus Retry-After must not stall the queue for days
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def ceiling(self, attempt: int) -> float:
        """Upper bound of the delay after the ``attempt``-th failed attempt (1-based)."""
        exponent = min(max(attempt, 1) - 1, 62)  # avoid float overflow after many failures
        return min(self.cap, self.base * (2.0**exponent))

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before the next attempt; the platform's Retry-After wins when given."""
        if retry_after is not None:
            return min(max(float(retry_after), 0.0), self.max_retry_after)
        ceiling = self.ceiling(attempt)
        return max(self.floor, self.rng.uniform(0.0, ceiling))

    @property
    def longest(self) -> float:
        """The longest delay this policy can schedule (used to detect a wall clock that jumped back)."""
        return max(self.cap, self.max_retry_after)
