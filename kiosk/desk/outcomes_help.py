"""Outcomes of the help journeys (issue #15) the desk answers: a complaint's status found at 进度查询.

Kept apart from kiosk/desk/outcomes.py (the application journeys) so the help area grows on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.desk.outcomes import HistoryStep, Message


@dataclass(frozen=True, slots=True)
class ComplaintStatusView:
    """A complaint or 办不成事 report looked up by its TS… number: what staff did with it, in plain words.
    Public by its number like application progress: no phone, no name, no details the citizen typed."""

    number: str
    heading: Message  # 投诉与反映 办理情况
    number_line: Message  # 登记编号 TS…
    current: Message  # 当前状态：已登记 / 处理中 / 已答复 / 已办结
    tone: str  # info | ok
    explain: Message
    history: tuple[HistoryStep, ...]  # oldest first, with staff's notes
