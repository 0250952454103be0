"""What the maintenance screen shows and does, without Kivy: every call here runs on a worker thread."""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any

from kiosk.i18n import translate
from kiosk.masking import mask_id_number

log = logging.getLogger(__name__)
_STATE_COLOURS = {"ok": "1a8545", "degraded": "c77a12", "fault": "c82121", "disabled": "5c6675"}

# Device reasons come from the drivers in English (with the technician's raw detail); village staff read the
# fault and the fix in plain words instead (help.maint.what.* / help.maint.fix.*). First matching keyword wins;
# the raw reason stays under 技术详情.
_FIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "printer": (("cover", "printer_cover"), ("nearly used up", "printer_near_end"), ("paper", "printer_paper_out"), ("cutter", "printer_cutter"), ("too hot", "printer_hot"), ("does not answer", "printer_no_answer"), ("not found", "printer_not_found"), ("offline", "printer_offline")),
    "idreader": (("cannot open", "reader_cannot_open"), ("no answer", "reader_no_answer"), ("checksum", "reader_checksum"), ("truncated", "reader_truncated"), ("garbled", "reader_garbled"), ("lost", "reader_lost")),
    "camera": (("frame", "camera_frame"), ("stall", "camera_stall"), ("cannot open", "camera_cannot_open")),
    "scanner": (("lost", "scanner_lost"), ("cannot open", "scanner_cannot_open")),
}


def _m(key: str, **values: object) -> str:
    return translate(f"help.maint.{key}", **values)


def device_words(name: str, state: str, reason: str) -> tuple[str, str]:
    """(what is wrong, what to do) in plain words for one device; ("", "") when it is fine or disabled."""
    if state in ("ok", "disabled"):
        return "", ""
    lowered = reason.lower()
    for keyword, key in _FIXES.get(name, ()):
        if keyword in lowered:
            return _m(f"what.{key}"), _m(f"fix.{key}")
    return _m("generic_what", device=_m(f"device.{name}"), state=_m(f"state.{state}")), _m("generic_fix")


