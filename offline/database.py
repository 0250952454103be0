"""Opening the outbox SQLite file with the durability and erasure settings it relies on, and turning
SQLite failures into ``OutboxUnavailable`` messages a technician can act on."""

from __future__ import annotations

import os
import sqlite3
from contextlib import suppress
from pathlib import Path

import sqlite_utils

from offline.errors import OutboxUnavailable

SCHEMA_VERSION = 1

SCHEMA: tuple[str, ...] = (
    """
CREATE TABLE IF NOT EXISTS outbox_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: ids (the encryption's associated data) never reused
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    created_at REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    not_before REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    meta TEXT NOT NULL DEFAULT '{}',  -- clear-text scheduling metadata, never personal data
    image_count INTEGER NOT NULL DEFAULT 0,
    ack TEXT,  -- the platform's acknowledgement (receipt number), JSON
    done_at REAL
)
    """,
    """
CREATE INDEX IF NOT EXISTS outbox_entries_state_id ON outbox_entries (state, id)
    """,
    """
CREATE INDEX IF NOT EXISTS outbox_entries_kind_state ON outbox_entries (kind, state)
    """,
    # Sealed payloads and image bytes live in tables of their own: updating an entry's state or a chunk's
    # progress then rewrites a small row, never the blob. That keeps state changes cheap and lets the
    # worker record acknowledgements (and so free space) even when the size limit or the disk is full.
    """
CREATE TABLE IF NOT EXISTS outbox_payloads (
    entry_id INTEGER PRIMARY KEY REFERENCES outbox_entries (id) ON DELETE CASCADE,
    data BLOB NOT NULL  -- AES-GCM record; deleted once the entry is acknowledged
)
    """,
    """
CREATE TABLE IF NOT EXISTS outbox_images (
    entry_id INTEGER NOT NULL REFERENCES outbox_entries (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    acked_bytes INTEGER NOT NULL DEFAULT 0,
    ref TEXT,
    PRIMARY KEY (entry_id, idx)
)
    """,
    """
CREATE TABLE IF NOT EXISTS outbox_image_data (
    entry_id INTEGER NOT NULL REFERENCES outbox_entries (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    data BLOB NOT NULL,  -- AES-GCM record; deleted once the entry is acknowledged
    PRIMARY KEY (entry_id, idx)
)
    """,
    """
CREATE TABLE IF NOT EXISTS outbox_state (
    key TEXT PRIMARY KEY,
    value TEXT
)
    """,
)


class OutboxConnection(sqlite3.Connection):
    """A connection whose ``with conn:`` block does not commit while an outbox transaction is open.

    sqlite-utils wraps its writes (``table.insert`` …) in ``with conn:``, which commits on exit. Inside
    ``Outbox.transaction()`` that would commit the caller's row before its outbox entry exists, breaking the
    one-transaction promise; so while our transaction is open the block defers to it.
    """

    in_outbox_transaction = False

    def __exit__(self, exc_type: object, exc: object, tb: object) -> bool:  # type: ignore[override]
        if self.in_outbox_transaction:
            return False
        return bool(super().__exit__(exc_type, exc, tb))


_UNAVAILABLE_CODES = {
    "SQLITE_FULL": "the disk or the outbox size limit is full; free disk space or let the queue sync",
    "SQLITE_READONLY": "the file is read-only; check its permissions and that the disk is mounted read-write",
    "SQLITE_CANTOPEN": "the file cannot be opened; check that its folder exists and is writable",
    "SQLITE_PERM": "permission denied; check the owner of the file and its folder",
    "SQLITE_CORRUPT": "the database file is damaged; copy it aside for a technician and restore from backup",
    "SQLITE_NOTADB": "the file is not an outbox database; check the configured path",
    "SQLITE_BUSY": "the database stayed locked by another process; is a second kiosk process running?",
    "SQLITE_LOCKED": "the database stayed locked; is a second kiosk process running?",
    "SQLITE_IOERR": "a disk I/O error occurred; check the disk (dmesg) and free space",
}


def unavailable(path: Path, exc: sqlite3.Error) -> OutboxUnavailable | None:
    """The ``OutboxUnavailable`` for ``exc``, or None when it is a programming error (bad SQL, constraint)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for code, advice in _UNAVAILABLE_CODES.items():
        if name == code or name.startswith(code + "_"):
            return OutboxUnavailable(str(path), f"{exc} ({name}): {advice}", code=name)
    # Errors raised before SQLite gave a code (e.g. opening) carry only a message.
    if not name and type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError):
        return OutboxUnavailable(str(path), f"{exc}: check the disk, its free space and the file's permissions")
    return None


def open_database(
    path: Path, max_bytes: int | None, wal_budget: int | None = None
) -> tuple[OutboxConnection, sqlite_utils.Database]:
    """Open (creating if needed) the outbox file and apply the pragmas the outbox depends on.

    ``wal_budget``: bytes of committed pages the WAL may hold before SQLite copies them into the database.
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Create the file 0600 ourselves: SQLite would use the umask, and the -wal/-shm files copy the
        # database file's mode. Clear-text metadata (kinds, times, receipt numbers) is nobody else's business.
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
        conn = sqlite3.connect(
            path,
            factory=OutboxConnection,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,  # shared by the UI thread and the sync worker under Outbox's lock
            timeout=5.0,
        )
    except OSError as exc:
        raise OutboxUnavailable(str(path), f"cannot create the outbox file: {exc.strerror}") from exc
    except sqlite3.Error as exc:
        raise unavailable(path, exc) or OutboxUnavailable(str(path), str(exc)) from exc
    assert isinstance(conn, OutboxConnection)
    try:
        _apply_pragmas(conn, path, max_bytes, wal_budget)
        _migrate(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        raise unavailable(path, exc) or OutboxUnavailable(str(path), str(exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn, sqlite_utils.Database(conn, execute_plugins=False)


def _apply_pragmas(conn: sqlite3.Connection, path: Path, max_bytes: int | None, wal_budget: int | None) -> None:
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise OutboxUnavailable(str(path), f"WAL journal not supported on this file system (got {mode!r})")
    # FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss, and a commit here is a
    # citizen's application the kiosk already confirmed on screen.
    conn.execute("PRAGMA synchronous=FULL")
    # Freed pages (acknowledged payloads) are overwritten with zeros instead of lingering in the file.
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA temp_store=MEMORY")  # sorts and temp tables never land in a temp file
    if conn.execute("PRAGMA synchronous").fetchone()[0] != 2 or conn.execute("PRAGMA secure_delete").fetchone()[0] != 1:
        raise OutboxUnavailable(str(path), "SQLite refused synchronous=FULL or secure_delete=ON")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    if wal_budget is not None:
        # Pages still only in the WAL must be copied into the database file before they can be erased, and
        # that copy needs free disk space. Copying often keeps that debt below the space reserve, so a kiosk
        # whose disk filled up can still drain (see offline.reserve).
        conn.execute(f"PRAGMA wal_autocheckpoint={max(16, min(1000, wal_budget // page_size))}")
    if max_bytes is not None:
        # A size limit keeps the outbox from filling the disk the OS needs; hitting it is SQLITE_FULL.
        conn.execute(f"PRAGMA max_page_count={max(1, int(max_bytes) // page_size)}")


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise OutboxUnavailable(
            str(path), f"written by a newer kiosk (schema {version}, this one knows {SCHEMA_VERSION}); upgrade"
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Statement by statement: executescript() would commit and leave a half-made schema on a crash.
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
