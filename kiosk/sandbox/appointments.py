"""Appointments with slots (预约): bookable half-day slots per item and service point, with a capacity, on
working days only (the holiday calendar, kiosk/rules/holidays.py); booking, change and cancel by the verified
person; check-in on arrival by the slip's code, which answers a priority queue ticket.

    GET  /v1/appointments/slots?item_code=&point=        the next working days and what is left in each slot
    POST /v1/appointments                        proof   book {item_code, point, date, slot, id_number, name}
    POST /v1/appointments/change                 proof   {number, id_number, date, slot}
    POST /v1/appointments/cancel                 proof   {number, id_number}
    POST /v1/appointments/mine                   proof   {id_number}: the person's bookings
    POST /v1/appointments/check-in                       {code}: the slip's code -> a priority queue ticket

The check-in code is a random bearer value printed on the slip: it names nobody, and all it can do is give
its holder a queue ticket on the appointment's day. ``AppointmentBook.today`` is the platform's clock for that
day (a test sets it to the booked day, as a citizen arrives on it).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from kiosk.catalog import Catalog
from kiosk.masking import mask_id_number
from kiosk.rules.holidays import DEFAULT_CALENDAR, WorkCalendar
from kiosk.sandbox.identity import ID_PATTERN, NEEDS_PROOF, require_proof
from kiosk.sandbox.problems import ProblemError, problem_responses
from kiosk.sandbox.store import DATA_DIR, SandboxStore

NUMBER = r"^YY[0-9]{8}[0-9]{4}$"


class BookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_code: Annotated[str, Field(pattern=r"^[A-Z]{2,6}-[0-9]{3}$")]
    point: Annotated[str, Field(pattern=r"^[A-Z0-9-]{2,40}$")]
    date: dt.date
    slot: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,8}$")]
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    phone: Annotated[str, Field(max_length=20)] = ""


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: Annotated[str, Field(pattern=NUMBER)]
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]
    date: dt.date
    slot: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,8}$")]


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: Annotated[str, Field(pattern=NUMBER)]
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class MineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class AppointmentBook:
    def __init__(self, store: SandboxStore, catalog: Catalog, calendar: WorkCalendar = DEFAULT_CALENDAR) -> None:
        self.store, self.catalog, self.calendar = store, catalog, calendar
        self.plans: dict[str, dict] = json.loads((DATA_DIR / "appointments.json").read_text(encoding="utf-8"))["items"]
        self.today: Callable[[], dt.date] = dt.date.today
        # Every point the platform has (a kiosk's [kiosk] service_point must name one of them).
        self.points = {p["id"] for p in json.loads((DATA_DIR / "service_points.json").read_text(encoding="utf-8"))
                       ["points"]} | {point for plan in self.plans.values() for point in plan["points"]}
        self._lock = threading.Lock()
        store.db["appointments"].create(
            {"number": str, "item_code": str, "point": str, "date": str, "slot": str, "id_number": str,
             "name": str, "phone": str, "status": str, "code": str, "created_at": str, "ticket": str},
            pk="number", if_not_exists=True,
        )

    # -- slots ------------------------------------------------------------------------------------------
    def plan(self, item_code: str, point: str) -> dict:
        plan = self.plans.get(item_code)
        if point not in self.points:
            raise ProblemError(404, f"there is no service point {point} on this platform; the points are "
                               f"{', '.join(sorted(self.points))}", kind="unknown-point", field="point")
        if plan is None:
            raise ProblemError(404, f"item {item_code} takes no appointments; the items that do: "
                               f"{', '.join(self.plans)}", kind="not-bookable", field="item_code")
        if point not in plan["points"]:
            raise ProblemError(404, f"service point {point} takes no appointments for {item_code}; it is offered at "
                               f"{', '.join(plan['points'])}", kind="not-bookable", field="point")
        return plan

    def days(self, plan: dict) -> list[dt.date]:
        """From the next working day on (a same-day slot is for walk-ins and the queue), working days only."""
        start = self.calendar.add_working_days(self.today(), 1)
        return self.calendar.working_days(start, int(plan["days"]))

    def taken(self, item_code: str, point: str, day: dt.date, slot: str) -> int:
        return self.store.db.execute(
            "SELECT count(*) FROM appointments WHERE item_code = ? AND point = ? AND date = ? AND slot = ? "
            "AND status IN ('booked', 'checked_in')", [item_code, point, day.isoformat(), slot]).fetchone()[0]

    def slots(self, item_code: str, point: str) -> dict:
        plan = self.plan(item_code, point)
        days = [{"date": day.isoformat(), "slots": [
            {**slot, "left": max(0, slot["capacity"] - self.taken(item_code, point, day, slot["id"]))}
            for slot in plan["slots"]]} for day in self.days(plan)]
        return {"item_code": item_code, "point": point, "days": days}

    def _check_slot(self, item_code: str, point: str, day: dt.date, slot_id: str) -> dict:
        plan = self.plan(item_code, point)
        if not self.calendar.is_workday(day):
            raise ProblemError(422, f"{day.isoformat()} is not a working day (weekend or public holiday); "
                               "pick a day from the slot list", kind="not-a-working-day", field="date")
        if day not in self.days(plan):
            raise ProblemError(422, f"{day.isoformat()} is outside the bookable days; pick a day from the slot list",
                               kind="outside-booking-window", field="date")
        slot = next((s for s in plan["slots"] if s["id"] == slot_id), None)
        if slot is None:
            raise ProblemError(422, f"no slot {slot_id}; slots: {', '.join(s['id'] for s in plan['slots'])}",
                               kind="unknown-slot", field="slot")
        if self.taken(item_code, point, day, slot_id) >= slot["capacity"]:
            raise ProblemError(409, f"the {slot['label']} slot of {day.isoformat()} is full; pick another",
                               kind="slot-full", field="slot")
        return slot

    # -- booking ----------------------------------------------------------------------------------------
    def _row(self, number: str) -> dict:
        rows = list(self.store.db["appointments"].rows_where("number = ?", [number]))
        if not rows:
            raise ProblemError(404, f"no appointment {number}; check the number on the slip", kind="not-found")
        return rows[0]

    def _own(self, number: str, id_number: str) -> dict:
        row = self._row(number)
        if row["id_number"] != id_number:
            raise ProblemError(403, f"appointment {number} was made by another person than "
                               f"{mask_id_number(id_number)}; only its own person may change it",
                               kind="not-the-applicant")
        if row["status"] != "booked":
            raise ProblemError(409, f"appointment {number} is {row['status']}; it can no longer change",
                               kind=f"appointment-{row['status']}")
        return row

    def answer(self, row: dict) -> dict:
        plan = self.plans.get(row["item_code"], {"slots": []})
        slot = next((s for s in plan["slots"] if s["id"] == row["slot"]), {"label": row["slot"], "start": "", "end": ""})
        return {"number": row["number"], "item_code": row["item_code"], "point": row["point"], "date": row["date"],
                "slot": row["slot"], "label": slot["label"], "start": slot["start"], "end": slot["end"],
                "status": row["status"], "check_in_code": row["code"]}

    def book(self, body: BookIn) -> dict:
        with self._lock:
            if self.catalog.item(body.item_code).kind != "appointment" and body.item_code not in self.plans:
                raise ProblemError(404, f"item {body.item_code} takes no appointments", kind="not-bookable")
            existing = list(self.store.db["appointments"].rows_where(
                "item_code = ? AND id_number = ? AND status = 'booked'", [body.item_code, body.id_number]))
            if existing:
                raise ProblemError(409, f"this person already has appointment {existing[0]['number']} for "
                                   f"{body.item_code}; change or cancel it instead", kind="already-booked",
                                   number=existing[0]["number"])
            self._check_slot(body.item_code, body.point, body.date, body.slot)
            count = self.store.db.execute("SELECT count(*) FROM appointments WHERE number LIKE ?",
                                          [f"YY{body.date:%Y%m%d}%"]).fetchone()[0]
            row = {"number": f"YY{body.date:%Y%m%d}{count + 1:04d}", "item_code": body.item_code,
                   "point": body.point, "date": body.date.isoformat(), "slot": body.slot,
                   "id_number": body.id_number, "name": body.name, "phone": body.phone, "status": "booked",
                   "code": secrets.token_urlsafe(18),
                   "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "ticket": ""}
            self.store.db["appointments"].insert(row)
        return self.answer(row)

    def change(self, body: ChangeIn) -> dict:
        with self._lock:
            row = self._own(body.number, body.id_number)
            if (row["date"], row["slot"]) != (body.date.isoformat(), body.slot):
                self._check_slot(row["item_code"], row["point"], body.date, body.slot)
            # A new code: a slip printed for the old time no longer checks in.
            self.store.db["appointments"].update(body.number, {"date": body.date.isoformat(), "slot": body.slot,
                                                               "code": secrets.token_urlsafe(18)})
            return self.answer(self._row(body.number))

    def cancel(self, body: CancelIn) -> dict:
        with self._lock:
            self._own(body.number, body.id_number)
            self.store.db["appointments"].update(body.number, {"status": "cancelled"})
            return self.answer(self._row(body.number))

    def mine(self, id_number: str) -> list[dict]:
        rows = self.store.db["appointments"].rows_where("id_number = ? AND status != 'cancelled'", [id_number],
                                                       order_by="date")
        return [self.answer(row) for row in rows]

    def check_in(self, code: str) -> dict:
        with self._lock:
            rows = list(self.store.db["appointments"].rows_where("code = ?", [code]))
            if not rows:
                raise ProblemError(404, "no appointment has this check-in code (changed or cancelled?); take an "
                                   "ordinary ticket or ask at the information desk", kind="not-found")
            row = rows[0]
            if row["status"] == "cancelled":
                raise ProblemError(409, f"appointment {row['number']} was cancelled", kind="appointment-cancelled")
            today = self.today()
            if row["date"] != today.isoformat():
                raise ProblemError(422, f"appointment {row['number']} is for {row['date']}, not today "
                                   f"({today.isoformat()})", kind="not-today", date=row["date"])
            if not row["ticket"]:
                department = self.catalog.item(row["item_code"]).department
                number = self.store.next_ticket("预约:" + department)
                self.store.db["appointments"].update(row["number"], {"status": "checked_in",
                                                                     "ticket": f"Y{number:03d}"})
                row = self._row(row["number"])
            department = self.catalog.item(row["item_code"]).department
        return {**self.answer(row), "check_in_code": "", "ticket": row["ticket"], "department": department,
                "priority": True}


def appointments_router(store: SandboxStore, catalog: Catalog) -> APIRouter:
    book = AppointmentBook(store, catalog)
    router = APIRouter(prefix="/v1", tags=["appointments"])
    # Reachable as app.state.store.appointment_book: its ``today`` is the platform's clock for check-in.
    store.appointment_book = book  # type: ignore[attr-defined]

    @router.get("/appointments/slots", responses=problem_responses(404))
    def slots(item_code: str, point: str) -> dict:
        return book.slots(item_code, point)

    @router.post("/appointments", status_code=201, **NEEDS_PROOF)
    def book_slot(body: BookIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="an appointment")
        return book.book(body)

    @router.post("/appointments/change", **NEEDS_PROOF)
    def change(body: ChangeIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="an appointment change")
        return book.change(body)

    @router.post("/appointments/cancel", **NEEDS_PROOF)
    def cancel(body: CancelIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="an appointment cancellation")
        return book.cancel(body)

    @router.post("/appointments/mine", **NEEDS_PROOF)
    def mine(body: MineIn, request: Request) -> dict:
        require_proof(request, body.id_number, what="the person's appointments")
        return {"appointments": book.mine(body.id_number)}

    @router.post("/appointments/check-in", responses=problem_responses(404, 409, 422))
    def check_in(body: CheckInIn) -> dict:
        return book.check_in(body.code)

    return router
