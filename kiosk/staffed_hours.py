"""Staffed hours of a service point and its duty phone: when a call for help can reach a person.

Pure and shared: the kiosk decides "已通知工作人员" vs "现在无人值守：请拨打 …" with it (even offline, from the
copy it cached), and the platform (the sandbox) answers the same question for the same point.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

CITIZEN_HOTLINE = "12345"  # 12345 政务服务便民热线: answered around the clock everywhere in China


class StaffedPeriod(BaseModel):
    """Staff are on duty on these ISO weekdays (1 = Monday … 7 = Sunday) from ``start`` to ``end``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    weekdays: tuple[Annotated[int, Field(ge=1, le=7)], ...]
    start: dt.time
    end: dt.time

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.time, info) -> dt.time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise ValueError(f"end {end} must be after start {start} (a period does not cross midnight)")
        return end

    def covers(self, moment: dt.datetime) -> bool:
        return moment.isoweekday() in self.weekdays and self.start <= moment.time() < self.end


class HelpSettings(BaseModel):
    """What a kiosk needs to be honest about help: its service point, the hours and the duty phone."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    service_point: str = ""
    service_point_name: str = ""
    duty_phone: str = ""  # the station's own duty number, printed on the slip; may be empty
    periods: tuple[StaffedPeriod, ...] = ()
    holidays: tuple[dt.date, ...] = ()  # days without staff although the weekday says otherwise

    def staffed_at(self, moment: dt.datetime) -> bool:
        if moment.date() in self.holidays:
            return False
        return any(period.covers(moment) for period in self.periods)

    def phone_line(self) -> str:
        """"12345 或 0371-…" — the numbers to call when nobody is on duty."""
        return f"{CITIZEN_HOTLINE} 或 {self.duty_phone}" if self.duty_phone else CITIZEN_HOTLINE


def office_hours(duty_phone: str = "", service_point: str = "", name: str = "") -> HelpSettings:
    """Typical hours of a service centre: Monday to Friday 08:30-12:00 and 14:30-17:30 (the fallback when
    neither the config nor the platform said otherwise)."""
    weekdays = (1, 2, 3, 4, 5)
    return HelpSettings(
        service_point=service_point, service_point_name=name, duty_phone=duty_phone,
        periods=(StaffedPeriod(weekdays=weekdays, start=dt.time(8, 30), end=dt.time(12, 0)),
                 StaffedPeriod(weekdays=weekdays, start=dt.time(14, 30), end=dt.time(17, 30))),
    )
