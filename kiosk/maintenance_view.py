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


def diagnostics_text(runtime: Any) -> str:
    """The status page: every device, the platform, the outbox, disk and memory, version and uptime."""
    from kiosk.diagnostics import collect_from_runtime

    report = collect_from_runtime(runtime)
    lines: list[str] = []
    verdict = translate("maintenance.healthy") if report.healthy else translate("maintenance.unhealthy")
    lines.append(f"[b]{verdict}[/b]")
    lines += [f"· {reason}" for reason in report.problems]
    lines.append("")
    lines.append(f"[b]{translate('maintenance.devices')}[/b]")
    for device in report.devices:
        colour = _STATE_COLOURS.get(device.state, "000000")
        required = translate("maintenance.required") if device.required else ""
        reason = f" — {device.reason}" if device.reason else ""
        lines.append(f"{device.name} {required}: [color={colour}][b]{device.state}[/b][/color]{reason}  ({device.url})")
    lines.append("")
    lines.append(f"[b]{translate('maintenance.platform')}[/b]")
    lines.append(report.platform_line())
    lines.append("")
    lines.append(f"[b]{translate('maintenance.outbox')}[/b]")
    lines.append(report.outbox_line())
    lines.append("")
    lines.append(f"[b]{translate('maintenance.system')}[/b]")
    lines.append(report.system_line())
    return "\n".join(lines)


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
