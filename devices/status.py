"""The status every device reports, read by the UI and by diagnostics."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DeviceState(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # works, but a technician should look (e.g. paper near end)
    FAULT = "fault"  # does not work; the reason says why in words a technician understands


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    state: DeviceState
    reason: str = ""

    @classmethod
    def ok(cls, reason: str = "") -> DeviceStatus:
        return cls(DeviceState.OK, reason)

    @classmethod
    def degraded(cls, reason: str) -> DeviceStatus:
        return cls(DeviceState.DEGRADED, reason)

    @classmethod
    def fault(cls, reason: str) -> DeviceStatus:
        return cls(DeviceState.FAULT, reason)

    @property
    def usable(self) -> bool:
        return self.state is not DeviceState.FAULT

    def __str__(self) -> str:
        return f"{self.state.value}: {self.reason}" if self.reason else self.state.value
