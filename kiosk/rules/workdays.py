"""Working-day arithmetic for deadlines (补交期限). Weekends are skipped; public holidays and the weekend
days worked in their place (调休) change every year, so the caller passes them in when it knows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection


def add_working_days(start: dt.date, days: int, holidays: Collection[dt.date] = (),
                     workdays: Collection[dt.date] = ()) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError(f"working days must not be negative, got {days}")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        is_working = (day.weekday() < 5 and day not in holidays) or day in workdays
        if is_working:
            remaining -= 1
    return day
