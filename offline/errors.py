"""Typed errors of the offline package.

Two families:

- ``OutboxError`` and its subclasses: the local store or its key cannot be used. Their messages name the
  file, the cause and the fix, because a technician reads them on the kiosk or in the journal.
- ``DeliveryError`` (``RetryLater``, ``Rejected``): raised by the caller's ``deliver``/``deliver_chunk``
  adapter to tell the sync worker what the platform answered. The ``reason`` is stored as the entry's
  last error in clear text, so it must never carry personal data (say "HTTP 503", not the request body).
"""

from __future__ import annotations


class OutboxError(Exception):
    """Base class: the outbox cannot do what was asked."""


class OutboxUnavailable(OutboxError):
    """The outbox database cannot be written or read (disk full, I/O error, read-only, locked, corrupt).

    The app must refuse new applications with a clear message when ``enqueue`` raises this; entries already
    queued are never dropped because of it.
    """

    def __init__(self, path: str, cause: str, code: str | None = None) -> None:
        self.path = path
        self.cause = cause
        self.code = code  # SQLite's error name, e.g. "SQLITE_FULL", when it gave one
        super().__init__(f"outbox {path}: {cause}")


class KeyFileError(OutboxError):
    """The per-device key file is missing in a way we cannot repair, too permissive, or the wrong size."""


class KeyMismatch(KeyFileError):
    """The key file does not belong to this outbox (it was replaced or the outbox was copied from elsewhere)."""


class DecryptionFailed(OutboxError):
    """A stored record did not authenticate: wrong key, or a ciphertext moved to another row or altered."""


class UnknownEntry(OutboxError, KeyError):
    """No outbox entry has the given id."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "unknown outbox entry"


class SyncBusy(OutboxError):
    """Another process (or another worker) is already syncing this outbox."""


class DeliveryError(Exception):
    """Base class for the outcomes a ``deliver`` adapter raises instead of returning an acknowledgement."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class RetryLater(DeliveryError):
    """Transient failure: network error, timeout, HTTP 5xx, 408, 409 (still in progress) or 429.

    ``retry_after`` (seconds, e.g. from a Retry-After header) replaces the worker's own backoff when given.
    """

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Rejected(DeliveryError):
    """The platform refused the entry for good (other 4xx). The entry goes to ``dead``: kept, visible and
    retryable by a technician, never deleted silently."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status
