"""Storage for help, complaints, notices and the fleet view: tables of their own in the sandbox's SQLite file.

A connection of its own (WAL lets the console read while heartbeats write), synchronous=NORMAL: a power cut
may lose the last heartbeats, never corrupt the file, and heartbeats are re-sent every minute anyway.

Nothing here holds a citizen's identity except a complaint's optional callback phone, which the console never
shows (it says "需回访" only); assist requests carry the screen name and nothing about the person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.sandbox.fleet_status import SILENT_AFTER_S, summarise
from kiosk.staffed_hours import HelpSettings, StaffedPeriod

SERVICE_POINTS_FILE = Path(__file__).with_name("data") / "service_points.json"
EVENTS_KEPT_PER_KIOSK = 200
PRUNE_EVERY = 5000  # heartbeats between two prunings of the event log

_SCHEMA = """
CREATE TABLE IF NOT EXISTS help_assist (
    number TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, body_digest TEXT NOT NULL, device_id TEXT NOT NULL,
    service_point TEXT NOT NULL, screen TEXT NOT NULL, reason TEXT NOT NULL, created_at REAL NOT NULL,
    staffed INTEGER NOT NULL, status TEXT NOT NULL, accepted_by TEXT NOT NULL DEFAULT '',
    accepted_at REAL, closed_at REAL);
