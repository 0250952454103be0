"""The kiosk's one way to submit an application or a rating: through the durable outbox, never directly.

``Submitter.submit_application`` writes the kiosk's own record of the application and its outbox entry in
one SQLite transaction, wakes the sync worker and waits a short, bounded time for the platform's answer:

- ``acknowledged``: the platform holds it and gave a receipt number: the only case the UI says "submitted";
- ``saved_locally``: no answer in time (network down, platform slow): the citizen gets the local reference
  (``K-<device>-<yyyymmdd>-<seq>``, quotable at a counter) and "saved on this kiosk, uploads automatically";
- ``rejected``: the platform refused it for good (4xx): a technician sees it in ``kiosk queue list``;
- ``refused``: the kiosk could not even save it (disk full, storage fault): nothing was promised to the citizen,
  and the app stops offering applications until a technician fixes the storage.

It blocks for up to ``wait_s``: call it on a worker thread (``runtime.run_in_background``), never the UI thread.

The local record (table ``kiosk_applications`` in the outbox database) has no personal data: local reference,
item code, times, state, and the platform's receipt number once known. The application body itself is only
in the outbox entry's encrypted payload, erased once acknowledged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.platform_client import MemberReceipt
from kiosk.references import local_reference
from offline.errors import OutboxUnavailable
from offline.model import Kind, State
from offline.outbox import Outbox

log = logging.getLogger(__name__)

TABLE = "kiosk_applications"
Status = Literal["acknowledged", "saved_locally", "rejected", "refused"]

MESSAGE_KEYS: dict[str, str] = {
    "acknowledged": "offline.submitted",
    "saved_locally": "offline.saved_locally",
    "rejected": "offline.rejected",
    "refused_disk": "offline.refused_disk",
    "refused_storage": "offline.refused_storage",
    "rating_saved": "offline.rating_saved",
}

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    local_reference TEXT PRIMARY KEY,       -- K-<device>-<yyyymmdd>-<seq>, printed for the citizen
    entry_id INTEGER NOT NULL UNIQUE,       -- the outbox entry carrying the (encrypted) application
    session_key TEXT UNIQUE,                -- the session's random key: a double tap submits once
    item_code TEXT NOT NULL,
    day TEXT NOT NULL,
    seq INTEGER NOT NULL,
    created_at REAL NOT NULL,
    state TEXT NOT NULL,                    -- saved_locally | acknowledged | rejected
    receipt_number TEXT,                    -- the platform's, once acknowledged
    accepted_at TEXT,
    acknowledged_at REAL
)
"""

# Copies the platform's answer from the outbox entry (kept until pruned) into the kiosk's own record.
_RECONCILE = (
    f"""UPDATE {TABLE} SET state = 'acknowledged',
        receipt_number = (SELECT json_extract(e.ack, '$.receipt_number') FROM outbox_entries e WHERE e.id = entry_id),
        accepted_at = (SELECT json_extract(e.ack, '$.accepted_at') FROM outbox_entries e WHERE e.id = entry_id),
        acknowledged_at = (SELECT e.done_at FROM outbox_entries e WHERE e.id = entry_id)
    WHERE state != 'acknowledged'
      AND EXISTS (SELECT 1 FROM outbox_entries e WHERE e.id = entry_id AND e.state = 'done')""",
    f"""UPDATE {TABLE} SET state = 'rejected' WHERE state = 'saved_locally'
      AND EXISTS (SELECT 1 FROM outbox_entries e WHERE e.id = entry_id AND e.state = 'dead')""",
    f"""UPDATE {TABLE} SET state = 'saved_locally' WHERE state = 'rejected'
      AND EXISTS (SELECT 1 FROM outbox_entries e WHERE e.id = entry_id AND e.state IN ('pending', 'sending'))""",
)


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """What the UI shows after "确认提交". ``message_key`` is an i18n key (kiosk/locale/*/offline.toml)."""

    status: Status
    message_key: str
    local_reference: str | None = None
    receipt_number: str | None = None  # only when acknowledged
    accepted_at: str | None = None
    entry_id: int | None = None
    detail: str = ""  # for the log and the technician; never personal data
    members: tuple[MemberReceipt, ...] = ()  # a bundle's member receipts, when acknowledged

    @property
    def submitted(self) -> bool:
        """True only when the platform acknowledged: the one case the UI may say "submitted"."""
        return self.status == "acknowledged"

    @property
    def reference(self) -> str | None:
        """What the receipt prints: the platform's receipt number, else the local reference."""
        return self.receipt_number or self.local_reference


