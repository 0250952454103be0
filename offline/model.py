"""Value types of the outbox: entry kinds and states, entry metadata, image progress, status snapshot.

Everything here is clear-text metadata. Personal data only ever exists as the decrypted payload and image
bytes handed to ``deliver``; none of these types carries it.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Kind(enum.StrEnum):
    APPLICATION = "application"
    MATERIAL_IMAGE = "material_image"  # material supplied later (e.g. after acceptance with minor gaps)
    RATING = "rating"
    HEARTBEAT = "heartbeat"  # only the newest pending one is kept
    QUERY_REQUEST = "query_request"
    ASSIST = "assist"  # 呼叫工作人员: screen name and reason only (kiosk.assist)
    COMPLAINT = "complaint"  # 投诉 / 办不成事; may hold the verified callback phone (kiosk.complaints)


class State(enum.StrEnum):
    PENDING = "pending"  # waiting for its turn (or for its next attempt time)
    SENDING = "sending"  # handed to deliver; found at startup it means the process died mid-upload
    DONE = "done"  # acknowledged: payload and images deleted, a small record without personal data kept
    DEAD = "dead"  # refused by the platform or unreadable; kept for a technician (retry_dead / purge_dead)


@dataclass(frozen=True, slots=True)
class EntryMeta:
    """One outbox entry without its payload: safe to show, log and print."""

    id: int
    idempotency_key: str  # UUID4 made at enqueue; the platform dedups on it, so a resend is harmless
    kind: Kind
    created_at: float  # unix seconds
    state: State
    attempts: int  # delivery attempts started (a crash mid-upload counts)
    next_attempt_at: float  # our backoff: not before this, unless a forced sync
    not_before: float  # the platform's Retry-After: not before this, even when forced
    last_error: str | None
    meta: dict[str, Any]  # caller's clear-text scheduling metadata (never personal data)
    image_count: int
    ack: dict[str, Any] | None  # the platform's acknowledgement (e.g. receipt number), once done
    done_at: float | None


@dataclass(frozen=True, slots=True)
class ImageProgress:
    """Upload progress of one material image of an entry (chunked uploads resume from ``acked_bytes``)."""

    index: int
    content_type: str
    size: int  # plaintext bytes
    acked_bytes: int  # bytes the platform has acknowledged; chunks below this are never resent
    ref: dict[str, Any] | None  # what the platform answered to the last chunk (e.g. a material id)

    @property
    def complete(self) -> bool:
        return self.ref is not None and self.acked_bytes >= self.size


@dataclass(frozen=True, slots=True)
class UploadedImage:
    """What ``deliver`` receives for each image of an entry.

    With a ``deliver_chunk`` callable the bytes were already uploaded and ``data`` is None: refer to the
    image by ``ref`` (the platform's answer to the last chunk). Without one, ``data`` holds the bytes to send
    inline and ``ref`` is None.
    """

    index: int
    content_type: str
    size: int
    sha256: str  # hex digest of the plaintext, for the platform's integrity check
    ref: dict[str, Any] | None = None
    data: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """What the UI's network badge and ``kiosk queue status`` show."""

    depth: int  # pending entries (waiting to be sent)
    sending: int
    dead: int
    done: int  # done-records kept (no personal data)
    oldest_pending_age: float | None  # seconds since the oldest pending/sending entry was queued
    next_attempt_at: float | None  # when the head of the queue may be tried next
    last_success_at: float | None
    last_error: str | None
    last_error_at: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
