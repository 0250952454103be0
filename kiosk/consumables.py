"""Consumables: paper counted from the ESC/POS bytes actually sent, other items (lamp hours …) from the config.

Paper: the printed length since the last "换纸" (maintenance) is the sum, over every job sent to the printer,
of the paper each command moves: a text line advances by the line spacing (or the glyph height when taller),
ESC d / ESC J feeds, raster rows (GS v 0), QR symbols (modules x module size), barcodes (GS h height) and the
cutter feed. At 8 dots per mm (203 dpi heads) that is dots / 8 mm. The console warns at 85 % of the roll,
before the printer's near-end sensor (which on many clones trips only 1-2 m before the end, or never).

The counter lives in ``<state_dir>/consumables.json`` (written atomically), so a restart keeps it.
``heartbeat_part()`` is what the heartbeat carries under "consumables" (kiosk/sandbox/fleet_status.py reads it).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

DOTS_PER_MM = 8  # 203 dpi thermal heads (every profile in kiosk/printing/profiles.py)
DEFAULT_ROLL_MM = 50_000  # a common 80 mm x 50 m roll; set [consumables] paper_roll_m for other rolls
STATE_FILE = "consumables.json"
_LINE_SPACING = 32  # ESC 2 default, as the virtual printer (devices/printer/interpreter.py) uses
_GLYPH_HEIGHT = 24  # font A and the 24x24 Chinese font
_CUT_FEED = 24  # paper moved past the cutter per cut
_ESC, _GS, _FS, _DLE = 0x1B, 0x1D, 0x1C, 0x10
# Byte-mode QR capacity per version 1-10 and error correction level (ISO/IEC 18004 table 7).
_QR_CAPACITY = {
    "L": (17, 32, 53, 78, 106, 134, 154, 192, 230, 271), "M": (14, 26, 42, 62, 84, 106, 122, 152, 180, 213),
    "Q": (11, 20, 32, 46, 60, 74, 86, 108, 130, 151), "H": (7, 14, 24, 34, 44, 58, 64, 84, 98, 119),
}
_ESC_ARGS = {ord("@"): 0, ord("2"): 0, ord("c"): 2, ord("p"): 3, ord("$"): 2, ord("\\"): 2}
_GS_ARGS = {ord("L"): 2, ord("W"): 2, ord("P"): 2}
_FS_ARGS = {ord("&"): 0, ord("."): 0, ord("S"): 2, ord("p"): 2}


def _qr_modules(data_length: int, level: str) -> int:
    for version, capacity in enumerate(_QR_CAPACITY.get(level, _QR_CAPACITY["M"]), start=1):
        if data_length <= capacity:
            return 17 + 4 * version
    return 17 + 4 * 12  # longer data than our slips ever carry: a version-12 symbol is a fair estimate


def paper_dots(data: bytes) -> int:
    """Paper moved by one ESC/POS job, in dots (8 per mm). Unknown commands move nothing."""
    dots = 0
    spacing = _LINE_SPACING
    height = 1  # character height multiplier (ESC ! / GS !)
    line_height = 0  # tallest glyph on the line being built; 0 = empty line
    bar_height, hri = 162, 0
    qr_module, qr_level, qr_length = 3, "M", 0
    i, n = 0, len(data)

    def end_line(feed_empty: bool) -> int:
        if line_height:
            return max(spacing, line_height + 6)
        return spacing if feed_empty else 0

    while i < n:
        b = data[i]
        arg = data[i + 2] if i + 2 < n else 0
        if b == 0x0A:
            dots += end_line(True)
            line_height = 0
            i += 1
        elif b == _ESC and i + 1 < n:
            c = data[i + 1]
            if c == ord("@"):
                dots += end_line(False)
                line_height, spacing, height = 0, _LINE_SPACING, 1
            elif c == ord("2"):
                spacing = _LINE_SPACING
            elif c == ord("3"):
                spacing = arg
            elif c == ord("!"):
                height = 2 if arg & 0x10 else 1
            elif c == ord("d"):
                had_text = bool(line_height)
                dots += end_line(False) + spacing * (arg - 1 if had_text else arg)
                line_height = 0
            elif c == ord("J"):
                dots += end_line(False) + arg
                line_height = 0
            i += 2 + _ESC_ARGS.get(c, 1)
        elif b == _GS and i + 1 < n:
            c = data[i + 1]
            if c == ord("!"):
                height = (arg & 7) + 1
                i += 3
            elif c == ord("(") and i + 4 < n:
                length = data[i + 3] | data[i + 4] << 8
                body = data[i + 5:i + 5 + length]
                if data[i + 2] == ord("k") and len(body) >= 3 and body[0] == 49:
                    fn = body[1]
                    if fn == 67:
                        qr_module = max(1, min(body[2], 16))
                    elif fn == 69:
                        qr_level = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(body[2], "M")
                    elif fn == 80:
                        qr_length = len(body) - 3
                    elif fn == 81 and qr_length:
                        dots += end_line(False) + _qr_modules(qr_length, qr_level) * qr_module
                        line_height = 0
                i += 5 + length
            elif c == ord("v") and arg in (0, 48) and i + 7 < n:
                m, xbytes, rows = data[i + 3], data[i + 4] | data[i + 5] << 8, data[i + 6] | data[i + 7] << 8
                dots += end_line(False) + rows * (2 if m & 2 else 1)
                line_height = 0
                i += 8 + xbytes * rows
            elif c == ord("k"):
                dots += end_line(False) + bar_height + (28 if hri in (2, 3, 50, 51) else 0)
                line_height = 0
                if arg <= 6:
                    end = data.find(b"\0", i + 3)
                    i = n if end < 0 else end + 1
                else:
                    i += 4 + (data[i + 3] if i + 3 < n else 0)
            elif c == ord("V"):
                feed = data[i + 3] if arg >= 65 and i + 3 < n else 0
                dots += end_line(False) + _CUT_FEED + feed
                line_height = 0
                i += 4 if arg >= 65 else 3
            else:
                if c == ord("h"):
                    bar_height = arg or 162
                elif c == ord("H"):
                    hri = arg
                i += 2 + _GS_ARGS.get(c, 1)
        elif b == _FS and i + 1 < n:
            i += 2 + _FS_ARGS.get(data[i + 1], 1)
        elif b == _DLE and i + 2 < n and data[i + 1] == 0x04:
            i += 3
        elif b == _DLE and i + 2 < n and data[i + 1] == 0x14 and data[i + 2] == 0x08:
            i += 10
        else:
            if b >= 0x20:
                line_height = max(line_height, _GLYPH_HEIGHT * height)
            i += 1
    return dots + end_line(False)


class ConsumableSpec(BaseModel):
    """One item the config lists besides paper, e.g. the document camera's lamp:
    ``{name = "文档摄像头灯", unit = "小时", limit = 5000}``. The code that uses it calls ``add(name, amount)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, Field(min_length=1, max_length=20)]
    unit: Annotated[str, Field(max_length=8)] = ""
    limit: Annotated[float, Field(gt=0)]


