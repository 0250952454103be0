"""The sandbox checks kiosk request signatures (see ``kiosk.signing`` for the scheme and canonical string).

Rejected with 401 and a JSON body ``{"detail": "...", "reason": CODE}``, CODE one of:

    missing_signature   a signing header is absent (the kiosk is not signing: set client auth)
    unknown_device      no secret for this device id
    bad_digest          X-Kiosk-Content-SHA256 is not the digest of the body received
    bad_signature       the HMAC does not match (wrong device secret, or the request was altered)
    stale_timestamp     more than 5 minutes away from the sandbox clock (fix the kiosk clock / NTP)
    replayed_nonce      this nonce was already used by this device within the window

``/openapi.json``, ``/docs``, ``/redoc`` and ``/v1/health`` stay open (integrators read them unsigned).

Nonces are remembered in memory for twice the window (a timestamp may be up to one window ahead): the
sandbox is one process, and after a restart a replay is still refused by the timestamp check once the
window has passed. A real platform with several nodes needs a shared store (Redis, a database table).

Secrets: ``install_security(app, secret_for_device)`` takes a function device id -> secret or None;
``single_secret(s)`` accepts one configured secret for every device (the demo: "demo-device-secret-change-me",
the default of ``[platform] device_secret``), ``derived_secrets(master)`` gives each device
``derive_device_secret(master, device_id)``.

This is a pure ASGI middleware rather than Starlette's BaseHTTPMiddleware: it must read the body to hash it
and then hand the same bytes to the endpoint. The device id it verified is put in the request state
(``request.state.device_id``): endpoints that act for a device (heartbeats) compare it with the body's.

Body limits (``install_body_limits``) sit outside everything else: a request whose Content-Length is over
its endpoint's limit is answered 413 before a byte is read (signed or not: an unsigned 50 MB body is never
held in memory for its signature check), and a body sent without a length is counted as it streams in and
refused with 413 the moment it passes the limit. The limits are in ``BODY_LIMITS`` (published in
/openapi.json as ``x-max-body-bytes``); a router added later registers its own with ``set_body_limit``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.sandbox.problems import MEDIA_TYPE, problem_document
from kiosk.signing import (
    DEVICE_HEADER,
    DIGEST_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    canonical_string,
    derive_device_secret,
    signature,
)

WINDOW_S = 300.0
OPEN_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/v1/health"})
# The fleet console (kiosk/sandbox/console): staff log in with a password there; kiosks never call it.
OPEN_PREFIXES = ("/console/",)
SecretLookup = Callable[[str], "str | None"]


def single_secret(secret: str) -> SecretLookup:
    """Every device signs with the same configured secret (the demo and a single test kiosk)."""
    return lambda _device_id: secret


def derived_secrets(master_secret: str) -> SecretLookup:
    """Each device has HMAC(master, device id) as its secret (many test kiosks, one sandbox setting)."""
    return lambda device_id: derive_device_secret(master_secret, device_id)


@dataclass
class SecuritySettings:
    """Live settings of the check; tests and ``kiosk sandbox`` change them on ``app.state.security``."""

    secret_for_device: SecretLookup
    enabled: bool = True
    window_s: float = WINDOW_S
    clock: Callable[[], float] = time.time
    rejected: dict[str, int] = field(default_factory=dict)  # reason code -> count, for tests and the log
    _nonces: OrderedDict[tuple[str, str], float] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def remember_nonce(self, device_id: str, nonce: str) -> bool:
        """False when the nonce was already seen inside the window (a replay)."""
        now = self.clock()
        with self._lock:
            while self._nonces:  # insertion order is expiry order: drop the expired ones from the front
                oldest_key, expires = next(iter(self._nonces.items()))
                if expires > now:
                    break
                del self._nonces[oldest_key]
            key = (device_id, nonce)
            if key in self._nonces:
                return False
            self._nonces[key] = now + 2 * self.window_s
            return True


def install_security(app: Any, secret_for_device: SecretLookup, *, enabled: bool = True) -> SecuritySettings:
    """Require signed requests on ``app``. Calling it again (e.g. ``kiosk sandbox --master-secret``) replaces
    the secret lookup instead of adding a second check."""
    settings: SecuritySettings | None = getattr(app.state, "security", None)
    if settings is not None:
        settings.secret_for_device = secret_for_device
        settings.enabled = enabled
        return settings
    settings = SecuritySettings(secret_for_device, enabled)
    app.state.security = settings
    app.add_middleware(SignatureMiddleware, settings=settings)
    return settings


class SignatureMiddleware:
    def __init__(self, app: ASGIApp, settings: SecuritySettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.settings.enabled or scope["path"] in OPEN_PATHS \
                or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        problem = self._check(scope, body)
        if problem is not None:
            reason, detail = problem
            self.settings.rejected[reason] = self.settings.rejected.get(reason, 0) + 1
            await _send_json(send, 401, problem_document(401, f"request signature ({reason}): {detail}",
                                                         kind="unsigned", reason=reason))
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        scope.setdefault("state", {})["device_id"] = headers.get(DEVICE_HEADER.lower(), "")
        await self.app(scope, _replay(body, more, receive), send)

    def _check(self, scope: Scope, body: bytes) -> tuple[str, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        wanted = (DEVICE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, DIGEST_HEADER, SIGNATURE_HEADER)
        missing = [name for name in wanted if not headers.get(name.lower())]
        if missing:
            return "missing_signature", f"missing header(s) {', '.join(missing)}; the kiosk must sign requests"
        device, stamp, nonce, digest, sent = (headers[name.lower()] for name in wanted)
        secret = self.settings.secret_for_device(device)
        if not secret:
            return "unknown_device", f"no secret is registered for device {device}"
        if not hmac.compare_digest(digest, hashlib.sha256(body).hexdigest()):
            return "bad_digest", f"{DIGEST_HEADER} does not match the body received"
        path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string") or b""
        target = path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        expected = signature(secret, canonical_string(scope["method"], target, stamp, nonce, digest, device))
        if not hmac.compare_digest(expected, sent.lower()):
            return "bad_signature", f"signature does not match for device {device}; check its device secret"
        # Checked after the signature, so a forged request cannot fill the nonce memory or probe the clock.
        try:
            skew = self.settings.clock() - int(stamp)
        except ValueError:
            return "stale_timestamp", f"{TIMESTAMP_HEADER} {stamp!r} is not unix seconds"
        if abs(skew) > self.settings.window_s:
            return "stale_timestamp", (f"timestamp is {skew:+.0f} s off the platform clock (allowed "
                                       f"±{self.settings.window_s:.0f} s); set the kiosk clock (NTP)")
        if not self.settings.remember_nonce(device, nonce):
            return "replayed_nonce", "this nonce was already used; a replayed request is refused"
        return None


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole request body, plus any non-body message received on the way (e.g. a disconnect)."""
    chunks: list[bytes] = []
    extra: list[Message] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            extra.append(message)
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), extra


