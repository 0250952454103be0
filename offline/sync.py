"""The sync worker: uploads the outbox to the platform, first in, first out, in a background thread.

The worker knows nothing about HTTP. The caller (the platform client's adapter) supplies:

- ``deliver(entry, payload, images) -> ack``: send one entry; return the platform's acknowledgement (a small
  dict without personal data, e.g. ``{"receipt_no": "..."}``) or raise ``RetryLater`` / ``Rejected``.
  The request must carry ``entry.idempotency_key`` so a resend after a crash is answered, not applied twice.
- optionally ``deliver_chunk(entry, image_index, offset, chunk, total) -> ref | None``: upload bytes
  ``[offset, offset + len(chunk))`` of an image of ``total`` bytes. The platform keys the upload on
  (idempotency key, image index), so a repeated chunk is harmless. The answer to the last chunk (e.g.
  ``{"material_id": "..."}``) is stored and handed to ``deliver`` as ``UploadedImage.ref``. Each acknowledged
  chunk is recorded durably, so after an interruption the upload resumes at the first unacknowledged byte.
  Without ``deliver_chunk``, ``deliver`` gets the image bytes inline in ``UploadedImage.data``.

Ordering is strict: the oldest pending entry goes first, and while it waits for a retry the entries behind
it wait too (a rating must not reach the platform before the application it rates).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from offline.backoff import Backoff
from offline.errors import DecryptionFailed, OutboxError, Rejected, RetryLater, UnknownEntry
from offline.model import EntryMeta, OutboxStatus, UploadedImage
from offline.outbox import Clock, Outbox
from offline.synclock import SyncLock

log = logging.getLogger(__name__)

Deliver = Callable[[EntryMeta, dict[str, Any], list[UploadedImage]], Mapping[str, Any] | None]
DeliverChunk = Callable[[EntryMeta, int, int, bytes, int], Mapping[str, Any] | None]
OnChange = Callable[[OutboxStatus], None]

DEFAULT_CHUNK_SIZE = 256 * 1024
_LONG_NUMBER = re.compile(r"[0-9]{6,}[0-9Xx]?")  # ID numbers, phones, card numbers: never in clear-text errors
_ERROR_LIMIT = 300


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0  # 0 or 1: the pass stops at the first entry that must wait
    dead: int = 0
    recovered: int = 0  # entries found in ``sending`` (interrupted) and put back to pending
    next_attempt_at: float | None = None  # when the head of the queue may go next (None: queue empty)


class SyncWorker:
    """Uploads due entries; see the module docstring for the ``deliver`` and ``deliver_chunk`` contracts.

    ``on_change(status)`` is called from the worker thread after every state change; the UI marshals it to
    its own thread. ``clock`` defaults to the outbox's clock.
    """

    def __init__(
        self,
        outbox: Outbox,
        deliver: Deliver,
        *,
        deliver_chunk: DeliverChunk | None = None,
        clock: Clock | None = None,
        on_change: OnChange | None = None,
        backoff: Backoff | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        idle_interval: float = 60.0,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        self.outbox = outbox
        self._deliver = deliver
        self._deliver_chunk = deliver_chunk
        self._clock = clock or outbox.clock
        self._on_change = on_change
        self._backoff = backoff or Backoff()
        self._chunk_size = chunk_size
        self._idle_interval = idle_interval
        self._lock = SyncLock(outbox.path)
        self._pass_mutex = threading.Lock()  # sync_once() and the thread never run a pass at the same time
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._force = False
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        # Entries left in ``sending`` are put back to pending once, by the first pass after the sync lock is
        # taken: only then is every one of them interrupted (by a crash). Later in the same tenure an entry in
        # ``sending`` may be an urgent delivery in flight on another thread of this process (kiosk/urgent.py:
        # a call for help sent ahead of the queue); put back, the worker sent it too and erased its payload
        # while the urgent delivery was still reading it ("assist request failed" for a call that got through).
        self._recover_on_next_pass = True

    # ------------------------------------------------------------------ control

    def start(self) -> None:
        """Take the outbox's sync lock (``SyncBusy`` if another process holds it) and start the thread."""
        if self._thread is not None:
            return
        self._lock.acquire()
        self._recover_on_next_pass = True
        self._stopping.clear()
        self._unsubscribe = self.outbox.subscribe(self._wakeup.set)  # new entries go out without waiting
        self._thread = threading.Thread(target=self._run, name="outbox-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Finish the entry in flight, then stop the thread and release the sync lock."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        self._wakeup.set()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("outbox sync thread still busy after %.0f s (a deliver call is slow)", timeout or 0)
            return
        self._thread = None
        if self._unsubscribe:
            self._unsubscribe()
        self._lock.release()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Sync now, skipping our own backoff (network came back, or a technician pressed "force sync").

        A Retry-After the platform asked for is still honoured.
        """
        self._force = True
        self._wakeup.set()

    def sync_once(self, force: bool = True) -> SyncReport:
        """Run one pass on the caller's thread (``kiosk sync --once``). Takes the sync lock if the thread
        does not already hold it."""
        own_lock = not self._lock.held
        if own_lock:
            self._lock.acquire()
            self._recover_on_next_pass = True
        try:
            return self._pass(force)
        finally:
            if own_lock:
                self._lock.release()

    def status(self) -> OutboxStatus:
        return self.outbox.status()

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            self._wakeup.clear()
            force, self._force = self._force, False
            try:
                report = self._pass(force)
                failures = 0
                wait = self._seconds_until(report.next_attempt_at)
            except OutboxError as exc:
                # The database itself failed (disk full, I/O error): nothing is lost, try again later. An entry
                # whose state could not be written may be left in ``sending``: the next pass puts it back.
                self._recover_on_next_pass = True
                failures += 1
                log.error("outbox sync pass failed: %s", exc)
                wait = self._backoff.delay(failures)
            except Exception as exc:  # never let a bug end syncing for good on an unattended box
                failures += 1
                log.error("outbox sync pass failed unexpectedly: %s", type(exc).__name__)
                wait = self._backoff.delay(failures)
            self._wakeup.wait(wait)

    def _seconds_until(self, when: float | None) -> float:
        if when is None:
            return self._idle_interval  # the outbox listener wakes us on enqueue; this is a safety net
        return min(max(when - self._clock(), 0.01), self._idle_interval)

    # ------------------------------------------------------------------ one pass

    def _pass(self, force: bool) -> SyncReport:
        with self._pass_mutex:
            sent = dead = retried = 0
            recovered = self.outbox.recover_interrupted() if self._recover_on_next_pass else 0
            self._recover_on_next_pass = False
            if recovered:
                log.warning("outbox: %d interrupted upload(s) put back to pending", recovered)
                self._changed()
            try:
                while not self._stopping.is_set():
                    head = self.outbox.head()
                    if head is None or not self._is_due(head, force):
                        break
                    outcome = self._send(head)
                    if outcome == "claimed":
                        continue  # no longer pending: the next one is the head now
                    if outcome == "done":
                        sent += 1
                    elif outcome == "dead":
                        dead += 1
                    else:
                        retried += 1
                        break  # strict order: nothing overtakes the head while it waits
            finally:
                try:
                    self.outbox.checkpoint()
                except OutboxError as exc:
                    log.error("outbox checkpoint failed: %s", exc)
            head = self.outbox.head()
            next_at = None if head is None else max(head.next_attempt_at, head.not_before)
            return SyncReport(sent, retried, dead, recovered, next_at)

    def _is_due(self, entry: EntryMeta, force: bool) -> bool:
        now = self._clock()
        longest = self._backoff.longest
        # A wall clock set backwards must not stall the queue: a wait longer than any we schedule is stale.
        if now < entry.not_before <= now + longest:
            return False  # the platform asked us to wait (Retry-After); even a forced sync honours it
        if force or entry.next_attempt_at <= now:
            return True
        return entry.next_attempt_at - now > longest

    def _send(self, head: EntryMeta) -> str:
        try:
            entry = self.outbox.begin_sending(head.id)
        except UnknownEntry:
            return "claimed"  # sent ahead of the queue by an urgent delivery on another thread (kiosk/urgent.py)
        self._changed()
        outcome = "done"
        try:
            payload = self.outbox.read_payload(entry)
            images = self._upload_images(entry)
            ack = self._deliver(entry, payload, images)
        except RetryLater as exc:
            self._schedule_retry(entry, f"retry later: {exc.reason}", exc.retry_after)
            outcome = "retry"
        except Rejected as exc:
            status = f" (HTTP {exc.status})" if exc.status is not None else ""
            self.outbox.mark_dead(entry.id, _scrub(f"rejected{status}: {exc.reason}"))
            outcome = "dead"
        except DecryptionFailed as exc:
            # Unreadable without the right key: retrying cannot help, and it must not block the queue.
            self.outbox.mark_dead(entry.id, _scrub(str(exc)))
            outcome = "dead"
        except Exception as exc:
            # A bug in the adapter: keep the entry and retry with backoff. Only the type is recorded, the
            # message may quote the payload.
            log.error("outbox entry %d (%s): deliver raised %s", entry.id, entry.kind, type(exc).__name__)
            self._schedule_retry(entry, f"internal error in deliver: {type(exc).__name__}", None)
            outcome = "retry"
        else:
            self.outbox.mark_done(entry.id, ack)
        self._changed()
        return outcome

    def _schedule_retry(self, entry: EntryMeta, error: str, retry_after: float | None) -> None:
        now = self._clock()
        delay = self._backoff.delay(entry.attempts, retry_after)
        self.outbox.mark_retry(
            entry.id,
            next_attempt_at=now + delay,
            not_before=now + delay if retry_after is not None else 0.0,
            error=_scrub(error),
        )

    def _upload_images(self, entry: EntryMeta) -> list[UploadedImage]:
        if entry.image_count == 0:
            return []
        uploaded = []
        for progress in self.outbox.image_progress(entry.id):
            data = self.outbox.read_image(entry, progress.index)
            digest = hashlib.sha256(data).hexdigest()
            if self._deliver_chunk is None:
                uploaded.append(UploadedImage(progress.index, progress.content_type, progress.size, digest, None, data))
                continue
            ref = progress.ref
            offset = progress.acked_bytes  # chunks below this were acknowledged before: never resent
            view = memoryview(data)
            while ref is None or offset < progress.size:
                chunk = bytes(view[offset : offset + self._chunk_size])
                answer = self._deliver_chunk(entry, progress.index, offset, chunk, progress.size)
                offset += len(chunk)
                if offset >= progress.size:
                    ref = dict(answer or {})
                self.outbox.ack_chunk(entry.id, progress.index, offset, ref)
            view.release()
            uploaded.append(UploadedImage(progress.index, progress.content_type, progress.size, digest, ref))
        return uploaded

    def _changed(self) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(self.outbox.status())
        except Exception as exc:  # a UI callback bug must not stop uploads
            log.error("outbox on_change callback raised %s", type(exc).__name__)


def _scrub(text: str) -> str:
    """Clear-text error for the outbox: long digit runs removed (defence in depth), length bounded."""
    return _LONG_NUMBER.sub("[number]", text)[:_ERROR_LIMIT]
