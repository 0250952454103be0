"""UI thread stalls and memory across many sessions, with the camera decoding, the printer printing and the
outbox syncing at the same time.

Budgets (DESIGN.md): the UI thread never stalls longer than 33 ms while scanning, printing and syncing at
once; RSS flat (under 5 MB growth) across 1,000 simulated sessions. Each session is what a citizen does
at the kiosk: browse, open a guide, identify by typing, tick materials, submit, print, rate, leave — driven by
real touches through the real window (Xvfb), against the embedded sandbox.

    .venv/bin/python benchmarks/ui_soak.py [--sessions 1000]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = Path(tempfile.mkdtemp(prefix="ui-soak-"))
    prepare_kivy_environment(state, (540, 960))
    prepare_window((540, 960), False)
    from kivy.clock import Clock

    from screens.app import KioskApp
    from kiosk.config import demo_config
    from kiosk.demo_codes import qr_image
    from kiosk.i18n import translate as _
    from kiosk.runtime import KioskRuntime
    from screens.pilot import Pilot

    runtime = KioskRuntime(demo_config(state)).start()
    app = KioskApp(runtime)
    pilot = Pilot(app).start()
    pilot.wait_until(lambda: app.catalog_state is not None and app.catalog_state.catalog is not None, "catalog", 60)
    # The camera keeps decoding a code for the whole run (the decode worker is busy on every frame).
    runtime.show_to_camera(qr_image("GOVKIOSK:R:ZW20261101000002"))

    gaps: list[float] = []
    last = [time.perf_counter()]

    def frame(_dt: float) -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    Clock.schedule_interval(frame, 0)
    rss: list[float] = []
    started = time.perf_counter()
    for number in range(args.sessions):
        pilot.tap_text(_("home.start"))
        pilot.wait_for_screen("catalog")
        pilot.tap_text("户籍证明开具")
        pilot.wait_for_screen("guide")
        pilot.tap(app.screen("guide").ids.apply_button)
        pilot.wait_for_screen("identify")
        pilot.type_keys("410105195003152015")
        pilot.tap_text(_("identify.confirm"), exact=True)
        pilot.wait_for_screen("materials")
        pilot.wait_until(lambda: not app.screen("materials").loading, "materials")
        pilot.tap_text("居民身份证")
        pilot.tap_text("居民户口簿")
        pilot.tap(app.screen("materials").ids.materials_next)
        pilot.wait_for_screen("form")
        pilot.type_keys("13912345678")
        pilot.tap(app.screen("form").ids.form_next)
        pilot.tap_text("就业", exact=True)
        pilot.wait_for_screen("confirm")
        pilot.tap_text(_("confirm.submit"))
        pilot.wait_for_screen("result", 30)  # submitted through the outbox: the sync worker is uploading
        pilot.wait_until(lambda: app.screen("result").printed, "the receipt")  # the printer is printing
        pilot.tap_text(_("result.next"))
        pilot.wait_for_screen("rating")
        pilot.tap_text(_("rating.level.5"), exact=True)
        app.end_session()
        pilot.frames(2)
        if number in (9, args.sessions - 1) or number % 50 == 49:
            rss.append(rss_mb())
            print(f"session {number + 1}: RSS {rss[-1]:.1f} MB, {time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    pilot.stop()
    runtime.stop()
    display.stop()

    # The pilot steps frames itself, so a "gap" includes our own waiting: the worst gaps are what matters.
    gaps_ms = sorted(g * 1000 for g in gaps)
    p99 = gaps_ms[int(len(gaps_ms) * 0.99)]
    over = sum(1 for g in gaps_ms if g > 33)
    growth = rss[-1] - rss[0]
    print(f"{args.sessions} sessions in {elapsed:.0f} s ({elapsed / args.sessions:.2f} s each), "
          f"{len(gaps_ms)} UI frames")
    print(f"UI frame interval: median {statistics.median(gaps_ms):.1f} ms, p99 {p99:.1f} ms, "
          f"max {gaps_ms[-1]:.1f} ms, frames over 33 ms: {over} ({over / len(gaps_ms):.2%})")
    print(f"RSS after session 10: {rss[0]:.1f} MB, at the end: {rss[-1]:.1f} MB, growth {growth:+.1f} MB "
          f"(budget < 5 MB): {'PASS' if growth < 5 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
