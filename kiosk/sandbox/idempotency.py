"""Idempotency-Key on every POST of the sandbox (IETF draft httpapi-idempotency-key-header).

- no key, or one longer than 64 characters or with other than visible ASCII: 400 (problem body,
  ``field: header.Idempotency-Key``);
- the same key again (same device, same path) with the same body: the first answer again, byte for byte;
- the same key with another body: 422;
- the same key while the first request is still running: 409 (the kiosk retries later).

This layer sits inside the signature check (an unsigned request never reaches it) and covers every POST,
including routes other modules add, so no endpoint can forget the rule. Endpoints that must keep their
answer across a restart (applications, queries, ratings, materials) keep their own durable record in the
store as well; this layer remembers answers in memory only (bounded, a day), because answers may hold
personal data that must not be written to a second place. Answers 5xx, 429, 401 and 403 are not remembered (the
kiosk must be able to retry them), nor are answers the chaos layer made up (it sits outside this layer).

"Same body" compares the canonical JSON (keys sorted) when the body is JSON, else the raw bytes.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.sandbox.problems import MEDIA_TYPE, problem_document
from kiosk.sandbox.security import OPEN_PREFIXES as CONSOLE_PREFIXES
from kiosk.sandbox.security import _read_body  # one body reader for both middlewares

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 64
REMEMBER_S = 24 * 3600.0
MAX_REMEMBERED = 20_000
# Answers that depend on who asks or on the moment, not on the body: a retry under the same key (with a
# verification proof now, after a wait) must be able to succeed.
NOT_REMEMBERED = frozenset({401, 403, 408, 409, 425, 429})


def body_fingerprint(body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "json:" + hashlib.sha256(canonical.encode()).hexdigest()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "raw:" + hashlib.sha256(body).hexdigest()


@dataclass
class Remembered:
    fingerprint: str
    at: float
    status: int | None = None  # None while the first request runs
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class IdempotencySettings:
    remember_s: float = REMEMBER_S
    max_remembered: int = MAX_REMEMBERED
    clock: Any = time.monotonic
    _answers: OrderedDict[tuple[str, str, str], Remembered] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def claim(self, scope_key: tuple[str, str, str], fingerprint: str) -> tuple[str, Remembered | None]:
        """("new", None) to run the request; ("replay", answer); ("conflict" | "running", None)."""
        now = self.clock()
        with self._lock:
            while self._answers:
                oldest_key, oldest = next(iter(self._answers.items()))
                if now - oldest.at < self.remember_s and len(self._answers) < self.max_remembered:
                    break
                del self._answers[oldest_key]
            known = self._answers.get(scope_key)
            if known is None:
                self._answers[scope_key] = Remembered(fingerprint, now)
                return "new", None
            if known.fingerprint != fingerprint:
                return "conflict", None
            if known.status is None:
                return "running", None
            return "replay", known

    def finish(self, scope_key: tuple[str, str, str], status: int | None, headers: list[tuple[bytes, bytes]],
               body: bytes) -> None:
        with self._lock:
            # 401/403 depend on the credentials (signature, verification proof), not the body: a retry with a
            # fresh proof must be judged again (kiosk/sandbox/identity.py).
            if status is None or status >= 500 or status in NOT_REMEMBERED:
                self._answers.pop(scope_key, None)  # not an answer to keep: the kiosk may try again
                return
            entry = self._answers.get(scope_key)
            if entry is not None:
                entry.status, entry.headers, entry.body = status, headers, body


def install_idempotency(app: Any) -> IdempotencySettings:
    settings: IdempotencySettings | None = getattr(app.state, "idempotency", None)
    if settings is None:
        settings = IdempotencySettings()
        app.state.idempotency = settings
        app.add_middleware(IdempotencyMiddleware, settings=settings)
    return settings


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, settings: IdempotencySettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The fleet console's forms (staff in a browser, cookie + Origin check) are not kiosk requests.
        # Only the kiosk contract (/v1) is covered, as /openapi.json publishes it.
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].startswith(CONSOLE_PREFIXES) \
                or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get(HEADER, "")
        problem = _key_problem(key)
        if problem:
            await _send_problem(send, 400, problem, field="header.Idempotency-Key")
            return
        body, extra = await _read_body(receive)
        device = (scope.get("state") or {}).get("device_id") or headers.get("x-kiosk-device", "")
        scope_key = (device, scope["path"], key)
        verdict, known = self.settings.claim(scope_key, body_fingerprint(body))
        if verdict == "conflict":
            await _send_problem(send, 422, "Idempotency-Key was already used with a different body; use a new key "
                                "for a new request", field="header.Idempotency-Key", kind="idempotency-key-reused")
            return
        if verdict == "running":
            await _send_problem(send, 409, "a request with this Idempotency-Key is still being processed; retry "
                                "shortly", field="header.Idempotency-Key", kind="idempotency-key-in-progress",
                                extra_headers=[(b"retry-after", b"1")])
            return
        if verdict == "replay" and known is not None:
            await send({"type": "http.response.start", "status": known.status, "headers": known.headers})
            await send({"type": "http.response.body", "body": known.body})
            return
        await self._run(scope, body, extra, receive, send, scope_key)

    async def _run(self, scope: Scope, body: bytes, extra: list[Message], receive: Receive, send: Send,
                   scope_key: tuple[str, str, str]) -> None:
        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *extra]

        async def replayed() -> Message:
            return pending.pop(0) if pending else await receive()

        async def recording(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        complete = False
        try:
            await self.app(scope, replayed, recording)
            complete = True
        finally:
            self.settings.finish(scope_key, status if complete else None, response_headers, b"".join(chunks))


def _key_problem(key: str) -> str:
    if not key:
        return "the Idempotency-Key header is required on every POST (a new UUID per request, reused on retry)"
    if len(key) > MAX_KEY_LENGTH:
        return f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters"
    if not all(33 <= ord(c) <= 126 for c in key):
        return "Idempotency-Key must be visible ASCII characters (e.g. a UUID)"
    return ""



async def _send_problem(send: Send, status: int, detail: str, *, field: str, kind: str | None = None,
                        extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
    raw = json.dumps(problem_document(status, detail, field=field, kind=kind), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(raw)).encode()),
                            *(extra_headers or [])]})
    await send({"type": "http.response.body", "body": raw})
