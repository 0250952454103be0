"""The sandbox platform's storage: one SQLite file through sqlite-utils."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

DATA_DIR = Path(__file__).with_name("data")


def body_digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class MemberPlan:
    """One member of a bundle to record with its own receipt."""

    item_code: str
    promised_days: int
    body: dict


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: dict


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different body."""


def _ensure_columns(table: sqlite_utils.db.Table, columns: dict[str, type]) -> None:
    for name, kind in columns.items():
        if name not in table.columns_dict:
            table.add_column(name, kind)


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
                {"id_number": str, "name": str, "phone": str, "credit_ok": int, "false_commitment": int,
                 "unshared": str},
                pk="id_number", if_not_exists=True,
            )
            self.db["enterprises"].create(
                {"credit_code": str, "name": str, "legal_representative": str}, pk="credit_code", if_not_exists=True
            )
            self.db["applications"].create(
                {"receipt_number": str, "idempotency_key": str, "body_digest": str, "item_code": str,
                 "applicant_id_number": str, "applicant_name": str, "body": str, "status": str,
                 "device_id": str, "created_at": str, "response": str},
                pk="receipt_number", if_not_exists=True,
            )
            self.db["applications"].create_index(["idempotency_key"], unique=True, if_not_exists=True)
            # Columns added for issue #6; a sandbox.db from before gets them on its next start.
            _ensure_columns(self.db["applications"], {
                "bundle_receipt": str, "acceptance": str, "commitment": str, "materials_present": str,
                "result": str, "picked_up_at": str,
            })
            self.db["pickups"].create(
                {"receipt_number": str, "at": str, "device_id": str}, if_not_exists=True
            )
            self.db["idempotent"].create(  # idempotent answers of endpoints other than applications (queries)
                {"idempotency_key": str, "scope": str, "body_digest": str, "response": str},
                pk=("scope", "idempotency_key"), if_not_exists=True,
            )
            self.db["queue"].create(
                {"day": str, "department": str, "last": int}, pk=("day", "department"), if_not_exists=True
            )
            self.db["progress"].create(
                {"receipt_number": str, "at": str, "status": str, "note": str}, if_not_exists=True
            )
            self.db["ratings"].create(
                {"idempotency_key": str, "receipt_number": str, "item_code": str, "level": int, "reasons": str,
                 "callback": int, "device_id": str, "created_at": str},
                pk="idempotency_key", if_not_exists=True,
            )
            # Issue #14: a rating's body digest, so a reused key with another rating is refused (422).
            _ensure_columns(self.db["ratings"], {"body_digest": str})
            self.db["heartbeats"].create(
                {"device_id": str, "received_at": str, "body": str}, pk="device_id", if_not_exists=True
            )
            self._seed()

    def _seed(self) -> None:
        """Demo people and enterprises are fixture data: refreshed from the JSON at every start, so an older
        sandbox.db gets new fields. Demo applications are inserted once and then live their own life."""
        people = json.loads((DATA_DIR / "citizens.json").read_text(encoding="utf-8"))
        self.db["citizens"].upsert_all(
            [{**c, "credit_ok": int(c["credit_ok"]), "false_commitment": int(c.get("false_commitment", False)),
              "unshared": json.dumps(c.get("unshared", []), ensure_ascii=False)} for c in people["citizens"]],
            pk="id_number", alter=True,
        )
        self.db["enterprises"].upsert_all(people.get("enterprises", []), pk="credit_code", alter=True)
        seeds = json.loads((DATA_DIR / "applications.json").read_text(encoding="utf-8"))["applications"]
        with self.db.conn:
            for seed in seeds:
                if list(self.db["applications"].rows_where("receipt_number = ?", [seed["receipt_number"]])):
                    continue
                body = {"item_code": seed["item_code"], "form": seed["form"], "channel": "kiosk",
                        "applicant": {"id_number": seed["applicant_id_number"], "name": seed["applicant_name"]}}
                self.db["applications"].insert({
                    "receipt_number": seed["receipt_number"], "idempotency_key": f"seed-{seed['receipt_number']}",
                    "body_digest": body_digest(body), "item_code": seed["item_code"],
                    "applicant_id_number": seed["applicant_id_number"], "applicant_name": seed["applicant_name"],
                    "body": json.dumps(body, ensure_ascii=False), "status": seed["status"],
                    "device_id": seed["device_id"], "created_at": seed["history"][0][0], "response": "{}",
                    "bundle_receipt": "", "acceptance": "complete", "commitment": "", "materials_present": "[]",
                    "result": json.dumps(seed["result"], ensure_ascii=False) if "result" in seed else "",
                    "picked_up_at": "",
                })
                self.db["progress"].insert_all(
                    [{"receipt_number": seed["receipt_number"], "at": at, "status": status, "note": note}
                     for at, status, note in seed["history"]]
                )

    def citizen(self, id_number: str) -> dict | None:
        with self._lock:
            rows = list(self.db["citizens"].rows_where("id_number = ?", [id_number]))
        if not rows:
            return None
        row = rows[0]
        return {**row, "credit_ok": bool(row["credit_ok"]), "false_commitment": bool(row.get("false_commitment")),
                "unshared": json.loads(row.get("unshared") or "[]")}

    def enterprise(self, credit_code: str) -> dict | None:
        with self._lock:
            rows = list(self.db["enterprises"].rows_where("credit_code = ?", [credit_code]))
        return rows[0] if rows else None

    def _next_receipt_number(self, now: dt.datetime) -> str:
        # The highest number of the day plus one (not a count), so seeded or removed rows never cause a clash.
        day = now.strftime("%Y%m%d")
        last = self.db.execute(
            "SELECT max(receipt_number) FROM applications WHERE receipt_number LIKE ?", [f"ZW{day}%"]
        ).fetchone()[0]
        return f"ZW{day}{(int(last[-6:]) if last else 0) + 1:06d}"

    def _insert_application(self, receipt: str, key: str, digest: str, body: dict, device_id: str, at: str,
                            response: dict, bundle_receipt: str = "", acceptance: str = "complete",
                            commitment: dict | None = None) -> None:
        applicant = body.get("applicant", {})
        self.db["applications"].insert({
            "receipt_number": receipt, "idempotency_key": key, "body_digest": digest,
            "item_code": body["item_code"], "applicant_id_number": applicant.get("id_number", ""),
            "applicant_name": applicant.get("name", ""), "body": json.dumps(body, ensure_ascii=False),
            "status": "accepted", "device_id": device_id, "created_at": at,
            "response": json.dumps(response, ensure_ascii=False), "bundle_receipt": bundle_receipt,
            "acceptance": acceptance, "commitment": json.dumps(commitment, ensure_ascii=False) if commitment else "",
            "materials_present": json.dumps(body.get("materials_present", []), ensure_ascii=False),
            "result": "", "picked_up_at": "",
        })
        note = {"waiver": "已容缺受理，待补交材料", "pledge": "已按告知承诺受理"}.get(acceptance, "已受理")
        self.db["progress"].insert({"receipt_number": receipt, "at": at, "status": "accepted", "note": note})

    def submit_application(self, key: str, body: dict, device_id: str, promised_days: int,
                           members: list[MemberPlan] | None = None, acceptance: str = "complete",
                           commitment: dict | None = None) -> StoredAnswer:
        """Record an application once per Idempotency-Key. A bundle (``members``) gets its own receipt and
        one receipt per member, written under the store's lock. (sqlite-utils commits each insert, so a crash
        between the rows could leave a partial bundle; acceptable for a sandbox, not for a real platform.)"""
        digest = body_digest(body)
        now = _now()
        at = _stamp(now)
        with self._lock:
            existing = list(self.db["applications"].rows_where("idempotency_key = ?", [key]))
            if existing:
                if existing[0]["body_digest"] != digest:
                    raise IdempotencyConflict(key)
                return StoredAnswer(200, json.loads(existing[0]["response"]))
            with self.db.conn:
                receipt = self._next_receipt_number(now)
                response: dict = {"receipt_number": receipt, "status": "accepted", "accepted_at": at,
                                  "promised_limit_days": promised_days, "acceptance": acceptance}
                if commitment:
                    response["commitment"] = commitment
                if members:
                    response["members"] = []
                # The bundle row goes first so the member numbers follow it.
                self._insert_application(receipt, key, digest, body, device_id, at, response, "", acceptance,
                                         commitment)
                for member in members or []:
                    member_receipt = self._next_receipt_number(now)
                    member_answer = {"item_code": member.item_code, "receipt_number": member_receipt,
                                     "promised_limit_days": member.promised_days}
                    response["members"].append(member_answer)
                    self._insert_application(member_receipt, f"{key}/{member.item_code}", body_digest(member.body),
                                             member.body, device_id, at, member_answer, receipt, acceptance,
                                             commitment)
                if members:  # the stored answer of the bundle row now lists its members
                    self.db["applications"].update(receipt, {"response": json.dumps(response, ensure_ascii=False)})
            return StoredAnswer(201, response)

    def members_of(self, bundle_receipt: str) -> list[dict]:
        with self._lock:
            return list(self.db["applications"].rows_where("bundle_receipt = ?", [bundle_receipt],
                                                           order_by="receipt_number"))

    def advance(self, receipt_number: str, status: str, note: str, result: dict | None = None) -> None:
        """Move an application on (the back office's part; used by the seed data and the tests)."""
        at = _stamp(_now())
        with self._lock, self.db.conn:
            update: dict = {"status": status}
            if result is not None:
                update["result"] = json.dumps(result, ensure_ascii=False)
            self.db["applications"].update(receipt_number, update)
            self.db["progress"].insert({"receipt_number": receipt_number, "at": at, "status": status, "note": note})

    def record_pickup(self, receipt_number: str, device_id: str) -> str:
        """Record a collection; the first one moves the application to picked_up. Returns when."""
        at = _stamp(_now())
        with self._lock, self.db.conn:
            self.db["pickups"].insert({"receipt_number": receipt_number, "at": at, "device_id": device_id})
            row = next(self.db["applications"].rows_where("receipt_number = ?", [receipt_number]))
            if row["status"] != "picked_up":
                self.db["applications"].update(receipt_number, {"status": "picked_up", "picked_up_at": at})
                self.db["progress"].insert({"receipt_number": receipt_number, "at": at, "status": "picked_up",
                                            "note": f"申请人已在自助终端 {device_id} 打印领取"})
        return at

    def add_ready_result_locked(self, item_code: str, id_number: str, name: str, key: str, result: dict,
                                device_id: str) -> str:
        """A query the kiosk queued while offline: its result waits for self-service pickup under a receipt
        number. The caller holds the store's lock (it runs inside ``idempotent``'s ``make``)."""
        now = _now()
        at = _stamp(now)
        body = {"item_code": item_code, "applicant": {"id_number": id_number, "name": name}, "channel": "kiosk"}
        with self.db.conn:
            receipt = self._next_receipt_number(now)
            self._insert_application(receipt, f"query-{key}", body_digest(body), body, device_id, at,
                                     {"receipt_number": receipt, "accepted_at": at})
            self.db["applications"].update(receipt, {"status": "ready",
                                                     "result": json.dumps(result, ensure_ascii=False)})
            self.db["progress"].insert({"receipt_number": receipt, "at": at, "status": "ready",
                                        "note": "查询结果已出具，可在自助终端凭本人身份证打印"})
        return receipt

    def idempotent(self, scope: str, key: str, body: dict, make: Callable[[], dict]) -> StoredAnswer:
        """The stored answer for (scope, key), or ``make()`` stored under it. Other body: IdempotencyConflict."""
        digest = body_digest(body)
        with self._lock:
            rows = list(self.db["idempotent"].rows_where("scope = ? AND idempotency_key = ?", [scope, key]))
            if rows:
                if rows[0]["body_digest"] != digest:
                    raise IdempotencyConflict(key)
                return StoredAnswer(200, json.loads(rows[0]["response"]))
            answer = make()
            self.db["idempotent"].insert({"idempotency_key": key, "scope": scope, "body_digest": digest,
                                          "response": json.dumps(answer, ensure_ascii=False)})
        return StoredAnswer(201, answer)

    def next_ticket(self, department: str, now: dt.datetime | None = None) -> int:
        day = (now or _now()).date().isoformat()
        with self._lock, self.db.conn:
            self.db.execute("INSERT INTO queue (day, department, last) VALUES (?, ?, 1) "
                            "ON CONFLICT (day, department) DO UPDATE SET last = last + 1", [day, department])
            return self.db.execute("SELECT last FROM queue WHERE day = ? AND department = ?",
                                   [day, department]).fetchone()[0]

    def application(self, receipt_number: str) -> dict | None:
        with self._lock:
            rows = list(self.db["applications"].rows_where("receipt_number = ?", [receipt_number]))
            if not rows:
                return None
            history = list(self.db["progress"].rows_where("receipt_number = ?", [receipt_number], order_by="rowid"))
        return {**rows[0], "history": history}

    def add_rating(self, key: str, body: dict, device_id: str) -> StoredAnswer:
        """Record a rating once per Idempotency-Key; the same key with another rating: IdempotencyConflict."""
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        digest = body_digest(body)
        with self._lock:
            existing = list(self.db["ratings"].rows_where("idempotency_key = ?", [key]))
            if existing:
                if (existing[0].get("body_digest") or digest) != digest:
                    raise IdempotencyConflict(key)
                return StoredAnswer(200, {"status": "recorded"})
            self.db["ratings"].insert({
                "body_digest": digest,
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
