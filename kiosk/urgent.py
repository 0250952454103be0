"""Send one outbox entry now, ahead of the queue, without losing it if the network is down.

The outbox is strictly first in, first out; a call for help or a complaint the citizen waits for at the
screen must not sit behind a backlog of material images. The entry is written first (durable), then claimed
(``begin_sending`` only succeeds for a pending entry, so the sync worker and this never both hold it) and
delivered with its own idempotency key: if the answer is lost, the worker's later resend is answered with the
same number, never recorded twice. Blocking: call from a worker thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kiosk.outbox_adapter import OutboxAdapter
from offline.errors import Rejected, RetryLater, UnknownEntry
from offline.outbox import Outbox


@dataclass(frozen=True, slots=True)
class Sent:
    ack: dict[str, Any] | None  # the platform's answer; None when not delivered now
    queued: bool  # stays in the outbox, sent by the sync worker when the platform answers again
    error: str = ""  # why it was not delivered now (no personal data: the adapter's reasons)


def deliver_now(outbox: Outbox, adapter: OutboxAdapter, entry_id: int, clock=time.time,
                worker_wait_s: float = 6.0) -> Sent:
    try:
        entry = outbox.begin_sending(entry_id)
    except UnknownEntry:
        # The sync worker (woken by the enqueue) claimed it first: it is being sent right now. Wait a bounded
        # time for that answer, so the citizen at the screen hears the platform's number rather than "saved on
        # this kiosk" while the network is fine.
        return _await_worker(outbox, entry_id, worker_wait_s)
    try:
        ack = adapter.deliver(entry, outbox.read_payload(entry), [])
    except RetryLater as error:
        outbox.mark_retry(entry_id, next_attempt_at=clock(), not_before=0.0, error=str(error))
        return Sent(None, True, str(error))
    except Rejected as error:
        outbox.mark_dead(entry_id, str(error))
        return Sent(None, False, str(error))
    except Exception as error:  # noqa: BLE001 - never leave the entry claimed: the worker would never send it
        return _release(outbox, entry_id, clock, error)
    outbox.mark_done(entry_id, ack)
    return Sent(ack, False)


def _release(outbox: Outbox, entry_id: int, clock, error: Exception) -> Sent:  # noqa: ANN001 - time.time-like
    """An unexpected failure after the entry was claimed (an unreadable payload, a bug in the adapter): the
    entry goes back to the queue for the sync worker, unless it was delivered after all. Only the error's type
    is kept: its message may quote the payload."""
    from offline.model import State

    entry = outbox.get(entry_id)
    if entry.state is State.DONE:
        return Sent(entry.ack, False)
    reason = f"urgent delivery failed: {type(error).__name__}"
    outbox.mark_retry(entry_id, next_attempt_at=clock(), not_before=0.0, error=reason)
    return Sent(None, True, reason)


def _await_worker(outbox: Outbox, entry_id: int, wait_s: float, poll_s: float = 0.02) -> Sent:
    from offline.model import State

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        entry = outbox.get(entry_id)
        if entry.state is State.DONE:
            return Sent(entry.ack, False)
        if entry.state is State.DEAD:
            return Sent(None, False, entry.last_error or "refused by the platform")
        if entry.state is State.PENDING and entry.attempts > 0:
            return Sent(None, True, entry.last_error or "the platform did not answer; queued")
        time.sleep(poll_s)
    return Sent(None, True, "being sent by the sync worker")
