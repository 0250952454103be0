"""Material capture on the document camera (高拍仪), issue #17: how fast pages go through, how big they are,
how long each takes to upload on a village line, and whether the UI stalls while the camera runs.

    .venv/bin/python benchmarks/capture_bench.py            # about a minute; writes benchmarks/results/capture.json
    .venv/bin/python benchmarks/capture_bench.py --ui-seconds 20 --no-ui

1. pipeline: per camera frame (find the outline, stillness) and per page (straighten, clean, JPEG), on the
   demo papers at 1280x720 -> the pages per minute the pipeline itself could do;
2. bytes per page: JPEG and WebP at several qualities of the cleaned greyscale page, and a colour JPEG of the
   same page uncleaned, to show why we send cleaned greyscale JPEG (budget 150 KB);
3. upload per page at a simulated 1 Mbit/s line: the real outbox, sync worker and adapter sending the pages in
   32 KB chunks to the real sandbox on loopback, the chunk sender throttled to the line's rate;
4. the capture screen in the real window (Xvfb): the simulated citizen lays a new paper down every
   (HAND_FRAMES + STILL_FRAMES) frames; pages captured per minute, and the UI frame intervals (max, and how
   many over 33 ms: DESIGN.md's budget), next to two controls in the same window: the home screen, and the
   capture screen with the camera and worker running but no preview drawn. The UI thread's own capture work
   (preview blit, a page's arrival) is timed apart. Under Xvfb the GL is software: every redraw is CPU work.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from devices.doccam import clean, encode_page, find_outline, rectify  # noqa: E402
from devices.doccam.encode import PAGE_BUDGET_BYTES, encode_jpeg  # noqa: E402
from devices.doccam.outline import grey_thumbnail  # noqa: E402
from devices.doccam.papers import DEMO_PAPERS, desk_frame, frame_at  # noqa: E402

LINE_BITS_PER_S = 1_000_000
HTTP_OVERHEAD_BYTES = 700  # request line, signing headers and the answer, per chunk


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def pipeline() -> dict:
    frames = [frame_at(step) for step in range(66)]
    per_frame = []
    for _round in range(3):
        for frame in frames:
            t0 = time.perf_counter()
            find_outline(frame, grey_thumbnail(frame))
            per_frame.append((time.perf_counter() - t0) * 1000)
    per_page = []
    for _round in range(5):
        for paper in range(len(DEMO_PAPERS)):
            frame = desk_frame(paper)
            t0 = time.perf_counter()
            encode_page(clean(rectify(frame, find_outline(frame))))
            per_page.append((time.perf_counter() - t0) * 1000)
    return {"frame_ms_p50": round(statistics.median(per_frame), 2), "frame_ms_p95": round(pct(per_frame, 0.95), 2),
            "page_ms_p50": round(statistics.median(per_page), 1), "page_ms_p95": round(pct(per_page, 0.95), 1),
            "pipeline_pages_per_minute": round(60_000 / statistics.median(per_page))}


def sizes() -> dict:
    rows = []
    for paper in range(len(DEMO_PAPERS)):
        frame = desk_frame(paper)
        outline = find_outline(frame)
        straight = rectify(frame, outline)
        page = clean(straight)
        row = {"paper": DEMO_PAPERS[paper].title, "chosen_bytes": len(encode_page(page).jpeg),
               "colour_uncleaned_jpeg_q80": len(encode_jpeg(straight, 80))}
        for quality in (90, 80, 70, 60, 50):
            row[f"jpeg_q{quality}"] = len(encode_jpeg(page, quality))
            ok, webp = cv2.imencode(".webp", page, [cv2.IMWRITE_WEBP_QUALITY, quality])
            row[f"webp_q{quality}"] = len(webp) if ok else None
        rows.append(row)
    chosen = [r["chosen_bytes"] for r in rows]
    return {"budget_bytes": PAGE_BUDGET_BYTES, "pages": rows, "chosen_bytes_max": max(chosen),
            "chosen_bytes_mean": round(statistics.mean(chosen))}


def upload(pages: list[bytes]) -> dict:
    from kiosk.outbox_adapter import OutboxAdapter
    from kiosk.platform_client import PlatformClient
    from kiosk.sandbox.app import DEMO_DEVICE_SECRET
    from kiosk.sandbox.server import EmbeddedSandbox
    from offline.outbox import Outbox
    from offline.sync import SyncWorker

    work = Path(tempfile.mkdtemp(prefix="capture-bench-"))
    sandbox = EmbeddedSandbox(work / "sandbox.db").start()
    client = PlatformClient(sandbox.url, "KIOSK-BENCH-01", 3, 10, device_secret=DEMO_DEVICE_SECRET)
    adapter = OutboxAdapter(client)
    line_seconds = [0.0]

    def throttled_chunk(entry, index, offset, chunk, total):  # noqa: ANN001, ANN202 - SyncWorker's callable
        t0 = time.perf_counter()
        answer = adapter.deliver_chunk(entry, index, offset, chunk, total)
        wire = (len(chunk) + HTTP_OVERHEAD_BYTES) * 8 / LINE_BITS_PER_S
        time.sleep(max(0.0, wire - (time.perf_counter() - t0)))  # the line, not loopback, sets the pace
        line_seconds[0] += wire
        return answer

    outbox = Outbox(work / "outbox.db", work / "device.key")
    worker = SyncWorker(outbox, adapter.deliver, deliver_chunk=throttled_chunk, chunk_size=32 * 1024)
    timings = []
    try:
        for number, jpeg in enumerate(pages):
            outbox.enqueue("material_image", {"receipt_number": f"ZW-BENCH-{number}", "material_code": "居民户口簿"},
                           images=[jpeg])
            t0 = time.perf_counter()
            while outbox.status().depth:
                worker.sync_once()
            timings.append(time.perf_counter() - t0)
    finally:
        outbox.close()
        client.close()
        sandbox.stop()
    return {"line_mbit_s": LINE_BITS_PER_S / 1e6, "chunk_bytes": 32 * 1024, "pages": len(pages),
            "page_bytes_mean": round(statistics.mean(len(p) for p in pages)),
            "seconds_per_page_mean": round(statistics.mean(timings), 2), "seconds_per_page_max": round(max(timings), 2)}


def ui(seconds: float) -> dict:
    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = Path(tempfile.mkdtemp(prefix="capture-ui-"))
    prepare_kivy_environment(state, (540, 960))
    prepare_window((540, 960), False)
    from kivy.clock import Clock

    from devices.doccam import open_doc_camera
    from kiosk.config import demo_config
    from kiosk.desk.outcomes import ShowConfirm
    from kiosk.runtime import KioskRuntime
    from screens.app import KioskApp
    from screens.pilot import Pilot

    runtime = KioskRuntime(demo_config(state)).start()
    runtime.doc_camera = open_doc_camera("sim://?fps=15")
    app = KioskApp(runtime)
    pilot = Pilot(app).start()
    try:
        pilot.wait_until(lambda: app.catalog_state is not None and app.catalog_state.catalog is not None, "catalog", 60)
        baseline = _frame_gaps(pilot, Clock, seconds / 2)  # the same window, home screen, no capture
        app.desk.apply.choose("GJJ-002")  # 住房公积金租房提取: three materials on paper
        app.session.materials_present = {"居民身份证", "本人名下银行借记卡", "房屋租赁合同"}
        routes = app.capture  # built (and routing the presenter) before the outcome is shown
        app.presenter.show(routes.desk.begin(ShowConfirm()))
        pilot.wait_for_screen("capture")
        # Control: the camera and the worker run, no preview is drawn (what the worker alone costs the UI).
        blit = routes._blit
        routes._blitter.cancel()
        quiet = _frame_gaps(pilot, Clock, seconds / 2)
        # The UI thread's own work for capture: the preview blit and a page's arrival (thumbnails), timed.
        own_ms: list[float] = []

        def timed(function):  # noqa: ANN001, ANN202
            def run(*args):  # noqa: ANN002, ANN202
                t0 = time.perf_counter()
                function(*args)
                own_ms.append((time.perf_counter() - t0) * 1000)
            return run

        page_ms: list[float] = []
        page = routes._page

        def timed_page(*args):  # noqa: ANN002, ANN202
            t0 = time.perf_counter()
            page(*args)
            page_ms.append((time.perf_counter() - t0) * 1000)

        routes._page = timed_page
        routes._blitter = Clock.schedule_interval(timed(blit), 0.1)
        gaps: list[float] = []
        last = [time.perf_counter()]

        def frame(_dt: float) -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        first_pages = len(app.session.pages)
        event = Clock.schedule_interval(frame, 0)
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            pilot.frames(1)
            desk = routes.desk
            if sum(1 for m, _p in app.session.pages if m == desk._materials[desk._current]) >= 10:
                app.capture.next()  # 下一份 before the material's page limit
        elapsed = time.perf_counter() - started
        event.cancel()
        pages = len(app.session.pages) - first_pages
        worker = app.capture._worker
        analysed = worker.frames_analysed if worker else 0
    finally:
        app.end_session()
        pilot.frames(3)
        pilot.stop()
        runtime.doc_camera.stop()
        runtime.stop()
        display.stop()
    gaps_ms = sorted(g * 1000 for g in gaps[1:])
    return {"baseline_home_screen": _gap_summary(baseline), "control_camera_no_preview": _gap_summary(quiet),
            "seconds": round(elapsed, 1), "camera_fps": 15, "frames_analysed": analysed,
            "pages_captured": pages, "pages_per_minute": round(pages * 60 / elapsed, 1),
            "ui_thread_preview_blit_ms_p50": round(statistics.median(own_ms), 1),
            "ui_thread_preview_blit_ms_max": round(max(own_ms), 1),
            "ui_thread_page_arrival_ms_p50": round(statistics.median(page_ms), 1) if page_ms else None,
            "ui_thread_page_arrival_ms_max": round(max(page_ms), 1) if page_ms else None,
            "ui_frames": len(gaps_ms), "ui_frame_ms_median": round(statistics.median(gaps_ms), 1),
            "ui_frame_ms_p99": round(pct(gaps_ms, 0.99), 1), "ui_frame_ms_max": round(gaps_ms[-1], 1),
            "ui_frames_over_33ms": sum(1 for g in gaps_ms if g > 33)}


def _frame_gaps(pilot, clock, seconds: float) -> list[float]:  # noqa: ANN001 - Pilot, kivy Clock
    gaps: list[float] = []
    last = [time.perf_counter()]

    def frame(_dt: float) -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    event = clock.schedule_interval(frame, 0)
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        pilot.frames(1)
    event.cancel()
    return gaps[1:]


def _gap_summary(gaps: list[float]) -> dict:
    gaps_ms = sorted(g * 1000 for g in gaps)
    return {"ui_frames": len(gaps_ms), "ui_frame_ms_median": round(statistics.median(gaps_ms), 1),
            "ui_frame_ms_p99": round(pct(gaps_ms, 0.99), 1), "ui_frame_ms_max": round(gaps_ms[-1], 1),
            "ui_frames_over_33ms": sum(1 for g in gaps_ms if g > 33)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ui-seconds", type=float, default=40.0)
    parser.add_argument("--no-ui", action="store_true", help="skip the real-window part")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "capture.json")
    args = parser.parse_args()
    results: dict = {"machine": {"cpus": __import__("os").cpu_count()}}
    results["pipeline"] = pipeline()
    print("pipeline:", results["pipeline"], flush=True)
    results["bytes_per_page"] = sizes()
    print("bytes per page:", {k: v for k, v in results["bytes_per_page"].items() if k != "pages"}, flush=True)
    for row in results["bytes_per_page"]["pages"]:
        print("  ", row)
    pages = []
    for paper in range(len(DEMO_PAPERS)):
        frame = desk_frame(paper)
        pages.append(encode_page(clean(rectify(frame, find_outline(frame)))).jpeg)
    results["upload_1mbit"] = upload(pages * 2)
    print("upload at 1 Mbit/s:", results["upload_1mbit"], flush=True)
    if not args.no_ui:
        results["capture_screen"] = ui(args.ui_seconds)
        print("capture screen:", results["capture_screen"], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
