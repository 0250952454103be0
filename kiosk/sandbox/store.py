"""The sandbox platform's storage: one SQLite file through sqlite-utils."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

DATA_DIR = Path(__file__).with_name("data")


def body_digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: dict


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different body."""


class SandboxStore:
    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=5000")
        self.db = sqlite_utils.Database(connection)
        self._lock = threading.Lock()  # uvicorn serves sync endpoints from a thread pool
        self._create()

    def _create(self) -> None:
        with self._lock:
            self.db["citizens"].create(
                {"id_number": str, "name": str, "phone": str, "credit_ok": int}, pk="id_number", if_not_exists=True
            )
            self.db["applications"].create(
                {"receipt_number": str, "idempotency_key": str, "body_digest": str, "item_code": str,
                 "applicant_id_number": str, "applicant_name": str, "body": str, "status": str,
                 "device_id": str, "created_at": str, "response": str},
                pk="receipt_number", if_not_exists=True,
            )
            self.db["applications"].create_index(["idempotency_key"], unique=True, if_not_exists=True)
            self.db["progress"].create(
                {"receipt_number": str, "at": str, "status": str, "note": str}, if_not_exists=True
            )
            self.db["ratings"].create(
                {"idempotency_key": str, "receipt_number": str, "item_code": str, "level": int, "reasons": str,
                 "callback": int, "device_id": str, "created_at": str},
                pk="idempotency_key", if_not_exists=True,
            )
            self.db["heartbeats"].create(
                {"device_id": str, "received_at": str, "body": str}, pk="device_id", if_not_exists=True
            )
            if not self.db["citizens"].count:
                citizens = json.loads((DATA_DIR / "citizens.json").read_text(encoding="utf-8"))["citizens"]
                self.db["citizens"].insert_all(
                    [{**c, "credit_ok": int(c["credit_ok"])} for c in citizens], pk="id_number"
                )

    def citizen(self, id_number: str) -> dict | None:
        with self._lock:
            rows = list(self.db["citizens"].rows_where("id_number = ?", [id_number]))
        return rows[0] if rows else None

    def _next_receipt_number(self, now: dt.datetime) -> str:
        day = now.strftime("%Y%m%d")
        count = self.db.execute(
            "SELECT count(*) FROM applications WHERE receipt_number LIKE ?", [f"ZW{day}%"]
        ).fetchone()[0]
        return f"ZW{day}{count + 1:06d}"

    def submit_application(self, key: str, body: dict, device_id: str, promised_days: int) -> StoredAnswer:
        digest = body_digest(body)
        now = dt.datetime.now().astimezone()
        with self._lock:
            existing = list(self.db["applications"].rows_where("idempotency_key = ?", [key]))
            if existing:
                if existing[0]["body_digest"] != digest:
                    raise IdempotencyConflict(key)
                return StoredAnswer(200, json.loads(existing[0]["response"]))
            receipt = self._next_receipt_number(now)
            response = {
                "receipt_number": receipt,
                "status": "accepted",
                "accepted_at": now.isoformat(timespec="seconds"),
                "promised_limit_days": promised_days,
            }
            applicant = body.get("applicant", {})
            with self.db.conn:
                self.db["applications"].insert({
                    "receipt_number": receipt, "idempotency_key": key, "body_digest": digest,
                    "item_code": body["item_code"], "applicant_id_number": applicant.get("id_number", ""),
                    "applicant_name": applicant.get("name", ""), "body": json.dumps(body, ensure_ascii=False),
                    "status": "accepted", "device_id": device_id, "created_at": response["accepted_at"],
                    "response": json.dumps(response, ensure_ascii=False),
                })
                self.db["progress"].insert(
                    {"receipt_number": receipt, "at": response["accepted_at"], "status": "accepted", "note": "已受理"}
                )
            return StoredAnswer(201, response)

    def application(self, receipt_number: str) -> dict | None:
        with self._lock:
            rows = list(self.db["applications"].rows_where("receipt_number = ?", [receipt_number]))
            if not rows:
                return None
            history = list(self.db["progress"].rows_where("receipt_number = ?", [receipt_number], order_by="rowid"))
        return {**rows[0], "history": history}

    def add_rating(self, key: str, body: dict, device_id: str) -> StoredAnswer:
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with self._lock:
            if list(self.db["ratings"].rows_where("idempotency_key = ?", [key])):
                return StoredAnswer(200, {"status": "recorded"})
            self.db["ratings"].insert({
                "idempotency_key": key, "receipt_number": body.get("receipt_number") or "",
                "item_code": body["item_code"], "level": body["level"],
                "reasons": json.dumps(body.get("reasons", []), ensure_ascii=False),
                "callback": int(bool(body.get("callback"))), "device_id": device_id, "created_at": now,
            })
        return StoredAnswer(201, {"status": "recorded"})

    def record_heartbeat(self, device_id: str, body: dict) -> None:
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        with self._lock:
            self.db["heartbeats"].upsert(
                {"device_id": device_id, "received_at": now, "body": json.dumps(body, ensure_ascii=False)},
                pk="device_id",
            )
