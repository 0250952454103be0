"""What the fleet console says about a kiosk, from its newest heartbeat: device states in words, paper, and
the reasons it "needs attention". Pure functions (no storage, no HTTP), so the rules are testable alone.

Heartbeat fields read here (kiosk.health.heartbeat_body plus kiosk.consumables.heartbeat_part):
    devices {name: {state ok|degraded|fault|disabled, reason, required}}, availability, versions.kiosk,
    uptime_s, outbox {pending, dead, oldest_pending_age_s}, consumables {paper {printed_mm, roll_mm}, items [...]}
Everything is optional: an older kiosk's heartbeat still shows, with "未上报" where a field is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HEARTBEAT_EXPECTED_S = 60  # kiosks send one a minute when nothing changes
SILENT_AFTER_S = 3 * HEARTBEAT_EXPECTED_S  # three missed heartbeats: the kiosk is offline or dead
PAPER_WARN_FRACTION = 0.85  # warn before the near-end sensor does
OUTBOX_BACKLOG_WARN = 50

DEVICE_NAMES = {"printer": "打印机", "camera": "摄像头", "doc_camera": "高拍仪", "idreader": "身份证读卡器",
                "scanner": "扫码器"}
STATE_WORDS = {"ok": "正常", "degraded": "部分可用", "fault": "故障", "disabled": "未启用"}
AVAILABILITY_WORDS = {"available": "全部服务可用", "limited": "部分服务暂停", "unavailable": "暂停服务"}


@dataclass(frozen=True, slots=True)
class KioskSummary:
    """One kiosk's row, flattened for storage and the list page (no personal data: a heartbeat has none)."""

    version: str
    uptime_s: int | None
    availability: str
    devices_text: str  # e.g. "打印机 故障；摄像头 正常"
    outbox_pending: int | None
    outbox_dead: int | None
    paper_printed_mm: int | None
    paper_roll_mm: int | None
    problems: tuple[str, ...]  # from the heartbeat itself; silence and assist requests are added at read time


def device_words(name: str, state: str) -> str:
    return f"{DEVICE_NAMES.get(name, name)} {STATE_WORDS.get(state, state)}"


def summarise(body: dict[str, Any]) -> KioskSummary:
    devices = body.get("devices") or {}
    problems: list[str] = []
    words = []
    for name, device in sorted(devices.items()):
        state = str((device or {}).get("state", ""))
        words.append(device_words(name, state))
        if state == "fault":
            problems.append(f"{DEVICE_NAMES.get(name, name)}故障")
        elif state == "degraded":
            problems.append(f"{DEVICE_NAMES.get(name, name)}部分可用")
    outbox = body.get("outbox") or {}
    pending, dead = _int(outbox.get("pending")), _int(outbox.get("dead"))
    if dead:
        problems.append(f"{dead} 笔待传数据被平台拒收")
    if pending is not None and pending >= OUTBOX_BACKLOG_WARN:
        problems.append(f"待上传积压 {pending} 笔")
    paper = ((body.get("consumables") or {}).get("paper")) or {}
    printed, roll = _int(paper.get("printed_mm")), _int(paper.get("roll_mm"))
    if printed is not None and roll and printed >= PAPER_WARN_FRACTION * roll:
        problems.append(f"打印纸将用完（已用 {printed / roll:.0%}）")
    for item in (body.get("consumables") or {}).get("items") or []:
        used, limit = item.get("used"), item.get("limit")
        if isinstance(used, int | float) and isinstance(limit, int | float) and limit and used >= limit:
            problems.append(f"{item.get('name', '耗材')}需更换")
    availability = str(body.get("availability") or "")
    if availability and availability != "available" and not problems:
        problems.append(AVAILABILITY_WORDS.get(availability, availability))
    return KioskSummary(
        version=str((body.get("versions") or {}).get("kiosk") or body.get("version") or ""),
        uptime_s=_int(body.get("uptime_s")),
        availability=availability,
        devices_text="；".join(words),
        outbox_pending=pending,
        outbox_dead=dead,
        paper_printed_mm=printed,
        paper_roll_mm=roll,
        problems=tuple(problems),
    )


def paper_words(printed_mm: int | None, roll_mm: int | None) -> str:
    if printed_mm is None:
        return "未上报"
    if not roll_mm:
        return f"换纸后已打印 {printed_mm / 1000:.1f} 米"
    left = max(0.0, 1 - printed_mm / roll_mm)
    return f"约剩 {left:.0%}（换纸后已打印 {printed_mm / 1000:.1f} 米，整卷 {roll_mm / 1000:.0f} 米）"


def uptime_words(seconds: int | None) -> str:
    if seconds is None:
        return "未上报"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {minutes} 分"
    return f"{minutes} 分钟"


def ago_words(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} 秒前"
    if seconds < 3600:
        return f"{seconds // 60} 分钟前"
    if seconds < 86400:
        return f"{seconds // 3600} 小时前"
    return f"{seconds // 86400} 天前"


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