@dataclass(frozen=True, slots=True)
class LocalRecord:
    local_reference: str
    entry_id: int
    item_code: str
    created_at: float
    state: str
    receipt_number: str | None
    accepted_at: str | None


class Submitter:
    """Submits through ``outbox``; ``worker`` (an ``offline.sync.SyncWorker``, may be None) is woken to send.

    ``wait_s``: how long ``submit_application`` waits for the platform before answering ``saved_locally``.
    """

    def __init__(self, outbox: Outbox, worker: Any | None, device_id: str, *, wait_s: float = 4.0,
                 poll_s: float = 0.02, clock: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self.worker = worker
        self.device_id = device_id
        self.wait_s = wait_s
        self._poll_s = poll_s
        self._clock = clock
        with outbox.transaction() as tx:
            tx.execute(_SCHEMA)

    # ------------------------------------------------------------------ applications

    def submit_application(self, body: Mapping[str, Any], *, images: Sequence[bytes] = (),
                           session_key: str | None = None, wait_s: float | None = None) -> SubmitOutcome:
        """Save the application durably, then wait up to ``wait_s`` for the platform's receipt number.

        ``body`` is the application body (``ServiceFlow.application_body()``); ``images`` material images
        (JPEG/PNG bytes); ``session_key`` the session's idempotency key, so submitting the same session twice
        (a double tap, a retry button) returns the first submission instead of queueing a second one.
        """
        item_code = str(body.get("item_code") or "")
        if not item_code:
            raise ValueError("submit_application: the body has no item_code (use ServiceFlow.application_body())")
        try:
            reference, entry_id = self._save(body, images, item_code, session_key)
        except OutboxUnavailable as error:
            key = "refused_disk" if error.code == "SQLITE_FULL" or "full" in error.cause.lower() else "refused_storage"
            log.error("application for %s refused, the outbox cannot store it: %s", item_code, error)
            return SubmitOutcome("refused", MESSAGE_KEYS[key], detail=str(error))
        if self.worker is not None:
            self.worker.wake()
        return self._await(reference, entry_id, self.wait_s if wait_s is None else wait_s)

    def _save(self, body: Mapping[str, Any], images: Sequence[bytes], item_code: str,
              session_key: str | None) -> tuple[str, int]:
        with self.outbox.transaction() as tx:
            if session_key is not None:
                row = tx.execute(f"SELECT local_reference, entry_id FROM {TABLE} WHERE session_key = ?",
                                 (session_key,)).fetchone()
                if row is not None:
                    return row[0], row[1]
            reference, seq, day, now = self._new_reference(tx)
            entry = tx.enqueue(Kind.APPLICATION, body, images=images,
                               meta={"local_reference": reference, "item_code": item_code})
            tx.execute(
                f"INSERT INTO {TABLE} (local_reference, entry_id, session_key, item_code, day, seq, created_at, state)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'saved_locally')",
                (reference, entry.id, session_key, item_code, day, seq, now),
            )
        return reference, entry.id

    def _new_reference(self, tx: Any) -> tuple[str, int, str, float]:
        """The next local reference, K-<device>-<yyyymmdd>-<seq>: short enough to quote, unique per kiosk."""
        now = self._clock()
        day = time.strftime("%Y%m%d", time.localtime(now))
        seq = tx.execute(f"SELECT coalesce(max(seq), 0) + 1 FROM {TABLE} WHERE day = ?", (day,)).fetchone()[0]
        return local_reference(self.device_id, day, seq), seq, day, now

    def _await(self, reference: str, entry_id: int, wait_s: float) -> SubmitOutcome:
        deadline = time.monotonic() + max(0.0, wait_s)
        while True:
            entry = self.outbox.get(entry_id)
            if entry.state is State.DONE:
                self.reconcile()
                ack = entry.ack or {}
                return SubmitOutcome("acknowledged", MESSAGE_KEYS["acknowledged"], reference,
                                     ack.get("receipt_number"), ack.get("accepted_at"), entry_id,
                                     members=tuple(MemberReceipt(code, number) for code, number in ack.get("members", ())))
            if entry.state is State.DEAD:
                self.reconcile()
                return SubmitOutcome("rejected", MESSAGE_KEYS["rejected"], reference, entry_id=entry_id,
                                     detail=entry.last_error or "")
            if time.monotonic() >= deadline:
                return SubmitOutcome("saved_locally", MESSAGE_KEYS["saved_locally"], reference, entry_id=entry_id,
                                     detail=entry.last_error or "")
            time.sleep(self._poll_s)

    # ------------------------------------------------------------------ ratings

    def submit_rating(self, body: Mapping[str, Any], *, local_reference: str | None = None) -> SubmitOutcome:
        """Queue a rating (no waiting). ``local_reference``: the rated application when it was saved locally,
        so the rating carries its receipt number once the platform gave one."""
        meta = {"local_reference": local_reference} if local_reference else None
        try:
            entry = self.outbox.enqueue(Kind.RATING, body, meta=meta)
        except OutboxUnavailable as error:
            log.error("rating refused, the outbox cannot store it: %s", error)
            return SubmitOutcome("refused", MESSAGE_KEYS["refused_storage"], detail=str(error))
        return SubmitOutcome("saved_locally", MESSAGE_KEYS["rating_saved"], local_reference, entry_id=entry.id)

    # ------------------------------------------------------------------ the kiosk's records

    def queue_query(self, body: Mapping[str, Any]) -> str:
        """Offline query-and-print: queue the request so the result can be picked up later; returns the
        local reference the citizen quotes (or scans) at pickup. The body holds personal data: it is
        encrypted at rest like an application's."""
        item_code = str(body.get("item_code") or "")
        with self.outbox.transaction() as tx:
            reference, seq, day, now = self._new_reference(tx)
            entry = tx.enqueue(Kind.QUERY_REQUEST, dict(body), meta={"local_reference": reference, "item_code": item_code})
            tx.execute(
                f"INSERT INTO {TABLE} (local_reference, entry_id, session_key, item_code, day, seq, created_at, state)"
                " VALUES (?, ?, NULL, ?, ?, ?, ?, 'saved_locally')",
                (reference, entry.id, item_code, day, seq, now),
            )
        if self.worker is not None:
            self.worker.wake()
        return reference

    def reconcile(self) -> None:
        """Bring the local records up to date with the outbox (receipt numbers, rejections, retries).

        Cheap; the runtime may call it from the worker's ``on_change`` as well."""
        with self.outbox.transaction() as tx:
            for statement in _RECONCILE:
                tx.execute(statement)

    def record(self, local_reference: str) -> LocalRecord | None:
        self.reconcile()
        rows = self._select(" WHERE local_reference = ?", (local_reference,))
        return rows[0] if rows else None

    def records(self, limit: int = 100) -> list[LocalRecord]:
        self.reconcile()
        return self._select(f" ORDER BY created_at DESC, seq DESC LIMIT {int(limit)}", ())

    def receipt_for(self, local_reference: str) -> str | None:
        """The platform's receipt number for a locally saved application (the adapter's ``receipt_lookup``)."""
        record = self.record(local_reference)
        return None if record is None else record.receipt_number

    def _select(self, where: str, params: Sequence[Any]) -> list[LocalRecord]:
        with self.outbox.transaction() as tx:
            rows = tx.execute(
                "SELECT local_reference, entry_id, item_code, created_at, state, receipt_number, accepted_at"
                f" FROM {TABLE}{where}", params,
            ).fetchall()
        return [LocalRecord(*row) for row in rows]
