"""Queue tickets (排队取号): the department's number from the platform, or, when the platform cannot be
reached, a local number prefixed with this kiosk's code ("K07-A015") so it can never be mistaken for a
platform number or for another kiosk's.

The local counter lives in a small SQLite file and is advanced inside an IMMEDIATE transaction with
synchronous=FULL, so a restart (or a power cut) never hands out a number twice. Numbers start again each
day, as the hall's do; the date is printed on the ticket.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kiosk.platform_client import PlatformClient, PlatformError
from kiosk.printing.documents import QueueTicket


def kiosk_prefix(device_id: str) -> str:
    """"KIOSK-JINSHUI-07" → "K07": the trailing digits of the device id, at least two."""
    digits = re.search(r"([0-9]+)$", device_id.strip())
    if digits is None:
        raise ValueError(f"device id {device_id!r} does not end in digits; give the kiosk prefix explicitly")
    return f"K{int(digits.group(1)):02d}"


def _letters(index: int) -> str:
    """0 → A … 25 → Z, 26 → AA: one letter per department, as halls label their queues."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


@dataclass(frozen=True, slots=True)
class QueueNumber:
    number: str  # "A015" from the platform, "K07-A015" when issued locally
    department: str
    waiting: int | None  # people ahead; None when offline (the kiosk cannot know the hall's queue)
    offline: bool
    issued_at: dt.datetime

    def printable(self, *, centre_name: str, service_name: str, kiosk_id: str) -> QueueTicket:
        """The input of kiosk.printing.documents.queue_ticket. Offline the waiting count is unknown and
        printed as 0 until the ticket layout gets a wording for "unknown" (see the report of issue #6)."""
        return QueueTicket(centre_name=centre_name, ticket_number=self.number, service_name=service_name,
                           waiting_count=self.waiting or 0, issued_at=self.issued_at, kiosk_id=kiosk_id)


class OfflineTicketBook:
    """Local queue numbers that survive restarts. One file per kiosk (e.g. state_dir / "tickets.db")."""

    def __init__(self, path: Path, prefix: str) -> None:
        if not re.fullmatch(r"K[0-9]{2,4}", prefix):
            raise ValueError(f"kiosk prefix {prefix!r} should look like K07 (see kiosk_prefix)")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.prefix = prefix
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS letters (department TEXT PRIMARY KEY, letter TEXT UNIQUE)")
            db.execute("CREATE TABLE IF NOT EXISTS counters (day TEXT, letter TEXT, last INTEGER NOT NULL,"
                       " PRIMARY KEY (day, letter))")

    def _connect(self) -> sqlite3.Connection:
        # A connection per call: tickets are rare, and no connection is shared between threads.
        db = sqlite3.connect(str(self.path), isolation_level=None, timeout=5)
        db.execute("PRAGMA synchronous=FULL")
        return db

    def issue(self, department: str, now: dt.datetime | None = None) -> QueueNumber:
        now = now or dt.datetime.now().astimezone()
        day = now.date().isoformat()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")  # one writer: two taps at once still get two numbers
            row = db.execute("SELECT letter FROM letters WHERE department = ?", [department]).fetchone()
            if row is None:
                count = db.execute("SELECT count(*) FROM letters").fetchone()[0]
                letter = _letters(count)
                db.execute("INSERT INTO letters VALUES (?, ?)", [department, letter])
            else:
                letter = row[0]
            db.execute("INSERT INTO counters VALUES (?, ?, 1) ON CONFLICT (day, letter) DO UPDATE SET last = last + 1",
                       [day, letter])
            sequence = db.execute("SELECT last FROM counters WHERE day = ? AND letter = ?", [day, letter]).fetchone()[0]
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()
        return QueueNumber(f"{self.prefix}-{letter}{sequence:03d}", department, None, True, now)


def take_ticket(client: PlatformClient | None, book: OfflineTicketBook, department: str,
                now: dt.datetime | None = None) -> QueueNumber:
    """The platform's number when it answers; a local one when it is unreachable or failing. A refusal
    (unknown department) is not hidden behind a local number: it is raised for the screen to show."""
    if client is not None:
        try:
            ticket = client.take_ticket(department)
        except PlatformError as error:
            if error.kind == "rejected":
                raise
        else:
            issued = dt.datetime.fromisoformat(ticket.issued_at)
            return QueueNumber(ticket.number, ticket.department, ticket.waiting, False, issued)
    return book.issue(department, now)
