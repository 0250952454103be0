"""A misbehaving sandbox, for reliability tests and for integrators who want to see the kiosk cope.

``install_chaos(app, settings)`` wraps every ``/v1/`` request except ``/v1/health``. Per request, in order:

- ``delay``: sleep a uniform 0..delay seconds before the endpoint runs (slow network, busy platform);
- ``throttle``: with this probability answer 429 with ``Retry-After: retry_after`` without running it;
- ``fail_rate``: with this probability answer 500 or 503 without running it;
- ``drop_after_commit``: with this probability run the endpoint (it commits), then close the connection
  after the status line and headers but before the body, so the kiosk never hears the answer. This is the
  case idempotency keys exist for: the resend must get the first answer, not a second application.

Randomness comes from one ``random.Random(seed)``, so a seeded run misbehaves the same way each time (as far
as request order allows). The settings object is live (``app.state.chaos``): tests flip rates mid-run.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.sandbox.problems import MEDIA_TYPE, problem_document


@dataclass
class ChaosSettings:
    fail_rate: float = 0.0  # share of requests answered 500/503
    delay: float = 0.0  # seconds, upper bound of a uniform delay
    drop_after_commit: float = 0.0  # share of requests whose answer is lost after the endpoint ran
    throttle: float = 0.0  # share of requests answered 429
    retry_after: float = 1.0  # seconds, the Retry-After of a 429
    seed: int | None = None
    paths: tuple[str, ...] = ()  # only requests under these path prefixes misbehave ("": all of /v1/)
    counts: dict[str, int] = field(default_factory=dict)  # what was done: failed, throttled, dropped, passed
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        for name in ("fail_rate", "drop_after_commit", "throttle"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"sandbox chaos: {name} = {value} must be between 0 and 1 (a share of requests)")
        if self.delay < 0 or self.retry_after < 0:
            raise ValueError("sandbox chaos: delay and retry_after must not be negative (seconds)")
        self._rng = random.Random(self.seed)

    def calm(self) -> None:
        """Stop misbehaving (tests call this before their final drain)."""
        self.fail_rate = self.delay = self.drop_after_commit = self.throttle = 0.0
        self.paths = ()

    @property
    def active(self) -> bool:
        return bool(self.fail_rate or self.delay or self.drop_after_commit or self.throttle)

    def draw(self) -> tuple[float, str]:
        """(delay, action) for one request; action is pass | throttle | fail500 | fail503 | drop."""
        with self._lock:
            delay = self._rng.uniform(0.0, self.delay) if self.delay else 0.0
            if self._rng.random() < self.throttle:
                action = "throttle"
            elif self._rng.random() < self.fail_rate:
                action = "fail503" if self._rng.random() < 0.5 else "fail500"
            elif self._rng.random() < self.drop_after_commit:
                action = "drop"
            else:
                action = "pass"
            self.counts[action] = self.counts.get(action, 0) + 1
        return delay, action


def install_chaos(app: Any, settings: ChaosSettings | None = None) -> ChaosSettings:
    """Make ``app`` misbehave as ``settings`` say. Calling it again replaces the settings' values in place."""
    settings = settings or ChaosSettings()
    current: ChaosSettings | None = getattr(app.state, "chaos", None)
    if current is not None:
        with current._lock:
            for name in ("fail_rate", "delay", "drop_after_commit", "throttle", "retry_after", "seed"):
                setattr(current, name, getattr(settings, name))
            current._rng = random.Random(settings.seed)
        return current
    app.state.chaos = settings
    app.add_middleware(ChaosMiddleware, settings=settings)
    return settings


class ChaosMiddleware:
    def __init__(self, app: ASGIApp, settings: ChaosSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path == "/v1/health" or not self.settings.active \
                or (self.settings.paths and not path.startswith(self.settings.paths)):
            await self.app(scope, receive, send)
            return
        delay, action = self.settings.draw()
        if delay:
            await asyncio.sleep(delay)
        if action == "throttle":
            seconds = f"{self.settings.retry_after:g}"
            await _send_json(send, 429, problem_document(429, f"sandbox chaos: throttled, retry after {seconds} s"),
                             [(b"retry-after", seconds.encode())])
        elif action in ("fail500", "fail503"):
            status = 503 if action == "fail503" else 500
            await _send_json(send, status, problem_document(status, f"sandbox chaos: simulated HTTP {status}"))
        elif action == "drop":
            await self._drop_after_commit(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _drop_after_commit(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None

        async def swallow(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message

        await self.app(scope, receive, swallow)  # the endpoint runs to the end: its commit happened
        if start is None:
            return
        # Send the head (with its Content-Length) but never the body, and return: the server sees an
        # incomplete response and closes the connection, so the client gets a broken read, no answer.
        await send(start)


async def _send_json(send: Send, status: int, document: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    raw = json.dumps(document).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(raw)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": raw})