def _duration_words(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 3600:
        return _m("minutes", minutes=max(1, seconds // 60))
    if seconds < 86400:
        return _m("hours", hours=seconds // 3600, minutes=seconds % 3600 // 60)
    return _m("days", days=seconds // 86400, hours=seconds % 86400 // 3600)


def _size_words(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1024**3:.1f} GB" if value >= 1024**3 else f"{value / 1024**2:.0f} MB"


def _paper_line(runtime: Any) -> str:
    consumables = _consumables(runtime)
    if consumables is None:
        return ""
    printed = consumables.paper_printed_mm
    return translate("help.consumables.paper_level", metres=f"{printed / 1000:.1f}",
                     percent=round(consumables.paper_fraction_left() * 100))


def summary_text(report: Any, paper_line: str = "") -> str:
    """The status page in plain words: verdict, each device with its fault and fix, platform, queue, disk."""
    lines: list[str] = []
    verdict = translate("maintenance.healthy") if report.healthy else translate("maintenance.unhealthy")
    lines += [f"[b]{verdict}[/b]", "", f"[b]{translate('maintenance.devices')}[/b]"]
    for device in report.devices:
        colour = _STATE_COLOURS.get(device.state, "000000")
        required = translate("maintenance.required") if device.required else ""
        lines.append(f"{_m(f'device.{device.name}')}{required}："
                     f"[color={colour}][b]{_m(f'state.{device.state}')}[/b][/color]")
        what, fix = device_words(device.name, device.state, device.reason)
        if what:
            lines += ["    " + _m("problem", text=what), "    " + _m("fix_line", text=fix)]
    if paper_line:
        lines.append(_m("paper", text=paper_line))
    lines += ["", f"[b]{translate('maintenance.platform')}[/b]"]
    platform = report.platform
    if platform.reachable is False:
        lines.append(_m("platform_down"))
    elif platform.reachable is None:
        lines.append(_m("platform_unchecked"))
    else:
        lines.append(_m("platform_rtt", ms=f"{platform.rtt_ms:.0f}") if platform.rtt_ms is not None
                     else _m("platform_ok"))
    if platform.clock_skew_s is not None and abs(platform.clock_skew_s) > 60:
        lines.append(_m("clock_skew", seconds=f"{abs(platform.clock_skew_s):.0f}"))
    lines += ["", f"[b]{translate('maintenance.outbox')}[/b]"]
    outbox = report.outbox
    if not outbox.available:
        lines.append(_m("outbox_unreadable"))
    else:
        waiting = outbox.pending + outbox.sending
        lines.append(_m("outbox_oldest", count=waiting, age=_duration_words(outbox.oldest_pending_age_s))
                     if waiting else _m("outbox_waiting", count=0))
        if outbox.dead:
            lines.append(_m("outbox_dead", count=outbox.dead))
    system = report.system
    lines += ["", f"[b]{translate('maintenance.system')}[/b]",
              _m("system", disk=_size_words(system.disk_free_bytes), uptime=_duration_words(system.uptime_s),
                 version=system.version)]
    return "\n".join(lines)


def technical_text(report: Any) -> str:
    """技术详情: the raw lines a remote technician asks for (URLs, driver reasons, DLE EOT bits, paths)."""
    lines = [f"device {report.device_id}  collected {report.collected_at}  config {report.config}"]
    lines += [f"problem: {p}" for p in report.problems]
    lines += [f"warning: {w}" for w in report.warnings]
    for device in report.devices:
        lines.append(f"{device.name} ({device.url}): {device.state} {device.reason}".rstrip())
    lines += [f"platform: {report.platform_line()}", f"outbox: {report.outbox_line()}",
              f"system: {report.system_line()}"]
    return "\n".join(lines)


def diagnostics_text(runtime: Any) -> str:
    """The status page in plain words (runs on a worker thread)."""
    from kiosk.diagnostics import collect_from_runtime

    return summary_text(collect_from_runtime(runtime), _paper_line(runtime))


def technical_details(runtime: Any) -> str:
    """The 技术详情 fold (runs on a worker thread)."""
    from kiosk.diagnostics import collect_from_runtime

    return technical_text(collect_from_runtime(runtime))


def _consumables(runtime: Any) -> Any:
    """The runtime's paper counter, or one on the same state file when the runtime does not hold one."""
    from kiosk.consumables import Consumables

    held = getattr(runtime, "consumables", None)
    if held is not None:
        return held
    state_dir = getattr(getattr(getattr(runtime, "config", None), "kiosk", None), "state_dir", None)
    return Consumables(state_dir) if state_dir is not None else None


def _wait_print(runtime: Any, session_id: str, document: Any) -> Any:
    done = threading.Event()
    results: list[Any] = []

    def on_done(result: Any) -> None:
        results.append(result)
        done.set()

    runtime.print_document(session_id, document, on_done)
    if not done.wait(30):
        return None
    return results[0]


def run_action(runtime: Any, name: str, session_id: str) -> str:
    """Run one maintenance action and say what happened, in words for the technician."""
    if name == "test_page":
        from kiosk.printing.documents import test_page
        from kiosk.printing.profiles import get_profile

        profile = get_profile(runtime.config.devices.printer_profile)
        result = _wait_print(runtime, session_id, test_page(profile, printer_url=runtime.config.devices.printer))
        if result is None:
            return translate("maintenance.result.print_timeout")
        if result.ok:
            return translate("maintenance.result.printed", size=len(result.data))
        return f"{translate(result.reason_key)} ({result.device_status})"
    if name == "read_card":
        if runtime.id_reader is None:
            return translate("maintenance.result.no_reader")
        card = runtime.wait_for_card(timeout=10.0)
        if card is None:
            return translate("maintenance.result.no_card", status=str(runtime.id_reader.status))
        return translate("maintenance.result.card", id=mask_id_number(card.id_number))
    if name == "reload_catalog":
        state = runtime.refresh_catalog()
        if state.catalog is None:
            return translate("maintenance.result.catalog_failed", error=state.error or "")
        return translate("maintenance.result.catalog", count=len(state.catalog.items), version=state.catalog.version,
                         source=translate("maintenance.cached") if state.from_cache else translate("maintenance.online"))
    if name == "paper_changed":
        consumables = _consumables(runtime)
        if consumables is None:
            return translate("maintenance.result.unknown", name=name)
        consumables.paper_changed()
        return translate("help.consumables.paper_reset")
    if name == "sync":
        return runtime.force_sync()
    if name == "retry_dead":
        return runtime.retry_dead()
    if name == "export_logs":
        return runtime.export_logs()
    return translate("maintenance.result.unknown", name=name)


def restart_process() -> None:
    """Replace this process with a fresh copy of itself (under systemd, Restart=always would do it too)."""
    logging.shutdown()
    os.execv(sys.executable, [sys.executable, *sys.argv])


PREVIEW_WIDTH = 640


def annotated_preview(runtime: Any) -> tuple[int, int, bytes, list[str]] | None:
    """The camera's newest frame, scaled to the preview size, with every decoded code outlined and labelled.
    Returns (width, height, RGB bytes bottom-up for a texture, code descriptions) or None without a frame.
    Runs on a worker thread: decoding a frame is far too slow for the UI thread."""
    import cv2
    import numpy as np

    from devices.decode.pipeline import DecodePipeline

    if runtime.camera is None:
        return None
    latest = runtime.camera.latest()
    if latest is None:
        return None
    frame = latest[1].copy()
    detections = DecodePipeline().decode(frame)
    texts = []
    for detection in detections:
        points = np.array(detection.polygon, dtype=np.int32).reshape(-1, 1, 2)
        cv2.polylines(frame, [points], isClosed=True, color=(0, 200, 0), thickness=6)
        # Payloads may be identity tokens or ID numbers: show only their first characters.
        label = f"{detection.format}: {detection.text[:8]}..."
        texts.append(label)
        x, y = int(points[:, 0, 0].min()), int(points[:, 0, 1].min())
        cv2.putText(frame, label, (x, max(30, y - 12)), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 200, 0), 3)
    scale = PREVIEW_WIDTH / frame.shape[1]
    small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(cv2.flip(small, 0), cv2.COLOR_BGR2RGB)  # textures are bottom-up
    return rgb.shape[1], rgb.shape[0], rgb.tobytes(), texts
