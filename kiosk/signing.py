"""Request signing between the kiosk and the platform: HMAC-SHA256 over a canonical string, made at send time.

Why HMAC and not mTLS: a kiosk box is provisioned by a technician who types or copies one secret into
``[platform] device_secret``; there is no PKI to issue, rotate and revoke per-device client certificates in
a village service station, and a TLS-terminating gateway in front of the platform would hide the client
certificate from the application anyway. HMAC headers survive proxies, are checked by the application
itself, and bind the body, so a captured request cannot be altered or replayed.

Why at send time: the outbox may hold an application for days. Signing when the request actually leaves
(a ``requests`` auth hook runs on the PreparedRequest) gives every attempt a fresh timestamp and nonce, so a
resend after a crash is not mistaken for a replay and is never stale.

Headers (all ASCII):

    X-Kiosk-Device          the device id (e.g. KIOSK-DEMO-01)
    X-Kiosk-Timestamp       unix seconds, integer
    X-Kiosk-Nonce           128 random bits, 32 lowercase hex digits, never reused within the window
    X-Kiosk-Content-SHA256  lowercase hex SHA-256 of the body bytes exactly as sent (of b"" when no body)
    X-Kiosk-Signature       lowercase hex HMAC-SHA256(device secret, canonical string)

Canonical string: these seven lines joined by "\\n" (no trailing newline):

    KIOSK-HMAC-SHA256           (the scheme and its version)
    METHOD                      upper case, e.g. POST
    PATH[?QUERY]                percent-encoded as on the wire, query string unchanged (empty: no "?")
    TIMESTAMP                   as in X-Kiosk-Timestamp
    NONCE                       as in X-Kiosk-Nonce
    CONTENT-SHA256              as in X-Kiosk-Content-SHA256
    DEVICE-ID                   as in X-Kiosk-Device

The path is the full path the kiosk sent (a base URL prefix such as ``/kiosk`` included): a gateway that
rewrites paths must verify before rewriting.

Device secrets: the platform issues one secret per device. The sandbox may derive them from one master
secret as ``derive_device_secret(master, device_id)`` (HMAC-SHA256(master, device id), hex), so an integrator
can provision many test kiosks from one setting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

SCHEME = "KIOSK-HMAC-SHA256"
DEVICE_HEADER = "X-Kiosk-Device"
TIMESTAMP_HEADER = "X-Kiosk-Timestamp"
NONCE_HEADER = "X-Kiosk-Nonce"
DIGEST_HEADER = "X-Kiosk-Content-SHA256"
SIGNATURE_HEADER = "X-Kiosk-Signature"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def canonical_string(method: str, path_and_query: str, timestamp: str, nonce: str, body_sha256: str,
                     device_id: str) -> str:
    return "\n".join((SCHEME, method.upper(), path_and_query, timestamp, nonce, body_sha256, device_id))


def signature(secret: str, canonical: str) -> str:
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def derive_device_secret(master_secret: str, device_id: str) -> str:
    """The per-device secret a platform (or the sandbox with ``--master-secret``) derives from its master."""
    return hmac.new(master_secret.encode(), device_id.encode(), hashlib.sha256).hexdigest()


class HmacSigner(requests.auth.AuthBase):
    """``session.auth = HmacSigner(device_id, secret)``: every request of the session is signed as it leaves.

    ``clock`` (unix seconds) exists for tests that play a kiosk with a wrong clock.
    """

    def __init__(self, device_id: str, secret: str, clock: Callable[[], float] = time.time) -> None:
        if not device_id or not device_id.isascii():
            raise ValueError(f"request signing: device id {device_id!r} must be non-empty ASCII ([kiosk] device_id)")
        if len(secret) < 16:
            raise ValueError("request signing: the device secret is shorter than 16 characters; "
                             "set [platform] device_secret to the secret issued for this kiosk")
        self.device_id = device_id
        self._secret = secret
        self._clock = clock

    def __repr__(self) -> str:  # the secret never reaches a log line or a traceback
        return f"HmacSigner({self.device_id!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        if body is None:
            raw = b""
        elif isinstance(body, bytes):
            raw = body
        elif isinstance(body, str):
            raw = body.encode()  # what requests itself would send for a str body
        else:
            # A file or generator body would be consumed by hashing; the kiosk always sends bytes.
            raise TypeError(f"request signing: cannot sign a streamed body ({type(body).__name__}) "
                            f"for {request.method} {request.url}; send bytes")
        parts = urlsplit(request.url or "")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timestamp = str(int(self._clock()))
        nonce = secrets.token_hex(16)
        digest = hashlib.sha256(raw).hexdigest()
        canonical = canonical_string(request.method or "GET", path, timestamp, nonce, digest, self.device_id)
        request.headers[DEVICE_HEADER] = self.device_id
        request.headers[TIMESTAMP_HEADER] = timestamp
        request.headers[NONCE_HEADER] = nonce
        request.headers[DIGEST_HEADER] = digest
        request.headers[SIGNATURE_HEADER] = signature(self._secret, canonical)
        return request
