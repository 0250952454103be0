"""The durable outbox: applications, ratings, heartbeats and material images queued in SQLite until the
platform acknowledges them.

Why it looks like this:

- One SQLite file (WAL, ``synchronous=FULL``) holds the queue *and* whatever local record the caller writes in
  ``transaction()``, so "the application is saved" and "the application will be uploaded" are one commit.
- Payloads and images are personal data: each is an AES-GCM record bound to its row (see ``offline.crypto``).
  Images are stored as encrypted BLOBs in ``outbox_images`` rather than as files: they then share the
  transaction of their entry (no orphan or missing files after a power cut) and ``secure_delete`` plus a
  ``wal_checkpoint(TRUNCATE)`` erases them like the payloads once acknowledged.
- After the acknowledgement only a done-record without personal data stays (heartbeats leave nothing).
- One connection shared by the UI thread and the sync worker under a lock: writes are tiny, and a single
  connection lets ``wal_checkpoint(TRUNCATE)`` complete (no reader of ours holds the WAL open).
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal, TypeVar

import sqlite_utils

from offline.crypto import RecordCipher, load_or_create_key, record_aad
from offline.database import open_database, unavailable
from offline.errors import DecryptionFailed, KeyMismatch, OutboxError, OutboxUnavailable, UnknownEntry
from offline.model import EntryMeta, ImageProgress, Kind, OutboxStatus, State
from offline.reserve import SpaceReserve

log = logging.getLogger(__name__)
T = TypeVar("T")

Clock = Callable[[], float]
Listener = Callable[[], None]
Selection = Iterable[int] | Literal["all"]

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a phone-camera JPEG of an A4 page is ~1-3 MB; more is a caller bug
_KEY_CHECK_PLAINTEXT = b"gov-kiosk outbox key check"
# Safety net for the clear-text metadata: a value shaped like an ID number or a mobile number is refused.
_PERSONAL_LOOKING = re.compile(r"(?<![0-9])([1-9][0-9]{16}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])")
_ENTRY_COLUMNS = (
    "id, idempotency_key, kind, created_at, state, attempts, next_attempt_at, not_before, last_error, meta, "
    "image_count, ack, done_at"
)


class Outbox:
    """A durable, encrypted queue of entries waiting for the platform.

    ``db_path``: the SQLite file (created with its folder). ``key_path``: the per-device key file (created
    0600 on first start; refused if looser or damaged). ``clock``: unix time source (tests inject one).
    ``max_bytes``: optional size limit of the database; reaching it behaves like a full disk.
    ``checkpoint_every``: acknowledgements between forced WAL truncations (the sync worker also truncates
    at the end of every pass). ``reserve_bytes``: disk space held back in ``<db>.reserve`` so the queue can
    still drain on a full disk (see ``offline.reserve``); it must exceed the largest single image.
    """

    def __init__(
        self,
        db_path: str | Path,
        key_path: str | Path,
        *,
        clock: Clock = time.time,
        max_bytes: int | None = None,
        checkpoint_every: int = 64,
        reserve_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.path = Path(db_path)
        self.clock = clock
        self._cipher = RecordCipher(load_or_create_key(key_path))
        self._key_path = Path(key_path)
        self._conn, self._db = open_database(self.path, max_bytes, wal_budget=reserve_bytes // 2 or None)
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._checkpoint_every = max(1, checkpoint_every)
        self._acked_since_checkpoint = 0
        self._closed = False
        self._reserve = SpaceReserve(self.path.with_name(self.path.name + ".reserve"), reserve_bytes)
        self._reserve.ensure()
        try:
            self._check_key()
        except BaseException:
            self._conn.close()
            raise

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Truncate the WAL (best effort) and close; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            with suppress(OutboxError):
                self.checkpoint()
            self._conn.close()
            self._closed = True

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` (on the writer's thread) after new work is committed; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # ------------------------------------------------------------------ writing

    @contextmanager
    def transaction(self) -> Iterator[OutboxTransaction]:
        """One SQLite transaction for the caller's own rows and any number of outbox entries.

        ``with outbox.transaction() as tx: tx.db["applications"].insert({...}); tx.enqueue(...)`` commits
        both or neither. Raises ``OutboxUnavailable`` (disk full, I/O error …) after rolling back.
        """
        tx = OutboxTransaction(self)
        with self._tx():
            yield tx
        tx._closed = True
        if tx.enqueued:
            self._notify()

    def enqueue(
        self,
        kind: Kind | str,
        payload: Mapping[str, Any],
        *,
        images: Sequence[bytes] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> EntryMeta:
        """Queue one entry in its own durable transaction (see ``transaction()`` to add your own rows)."""
        with self.transaction() as tx:
            return tx.enqueue(kind, payload, images=images, meta=meta)

    def _enqueue_in_tx(
        self, kind: Kind | str, payload: Mapping[str, Any], images: Sequence[bytes], meta: Mapping[str, Any] | None
    ) -> EntryMeta:
        kind = Kind(kind)
        clean_meta = _checked_meta(meta)
        body = _to_json(payload, "payload").encode()
        for index, image in enumerate(images):
            if not isinstance(image, bytes | bytearray | memoryview) or not 0 < len(image) <= MAX_IMAGE_BYTES:
                raise ValueError(f"image {index}: expected 1 byte to {MAX_IMAGE_BYTES} bytes of image data")
        now = self.clock()
        key = str(uuid.uuid4())
        if kind is Kind.HEARTBEAT:
            # Offline for days, only the newest heartbeat is worth sending; one already handed to the
            # platform (sending) is left alone so it is not both sent and deleted.
            self._conn.execute("DELETE FROM outbox_entries WHERE kind = ? AND state = ?", (kind, State.PENDING))
        cursor = self._conn.execute(
            "INSERT INTO outbox_entries (idempotency_key, kind, created_at, state, next_attempt_at, meta,"
            " image_count) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, kind, now, State.PENDING, now, _to_json(clean_meta, "meta"), len(images)),
        )
        entry_id = int(cursor.lastrowid or 0)
        # The row id is the associated data, so the row must exist before its payload is sealed.
        sealed = self._cipher.seal(body, record_aad(entry_id, kind, "payload"))
        self._conn.execute("INSERT INTO outbox_payloads (entry_id, data) VALUES (?, ?)", (entry_id, sealed))
        for index, image in enumerate(images):
            data = bytes(image)
            self._conn.execute(
                "INSERT INTO outbox_images (entry_id, idx, content_type, size) VALUES (?, ?, ?, ?)",
                (entry_id, index, _sniff_content_type(data), len(data)),
            )
            self._conn.execute(
                "INSERT INTO outbox_image_data (entry_id, idx, data) VALUES (?, ?, ?)",
                (entry_id, index, self._cipher.seal(data, record_aad(entry_id, kind, f"image:{index}"))),
            )
        return EntryMeta(
            id=entry_id, idempotency_key=key, kind=kind, created_at=now, state=State.PENDING, attempts=0,
            next_attempt_at=now, not_before=0.0, last_error=None, meta=clean_meta, image_count=len(images),
            ack=None, done_at=None,
        )

    # ------------------------------------------------------------------ reading (metadata only)

    def get(self, entry_id: int) -> EntryMeta:
        row = self._read(f"SELECT {_ENTRY_COLUMNS} FROM outbox_entries WHERE id = ?", (entry_id,))
        if not row:
            raise UnknownEntry(f"outbox {self.path}: no entry {entry_id}")
        return _entry(row[0])

    def head(self) -> EntryMeta | None:
        """The oldest pending entry: the next one to send (the queue is strictly first in, first out)."""
        rows = self._read(
            f"SELECT {_ENTRY_COLUMNS} FROM outbox_entries WHERE state = ? ORDER BY id LIMIT 1", (State.PENDING,)
        )
        return _entry(rows[0]) if rows else None

    def entries(
        self, states: Iterable[State | str] | None = None, *, kind: Kind | str | None = None, limit: int | None = None
    ) -> list[EntryMeta]:
        """Entries in creation order, metadata only (no payload, no images)."""
        where, params = [], []
        if states is not None:
            wanted = [State(s) for s in states]
            where.append(f"state IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
        if kind is not None:
            where.append("kind = ?")
            params.append(Kind(kind))
        sql = f"SELECT {_ENTRY_COLUMNS} FROM outbox_entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_entry(row) for row in self._read(sql, params)]

    def status(self) -> OutboxStatus:
        with self._lock:
            counts = dict(self._read("SELECT state, count(*) FROM outbox_entries GROUP BY state"))
            oldest = self._read(
                "SELECT min(created_at) FROM outbox_entries WHERE state IN (?, ?)", (State.PENDING, State.SENDING)
            )[0][0]
            head = self._read(
                "SELECT next_attempt_at FROM outbox_entries WHERE state = ? ORDER BY id LIMIT 1", (State.PENDING,)
            )
            values = dict(self._read("SELECT key, value FROM outbox_state"))
        now = self.clock()
        return OutboxStatus(
            depth=counts.get(State.PENDING.value, 0),
            sending=counts.get(State.SENDING.value, 0),
            dead=counts.get(State.DEAD.value, 0),
            done=counts.get(State.DONE.value, 0),
            oldest_pending_age=None if oldest is None else max(0.0, now - oldest),
            next_attempt_at=head[0][0] if head else None,
            last_success_at=_float_or_none(values.get("last_success_at")),
            last_error=values.get("last_error"),
            last_error_at=_float_or_none(values.get("last_error_at")),
        )

    # ------------------------------------------------------------------ the sync worker's side

    def recover_interrupted(self) -> int:
        """Put entries left in ``sending`` (the process died mid-upload) back to pending.

        Only the holder of the sync lock may call this: for it, any ``sending`` entry is an interrupted one.
        The idempotency key makes the resend safe.
        """
        def write() -> int:
            with self._tx():
                return self._conn.execute(
                    "UPDATE outbox_entries SET state = ? WHERE state = ?", (State.PENDING, State.SENDING)
                ).rowcount

        recovered = self._draining(write)
        self._erase_image_data(None)  # images of entries acknowledged just before a crash
        return recovered

    def begin_sending(self, entry_id: int) -> EntryMeta:
        def write() -> int:
            with self._tx():
                return self._conn.execute(
                    "UPDATE outbox_entries SET state = ?, attempts = attempts + 1 WHERE id = ? AND state = ?",
                    (State.SENDING, entry_id, State.PENDING),
                ).rowcount

        if self._draining(write) != 1:
            raise UnknownEntry(f"outbox {self.path}: entry {entry_id} is not pending")
        return self.get(entry_id)

    def read_payload(self, entry: EntryMeta) -> dict[str, Any]:
        """Decrypt the entry's payload. Raises ``DecryptionFailed`` naming the entry, never its content."""
        rows = self._read("SELECT data FROM outbox_payloads WHERE entry_id = ?", (entry.id,))
        what = f"outbox {self.path}: entry {entry.id} ({entry.kind}) payload"
        if not rows or rows[0][0] is None:
            raise DecryptionFailed(f"{what}: missing (already acknowledged?)")
        plaintext = self._cipher.open(rows[0][0], record_aad(entry.id, entry.kind, "payload"), what)
        return json.loads(plaintext)

    def image_progress(self, entry_id: int) -> list[ImageProgress]:
        rows = self._read(
            "SELECT idx, content_type, size, acked_bytes, ref FROM outbox_images WHERE entry_id = ? ORDER BY idx",
            (entry_id,),
        )
        return [ImageProgress(idx, ctype, size, acked, None if ref is None else json.loads(ref))
                for idx, ctype, size, acked, ref in rows]

    def read_image(self, entry: EntryMeta, index: int) -> bytes:
        rows = self._read("SELECT data FROM outbox_image_data WHERE entry_id = ? AND idx = ?", (entry.id, index))
        what = f"outbox {self.path}: entry {entry.id} ({entry.kind}) image {index}"
        if not rows:
            raise DecryptionFailed(f"{what}: missing")
        return self._cipher.open(rows[0][0], record_aad(entry.id, entry.kind, f"image:{index}"), what)

    def ack_chunk(self, entry_id: int, index: int, acked_bytes: int, ref: Mapping[str, Any] | None = None) -> None:
        """Record that the platform holds the first ``acked_bytes`` of an image (durably, before the next chunk)."""
        self._draining(
            functools.partial(
                self._execute_one,
                "UPDATE outbox_images SET acked_bytes = ?, ref = coalesce(?, ref) WHERE entry_id = ? AND idx = ?",
                (acked_bytes, None if ref is None else _to_json(ref, "chunk ack"), entry_id, index),
            )
        )

    def mark_done(self, entry_id: int, ack: Mapping[str, Any] | None) -> None:
        """The platform acknowledged the entry: erase its payload and images, keep a done-record."""
        now = self.clock()
        ack_json = _to_json(dict(ack or {}), "ack")

        def write() -> None:
            with self._tx():
                kind = self._conn.execute("SELECT kind FROM outbox_entries WHERE id = ?", (entry_id,)).fetchone()
                if kind is None:
                    raise UnknownEntry(f"outbox {self.path}: no entry {entry_id}")
                for table in ("outbox_payloads", "outbox_images"):
                    self._conn.execute(f"DELETE FROM {table} WHERE entry_id = ?", (entry_id,))
                if kind[0] == Kind.HEARTBEAT:
                    self._conn.execute("DELETE FROM outbox_entries WHERE id = ?", (entry_id,))
                else:
                    self._conn.execute(
                        "UPDATE outbox_entries SET state = ?, ack = ?, done_at = ?, last_error = NULL,"
                        " not_before = 0 WHERE id = ?",
                        (State.DONE, ack_json, now, entry_id),
                    )
                self._set_state_values({"last_success_at": repr(now)})

        self._draining(write)
        self._erase_image_data(entry_id)
        self._acked_since_checkpoint += 1
        if self._acked_since_checkpoint >= self._checkpoint_every:
            self.checkpoint()

    def mark_retry(self, entry_id: int, *, next_attempt_at: float, not_before: float, error: str) -> None:
        self._draining(
            functools.partial(
                self._execute_one,
                "UPDATE outbox_entries SET state = ?, next_attempt_at = ?, not_before = ?, last_error = ?"
                " WHERE id = ?",
                (State.PENDING, next_attempt_at, not_before, error, entry_id),
                {"last_error": error, "last_error_at": repr(self.clock())},
            )
        )

    def mark_dead(self, entry_id: int, error: str) -> None:
        self._draining(
            functools.partial(
                self._execute_one,
                "UPDATE outbox_entries SET state = ?, last_error = ? WHERE id = ?",
                (State.DEAD, error, entry_id),
                {"last_error": error, "last_error_at": repr(self.clock())},
            )
        )

    def checkpoint(self) -> bool:
        """Copy the WAL into the database and truncate it to zero bytes, so erased pages leave no copy.

        Returns False when another process (e.g. ``kiosk queue status``) was reading; the next call retries.
        """
        with self._lock:
            busy = self._draining(functools.partial(self._read, "PRAGMA wal_checkpoint(TRUNCATE)"))[0][0]
            if not busy:
                self._acked_since_checkpoint = 0
                self._reserve.ensure()
            return not busy

    # ------------------------------------------------------------------ technicians

    def retry_dead(self, ids: Selection = "all") -> int:
        """Move dead entries back to pending (attempts reset). Returns how many moved."""
        now = self.clock()
        where, params = _selection(ids)
        with self._tx():
            cursor = self._conn.execute(
                "UPDATE outbox_entries SET state = ?, attempts = 0, next_attempt_at = ?, not_before = 0"
                f" WHERE state = ?{where}",
                (State.PENDING, now, State.DEAD, *params),
            )
            moved = cursor.rowcount
        if moved:
            self._notify()
        return moved

    def purge_dead(self, ids: Selection = "all") -> int:
        """Delete dead entries with their payload and images, for good. Explicit only, never automatic."""
        where, params = _selection(ids)
        purged = [row[0] for row in self._read(f"SELECT id FROM outbox_entries WHERE state = ?{where}", (State.DEAD, *params))]
        for entry_id in purged:
            # Image bytes first, one image per transaction (as after an acknowledgement), then the row.
            self._erase_image_data(entry_id)
            self._draining(functools.partial(self._execute_one, "DELETE FROM outbox_entries WHERE id = ?", (entry_id,)))
        self.checkpoint()
        return len(purged)

    def prune_done(self, older_than: float) -> int:
        """Delete done-records acknowledged before the unix time ``older_than`` (retention of receipts)."""
        with self._tx():
            return self._conn.execute(
                "DELETE FROM outbox_entries WHERE state = ? AND done_at < ?", (State.DONE, older_than)
            ).rowcount

    # ------------------------------------------------------------------ internals

    @contextmanager
    def _tx(self) -> Iterator[None]:
        with self._lock:
            if self._conn.in_outbox_transaction:  # nested on the same thread: join the open transaction
                yield
                return
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._translate(exc) from None
            self._conn.in_outbox_transaction = True
            try:
                yield
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                translated = self._translate(exc) if isinstance(exc, sqlite3.Error) else exc
                if translated is exc:
                    raise
                raise translated from exc
            finally:
                self._conn.in_outbox_transaction = False

    def _execute_one(self, sql: str, params: Sequence[Any], state: Mapping[str, str] | None = None) -> int:
        with self._tx():
            count = self._conn.execute(sql, params).rowcount
            if state:
                self._set_state_values(state)
            return count

    def _draining(self, write: Callable[[], T]) -> T:
        """Run one of the sync side's writes; on a full disk, give up the reserve and try once more.

        These writes record acknowledgements and so free space; refusing them would leave a full kiosk
        unable to ever drain its queue.
        """
        try:
            return write()
        except OutboxUnavailable as exc:
            if exc.code != "SQLITE_FULL" or not self._reserve.release():
                raise
            log.warning("outbox %s: disk full, released the space reserve to keep syncing", self.path)
            return write()

    def _erase_image_data(self, entry_id: int | None) -> None:
        """Erase stored image bytes of ``entry_id`` (None: of every entry that no longer needs them).

        One image per transaction, each followed by a WAL truncation: erasing with ``secure_delete`` writes
        every freed page to the WAL, and this bounds that to one image even on a nearly full disk.
        """
        if entry_id is None:
            rows = self._read(
                "SELECT entry_id, idx FROM outbox_image_data WHERE entry_id NOT IN"
                " (SELECT id FROM outbox_entries WHERE state IN (?, ?, ?))",
                (State.PENDING, State.SENDING, State.DEAD),
            )
        else:
            rows = self._read("SELECT entry_id, idx FROM outbox_image_data WHERE entry_id = ?", (entry_id,))
        for owner, index in rows:
            self._draining(
                functools.partial(
                    self._execute_one, "DELETE FROM outbox_image_data WHERE entry_id = ? AND idx = ?", (owner, index)
                )
            )
            self.checkpoint()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._translate(exc) from None

    def _translate(self, exc: sqlite3.Error) -> Exception:
        """``OutboxUnavailable`` for disk and database failures; the caller's own SQL mistakes unchanged."""
        return unavailable(self.path, exc) or exc

    def _set_state_values(self, values: Mapping[str, str]) -> None:
        self._conn.executemany(
            "INSERT INTO outbox_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _check_key(self) -> None:
        """Refuse a key file that is not the one this outbox was written with, instead of killing the queue."""
        with self._tx():
            row = self._conn.execute("SELECT value FROM outbox_state WHERE key = 'key_check'").fetchone()
            if row is None:
                sealed = self._cipher.seal(_KEY_CHECK_PLAINTEXT, record_aad(0, "", "key-check"))
                self._set_state_values({"key_check": sealed.hex()})
                return
        try:
            self._cipher.open(bytes.fromhex(row[0]), record_aad(0, "", "key-check"), "key check")
        except DecryptionFailed:
            raise KeyMismatch(
                f"key file {self._key_path} does not match outbox {self.path}: the outbox was written with "
                f"another key. Restore the original key file; or, if its queued entries are to be given up, "
                f"move {self.path} aside so a new outbox is started"
            ) from None

    # Last in the class body so that ``list[...]`` in the annotations above still means the builtin.
    list = entries  # ``outbox.list()`` as the UI and the CLI call it


class OutboxTransaction:
    """Handle given by ``Outbox.transaction()``: enqueue entries and write your own rows atomically."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._closed = False
        self.enqueued: list[EntryMeta] = []

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils handle on the same connection; its writes join this transaction."""
        self._check_open()
        return self._outbox._db

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        """Run the caller's own SQL inside this transaction (e.g. insert the local application record)."""
        self._check_open()
        return self._outbox._conn.execute(sql, params)

    def enqueue(
        self,
        kind: Kind | str,
        payload: Mapping[str, Any],
        *,
        images: Sequence[bytes] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> EntryMeta:
        self._check_open()
        entry = self._outbox._enqueue_in_tx(kind, payload, images, meta)
        self.enqueued.append(entry)
        return entry

    def _check_open(self) -> None:
        if self._closed:
            raise OutboxError("this outbox transaction is already committed; open a new one")


def _entry(row: Sequence[Any]) -> EntryMeta:
    (entry_id, key, kind, created, state, attempts, next_at, not_before, error, meta, images, ack, done_at) = row
    return EntryMeta(
        id=entry_id, idempotency_key=key, kind=Kind(kind), created_at=created, state=State(state),
        attempts=attempts, next_attempt_at=next_at, not_before=not_before, last_error=error,
        meta=json.loads(meta), image_count=images, ack=None if ack is None else json.loads(ack), done_at=done_at,
    )


def _checked_meta(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in (meta or {}).items():
        if not isinstance(name, str) or not (value is None or isinstance(value, str | int | float | bool)):
            raise ValueError(f"outbox meta {name!r}: only str keys and str/int/float/bool/None values are allowed")
        if isinstance(value, str) and _PERSONAL_LOOKING.search(value):
            raise ValueError(
                f"outbox meta {name!r} looks like an ID or phone number: metadata is stored in clear text, "
                f"put personal data in the (encrypted) payload"
            )
        clean[name] = value
    return clean


def _to_json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"outbox {what} must be JSON-serialisable: {type(exc).__name__}") from None


def _sniff_content_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    return "application/octet-stream"


def _selection(ids: Selection) -> tuple[str, list[int]]:
    if ids == "all":
        return "", []
    wanted = [int(i) for i in ids]  # type: ignore[union-attr]
    if not wanted:
        return " AND 0", []
    return f" AND id IN ({', '.join('?' * len(wanted))})", wanted


def _float_or_none(value: str | None) -> float | None:
    return None if value is None else float(value)


__all__ = ["Outbox", "OutboxTransaction", "OutboxUnavailable"]