class Consumables:
    """The paper counter and the other items' counters, kept in ``<state_dir>/consumables.json``."""

    def __init__(self, state_dir: Path, roll_mm: int = DEFAULT_ROLL_MM, items: tuple[ConsumableSpec, ...] = (),
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(state_dir) / STATE_FILE
        self.roll_mm = roll_mm
        self.items = {spec.name: spec for spec in items}
        self.clock = clock
        self._lock = threading.Lock()
        self._state = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
            return {"paper_dots": int(state.get("paper_dots", 0)), "paper_changed_at": state.get("paper_changed_at"),
                    "used": {str(k): float(v) for k, v in (state.get("used") or {}).items()}}
        except FileNotFoundError:
            return {"paper_dots": 0, "paper_changed_at": None, "used": {}}
        except (ValueError, TypeError, AttributeError) as error:
            log.error("consumables %s: unreadable (%s); counting from zero, record a paper change to be exact",
                      self.path, error)
            return {"paper_dots": 0, "paper_changed_at": None, "used": {}}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._state, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)

    def count_job(self, data: bytes) -> int:
        """Add one print job's paper (the bytes sent to the printer); returns its length in mm."""
        dots = paper_dots(data)
        with self._lock:
            self._state["paper_dots"] += dots
            self._save()
        return dots // DOTS_PER_MM

    def paper_changed(self) -> None:
        """换纸: a new roll is in; the count starts again."""
        with self._lock:
            self._state["paper_dots"] = 0
            self._state["paper_changed_at"] = self.clock()
            self._save()
        log.info("paper change recorded; paper counter reset")

    def add(self, name: str, amount: float) -> None:
        if name not in self.items:
            raise KeyError(f"consumable {name!r} is not in the config ([consumables] items)")
        with self._lock:
            self._state["used"][name] = self._state["used"].get(name, 0.0) + amount
            self._save()

    def replaced(self, name: str) -> None:
        with self._lock:
            self._state["used"][name] = 0.0
            self._save()

    @property
    def paper_printed_mm(self) -> int:
        with self._lock:
            return self._state["paper_dots"] // DOTS_PER_MM

    def paper_fraction_left(self) -> float:
        return max(0.0, 1.0 - self.paper_printed_mm / self.roll_mm) if self.roll_mm else 1.0

    def heartbeat_part(self) -> dict[str, Any]:
        """``{"paper": {"printed_mm", "roll_mm", "changed_at"}, "items": [{"name", "unit", "used", "limit"}]}``"""
        with self._lock:
            used = dict(self._state["used"])
            paper = {"printed_mm": self._state["paper_dots"] // DOTS_PER_MM, "roll_mm": self.roll_mm,
                     "changed_at": self._state["paper_changed_at"]}
        items = [{"name": s.name, "unit": s.unit, "used": round(used.get(s.name, 0.0), 1), "limit": s.limit}
                 for s in self.items.values()]
        return {"paper": paper, "items": items}
