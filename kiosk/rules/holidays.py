"""The working-day calendar for every deadline and slot list: the State Council's 放假 and 调休 schedule from
the maintained chinese-calendar package, overridable by the platform (a late notice, a local holiday).

A year the package does not know yet (its data is published each winter) falls back to "weekends only" and is
reported, so ``kiosk diagnose`` can tell a technician to update the package before deadlines go wrong."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from functools import cache

log = logging.getLogger(__name__)


@cache
def known_years() -> tuple[int, int]:
    """First and last year chinese-calendar has the official schedule for."""
    from chinese_calendar import constants

    years = sorted({day.year for day in constants.holidays})
    return years[0], years[-1]


class WorkCalendar:
    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})  # date → True (a working day) / False (a day off)
        self.guessed_years: set[int] = set()  # years counted weekends-only because no schedule was known

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        first, last = known_years()
        if first <= day.year <= last:
            import chinese_calendar

            return bool(chinese_calendar.is_workday(day))
        if day.year not in self.guessed_years:
            self.guessed_years.add(day.year)
            log.warning("working days: no holiday schedule for %s; counting weekends only", day.year)
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        if days < 0:
            raise ValueError(f"working days must not be negative, got {days}")
        day, remaining = start, days
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days(self, start: dt.date, count: int) -> list[dt.date]:
        """The next ``count`` working days from ``start`` (included when it is one): slot lists use them."""
        days, day = [], start
        while len(days) < count:
            if self.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days


def calendar_warning(today: dt.date | None = None, horizon_days: int = 120) -> str | None:
    """For ``kiosk diagnose``: a deadline or slot within ``horizon_days`` falls in a year with no schedule."""
    today = today or dt.date.today()
    last = known_years()[1]
    if (today + dt.timedelta(days=horizon_days)).year <= last:
        return None
    return (f"holiday calendar: the chinese-calendar package knows holidays up to {last}; deadlines after "
            f"{last}-12-31 count weekends only. Fix: update the kiosk software (pip install -U chinese-calendar), "
            "or load the year's schedule from the platform")


DEFAULT_CALENDAR = WorkCalendar()