def _replay(body: bytes, extra: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *extra]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


async def _send_json(send: Send, status: int, document: dict[str, Any]) -> None:
    raw = json.dumps(document, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})


# -- body limits ------------------------------------------------------------------------------------------------
KIB = 1024
DEFAULT_BODY_LIMIT = 16 * KIB  # any endpoint not listed: tickets, queries, verification, pickups …
BODY_LIMITS: list[tuple[str, str, int]] = [  # (method, path regex, bytes)
    ("POST", r"^/v1/applications$", 64 * KIB),  # a form of up to 40 short fields and the materials list
    ("POST", r"^/v1/ratings$", 4 * KIB),
    ("POST", r"^/v1/devices/[^/]+/heartbeat$", 16 * KIB),
    ("PUT", r"^/v1/uploads/[^/]+/[^/]+$", 4 * 1024 * KIB),  # one chunk (kiosk.sandbox.uploads.MAX_CHUNK_BYTES)
    ("POST", r"^/v1/identity/face$", 2 * 1024 * KIB),  # a face JPEG, base64 in JSON
]
DRAIN_LIMIT = 64 * 1024 * KIB  # after a 413, read (and drop) this much so a simple client sees the answer


class BodyTooLarge(Exception):
    pass


@dataclass
class BodyLimits:
    default: int = DEFAULT_BODY_LIMIT
    rules: list[tuple[str, re.Pattern[str], int]] = field(default_factory=list)
    refused: int = 0  # how many requests were answered 413 (tests and the log)

    def limit_for(self, method: str, path: str) -> int:
        for rule_method, pattern, limit in self.rules:
            if rule_method == method and pattern.match(path):
                return limit
        return self.default


def set_body_limit(app: Any, method: str, path_regex: str, limit: int) -> None:
    """Give one endpoint its own body limit (in bytes); the first matching rule wins, so this goes first."""
    install_body_limits(app).rules.insert(0, (method.upper(), re.compile(path_regex), limit))


def install_body_limits(app: Any) -> BodyLimits:
    limits: BodyLimits | None = getattr(app.state, "body_limits", None)
    if limits is None:
        limits = BodyLimits(rules=[(m, re.compile(p), n) for m, p, n in BODY_LIMITS])
        app.state.body_limits = limits
        app.add_middleware(BodyLimitMiddleware, limits=limits)
    return limits


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(send, receive, limit, declared, drain=declared <= DRAIN_LIMIT)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, receive, limit, None, drain=True)

    async def _refuse(self, send: Send, receive: Receive, limit: int, declared: int | None, *, drain: bool) -> None:
        self.limits.refused += 1
        size = f"{declared} bytes" if declared is not None else "more than that"
        await _send_json(send, 413, problem_document(
            413, f"the body is {size}; this endpoint takes at most {limit} bytes", kind="too-large",
            max_body_bytes=limit))
        if drain:  # read the rest and drop it, so a client still sending hears the 413 instead of a reset
            drained = 0
            while drained <= DRAIN_LIMIT:
                message = await receive()
                if message["type"] != "http.request":
                    break
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    break


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