CREATE UNIQUE INDEX IF NOT EXISTS help_assist_key ON help_assist (device_id, idempotency_key);
CREATE INDEX IF NOT EXISTS help_assist_open ON help_assist (status, device_id);
CREATE TABLE IF NOT EXISTS help_complaints (
    number TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, body_digest TEXT NOT NULL, device_id TEXT NOT NULL,
    kind TEXT NOT NULL, category TEXT NOT NULL, item_code TEXT NOT NULL, details TEXT NOT NULL,
    callback INTEGER NOT NULL, callback_phone TEXT NOT NULL, created_at REAL NOT NULL, status TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS help_complaints_key ON help_complaints (device_id, idempotency_key);
CREATE TABLE IF NOT EXISTS help_complaint_history (
    number TEXT NOT NULL, at REAL NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS help_complaint_history_number ON help_complaint_history (number);
CREATE TABLE IF NOT EXISTS help_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT, level TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
    service_point TEXT NOT NULL, starts_at REAL NOT NULL, expires_at REAL NOT NULL, created_by TEXT NOT NULL,
    withdrawn INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS fleet_kiosks (
    device_id TEXT PRIMARY KEY, service_point TEXT NOT NULL, last_seen REAL NOT NULL, version TEXT NOT NULL,
    uptime_s INTEGER, availability TEXT NOT NULL, devices_text TEXT NOT NULL, outbox_pending INTEGER,
    outbox_dead INTEGER, paper_printed_mm INTEGER, paper_roll_mm INTEGER, problems TEXT NOT NULL,
    attention INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fleet_kiosks_attention ON fleet_kiosks (attention, device_id);
CREATE TABLE IF NOT EXISTS fleet_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL, at REAL NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fleet_events_device ON fleet_events (device_id, id);
"""


class Conflict(Exception):
    """The same Idempotency-Key came with a different body."""


@dataclass(frozen=True, slots=True)
class Stored:
    created: bool  # False: the answer of an earlier request with the same key
    row: dict[str, Any]


def digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_service_points(path: Path = SERVICE_POINTS_FILE) -> tuple[dict[str, HelpSettings], dict[str, str], str]:
    """(point id -> settings, device id -> point id, the default point id) from the JSON file."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    points: dict[str, HelpSettings] = {}
    devices: dict[str, str] = {}
    default = ""
    for point in raw["points"]:
        points[point["id"]] = HelpSettings(
            service_point=point["id"], service_point_name=point["name"], duty_phone=point.get("duty_phone", ""),
            periods=tuple(StaffedPeriod(**period) for period in point.get("periods", [])),
        )
        devices.update({device: point["id"] for device in point.get("devices", [])})
        if point.get("default"):
            default = point["id"]
    return points, devices, default or raw["points"][0]["id"]


class HelpStore:
    def __init__(self, db_file: str, clock=time.time) -> None:
        self.clock = clock
        self._db = sqlite3.connect(db_file or ":memory:", check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.Lock()
        with self._lock:
            self._db.executescript(_SCHEMA)
        self.points, self._device_points, self.default_point = load_service_points()
        self._heartbeats_seen = 0

    @classmethod
    def beside(cls, store: Any) -> HelpStore:
        """A HelpStore on the same SQLite file as the sandbox's main store."""
        row = store.db.conn.execute("PRAGMA database_list").fetchone()
        return cls(row[2] if row and row[2] else ":memory:")

    # ---------------------------------------------------------------- service points

    def point_of(self, device_id: str) -> HelpSettings:
        return self.points[self._device_points.get(device_id, self.default_point)]

    def set_point(self, settings: HelpSettings, devices: tuple[str, ...] = ()) -> None:
        """Change a point's hours or phone (the console, and tests); takes effect at the next question."""
        self.points[settings.service_point] = settings
        self._device_points.update({device: settings.service_point for device in devices})

    def staffed_now(self, device_id: str) -> bool:
        return self.point_of(device_id).staffed_at(dt.datetime.fromtimestamp(self.clock()).astimezone())

    # ---------------------------------------------------------------- helpers

    def _query(self, sql: str, args: tuple | list = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(row) for row in self._db.execute(sql, args).fetchall()]

    def _next_number(self, table: str, prefix: str) -> str:
        # The highest number of the day plus one; the caller holds the lock.
        day = dt.datetime.fromtimestamp(self.clock()).strftime("%Y%m%d")
        last = self._db.execute(f"SELECT max(number) FROM {table} WHERE number LIKE ?", [f"{prefix}{day}%"]).fetchone()[0]
        return f"{prefix}{day}{(int(last[-6:]) if last else 0) + 1:06d}"

    def _event(self, device_id: str, text: str) -> None:
        self._db.execute("INSERT INTO fleet_events (device_id, at, text) VALUES (?, ?, ?)", [device_id, self.clock(), text])

    # ---------------------------------------------------------------- assist requests

    def add_assist(self, key: str, device_id: str, screen: str, reason: str) -> Stored:
        body = {"screen": screen, "reason": reason}
        body_digest = digest(body)
        with self._lock:
            old = self._db.execute("SELECT * FROM help_assist WHERE device_id = ? AND idempotency_key = ?",
                                   [device_id, key]).fetchone()
            if old is not None:
                if old["body_digest"] != body_digest:
                    raise Conflict(key)
                return Stored(False, dict(old))
            point = self.point_of(device_id)
            staffed = point.staffed_at(dt.datetime.fromtimestamp(self.clock()).astimezone())
            self._db.execute("BEGIN IMMEDIATE")
            try:
                number = self._next_number("help_assist", "HJ")
                self._db.execute(
                    "INSERT INTO help_assist (number, idempotency_key, body_digest, device_id, service_point, screen,"
                    " reason, created_at, staffed, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
                    [number, key, body_digest, device_id, point.service_point, screen, reason, self.clock(), int(staffed)])
                self._event(device_id, f"呼叫工作人员 {number}（页面：{screen}）")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            row = self._db.execute("SELECT * FROM help_assist WHERE number = ?", [number]).fetchone()
        return Stored(True, dict(row))

    def assist(self, number: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM help_assist WHERE number = ?", [number])
        return rows[0] if rows else None

    def accept_assist(self, number: str, staff: str) -> dict[str, Any] | None:
        """Staff took the request ("接单"). Accepting twice keeps the first person and time."""
        with self._lock:
            row = self._db.execute("SELECT * FROM help_assist WHERE number = ?", [number]).fetchone()
            if row is None:
                return None
            if row["status"] == "open":
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("UPDATE help_assist SET status = 'accepted', accepted_by = ?, accepted_at = ? "
                                 "WHERE number = ?", [staff, self.clock(), number])
                self._event(row["device_id"], f"{staff} 已接单 {number}")
                self._db.execute("COMMIT")
            return dict(self._db.execute("SELECT * FROM help_assist WHERE number = ?", [number]).fetchone())

    def close_assist(self, number: str, staff: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM help_assist WHERE number = ?", [number]).fetchone()
            if row is None:
                return None
            if row["status"] != "closed":
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("UPDATE help_assist SET status = 'closed', closed_at = ?, accepted_by = "
                                 "CASE accepted_by WHEN '' THEN ? ELSE accepted_by END WHERE number = ?",
                                 [self.clock(), staff, number])
                self._event(row["device_id"], f"{staff} 已处理完毕 {number}")
                self._db.execute("COMMIT")
            return dict(self._db.execute("SELECT * FROM help_assist WHERE number = ?", [number]).fetchone())

    def open_assists(self, device_id: str | None = None) -> list[dict[str, Any]]:
        if device_id is None:
            return self._query("SELECT * FROM help_assist WHERE status != 'closed' ORDER BY created_at")
        return self._query("SELECT * FROM help_assist WHERE status != 'closed' AND device_id = ? ORDER BY created_at",
                           [device_id])

    # ---------------------------------------------------------------- complaints (投诉 / 办不成事)

    def add_complaint(self, key: str, device_id: str, body: dict[str, Any]) -> Stored:
        body_digest = digest(body)
        with self._lock:
            old = self._db.execute("SELECT * FROM help_complaints WHERE device_id = ? AND idempotency_key = ?",
                                   [device_id, key]).fetchone()
            if old is not None:
                if old["body_digest"] != body_digest:
                    raise Conflict(key)
                return Stored(False, dict(old))
            now = self.clock()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                number = self._next_number("help_complaints", "TS")
                self._db.execute(
                    "INSERT INTO help_complaints (number, idempotency_key, body_digest, device_id, kind, category,"
                    " item_code, details, callback, callback_phone, created_at, status)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded')",
                    [number, key, body_digest, device_id, body["kind"], body["category"], body.get("item_code", ""),
                     body.get("details", ""), int(bool(body.get("callback"))), body.get("callback_phone", ""), now])
                self._db.execute("INSERT INTO help_complaint_history (number, at, status, note) VALUES (?, ?, ?, ?)",
                                 [number, now, "recorded", "已登记，将在 1 个工作日内转交责任部门"])
                self._event(device_id, f"登记{'办不成事反映' if body['kind'] == 'cannot_do' else '投诉'} {number}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            row = self._db.execute("SELECT * FROM help_complaints WHERE number = ?", [number]).fetchone()
        return Stored(True, dict(row))

    def complaint(self, number: str) -> dict[str, Any] | None:
        rows = self._query("SELECT * FROM help_complaints WHERE number = ?", [number])
        if not rows:
            return None
        history = self._query("SELECT at, status, note FROM help_complaint_history WHERE number = ? ORDER BY rowid",
                              [number])
        return {**rows[0], "history": history}

    def advance_complaint(self, number: str, status: str, note: str) -> bool:
        with self._lock:
            if self._db.execute("SELECT 1 FROM help_complaints WHERE number = ?", [number]).fetchone() is None:
                return False
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("UPDATE help_complaints SET status = ? WHERE number = ?", [status, number])
            self._db.execute("INSERT INTO help_complaint_history (number, at, status, note) VALUES (?, ?, ?, ?)",
                             [number, self.clock(), status, note])
            self._db.execute("COMMIT")
        return True

    def complaints(self, limit: int = 100) -> list[dict[str, Any]]:
        return self._query("SELECT number, device_id, kind, category, item_code, callback, created_at, status "
                           "FROM help_complaints ORDER BY created_at DESC LIMIT ?", [limit])

    # ---------------------------------------------------------------- operator notices

    def add_notice(self, level: str, title: str, body: str, expires_at: float, created_by: str,
                   service_point: str = "", starts_at: float | None = None) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO help_notices (level, title, body, service_point, starts_at, expires_at, created_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [level, title, body, service_point, self.clock() if starts_at is None else starts_at, expires_at,
                 created_by])
            return int(cursor.lastrowid)

    def withdraw_notice(self, notice_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE help_notices SET withdrawn = 1 WHERE id = ?", [notice_id])

    def current_notices(self, device_id: str | None = None) -> list[dict[str, Any]]:
        """Notices in force now, for every point ('') or this kiosk's point; emergencies first."""
        now = self.clock()
        point = self.point_of(device_id).service_point if device_id else None
        rows = self._query("SELECT * FROM help_notices WHERE withdrawn = 0 AND starts_at <= ? AND expires_at > ? "
                           "ORDER BY level = 'emergency' DESC, id DESC", [now, now])
        return [row for row in rows if point is None or row["service_point"] in ("", point)]

    # ---------------------------------------------------------------- fleet

    def observe_heartbeat(self, device_id: str, body: dict[str, Any]) -> None:
        """Keep the kiosk's row for the console, and an event when what it reports changes."""
        summary = summarise(body)
        now = self.clock()
        point = self.point_of(device_id).service_point
        with self._lock:
            old = self._db.execute("SELECT devices_text, problems, last_seen FROM fleet_kiosks WHERE device_id = ?",
                                   [device_id]).fetchone()
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO fleet_kiosks (device_id, service_point, last_seen, version, uptime_s,"
                    " availability, devices_text, outbox_pending, outbox_dead, paper_printed_mm, paper_roll_mm,"
                    " problems, attention, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [device_id, point, now, summary.version, summary.uptime_s, summary.availability,
                     summary.devices_text, summary.outbox_pending, summary.outbox_dead, summary.paper_printed_mm,
                     summary.paper_roll_mm, json.dumps(summary.problems, ensure_ascii=False), int(bool(summary.problems)),
                     json.dumps(body, ensure_ascii=False)])
                problems = json.dumps(summary.problems, ensure_ascii=False)
                if old is None:
                    self._event(device_id, "首次上线")
                elif now - old["last_seen"] > SILENT_AFTER_S:
                    self._event(device_id, f"恢复联系（失联约 {int((now - old['last_seen']) // 60)} 分钟）")
                if old is None or old["devices_text"] != summary.devices_text:
                    self._event(device_id, f"设备：{summary.devices_text or '未上报'}")
                if old is not None and old["problems"] != problems:
                    self._event(device_id, "需处理：" + "、".join(summary.problems) if summary.problems else "问题已消除")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._heartbeats_seen += 1
        if self._heartbeats_seen % PRUNE_EVERY == 0:
            self.prune_events()

    def kiosks(self, attention_only: bool = False, offset: int = 0, limit: int = 100,
               service_point: str = "") -> tuple[list[dict[str, Any]], int]:
        """(rows of one page, total rows matching). "Needs attention": a problem in its heartbeat, silent for
        longer than SILENT_AFTER_S, or an assist request not yet closed. Silent/assist are decided at read
        time, so a kiosk that died needs no heartbeat to turn red."""
        silent_before = self.clock() - SILENT_AFTER_S
        where = ["1 = 1"]
        args: list[Any] = []
        if service_point:
            where.append("k.service_point = ?")
            args.append(service_point)
        # Open assist requests per kiosk, joined once (not a sub-query per row): the list stays fast at 5,000.
        joined = ("fleet_kiosks k LEFT JOIN (SELECT device_id, count(*) AS n FROM help_assist "
                  "WHERE status != 'closed' GROUP BY device_id) a ON a.device_id = k.device_id")
        needs = "(k.attention = 1 OR k.last_seen < ? OR coalesce(a.n, 0) > 0)"
        if attention_only:
            where.append(needs)
            args.append(silent_before)
        condition = " AND ".join(where)
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM {joined} WHERE {condition}", args).fetchone()[0]
            rows = self._db.execute(
                f"SELECT k.device_id, k.service_point, k.last_seen, k.version, k.uptime_s, k.availability,"
                f" k.devices_text, k.outbox_pending, k.outbox_dead, k.paper_printed_mm, k.paper_roll_mm, k.problems,"
                f" coalesce(a.n, 0) AS open_assists, {needs} AS needs_attention"
                f" FROM {joined} WHERE {condition} ORDER BY needs_attention DESC, k.device_id LIMIT ? OFFSET ?",
                [silent_before, *args, limit, offset]).fetchall()
        return [_kiosk_row(dict(row), silent_before) for row in rows], int(total)

    def counts(self) -> dict[str, int]:
        silent_before = self.clock() - SILENT_AFTER_S
        with self._lock:
            row = self._db.execute(
                "SELECT count(*), sum(attention), sum(last_seen < ?) FROM fleet_kiosks", [silent_before]).fetchone()
            assists = self._db.execute("SELECT count(*) FROM help_assist WHERE status != 'closed'").fetchone()[0]
        return {"kiosks": row[0] or 0, "problems": row[1] or 0, "silent": row[2] or 0, "open_assists": assists}

    def kiosk(self, device_id: str) -> dict[str, Any] | None:
        silent_before = self.clock() - SILENT_AFTER_S
        rows = self._query("SELECT * FROM fleet_kiosks WHERE device_id = ?", [device_id])
        if not rows:
            return None
        row = rows[0]
        row["open_assists"] = len(self.open_assists(device_id))
        row["needs_attention"] = bool(row["attention"] or row["last_seen"] < silent_before or row["open_assists"])
        return _kiosk_row(row, silent_before)

    def events(self, device_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return self._query("SELECT at, text FROM fleet_events WHERE device_id = ? ORDER BY id DESC LIMIT ?",
                           [device_id, limit])

    def prune_events(self) -> None:
        """Keep the newest EVENTS_KEPT_PER_KIOSK events of each kiosk (run now and then, not per heartbeat)."""
        with self._lock:
            self._db.execute("DELETE FROM fleet_events WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER "
                             "(PARTITION BY device_id ORDER BY id DESC) AS n FROM fleet_events) WHERE n > ?)",
                             [EVENTS_KEPT_PER_KIOSK])


def _kiosk_row(row: dict[str, Any], silent_before: float) -> dict[str, Any]:
    problems = list(json.loads(row.get("problems") or "[]"))
    if row["last_seen"] < silent_before:
        problems.insert(0, "失联（超过 3 分钟没有心跳）")
    if row.get("open_assists"):
        problems.append(f"{row['open_assists']} 个呼叫待处理")
    row["problem_list"] = problems
    row["needs_attention"] = bool(row.get("needs_attention"))
    return row
