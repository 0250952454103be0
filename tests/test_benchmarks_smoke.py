"""The benchmarks are how issue #16's and #17's budgets are measured: a short run of each of the two that drive
the real window, so a change to the kiosk that breaks the measuring (a renamed widget the soak's citizen taps,
a screen the capture bench no longer reaches) fails here, not in the next person's 16-minute soak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.ui


def run_benchmark(script: str, *args: str, timeout: float = 240) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


def test_the_soak_walks_citizens_through_and_reports_every_figure(tmp_path) -> None:
    out = tmp_path / "ui_soak.json"
    run_benchmark("ui_soak.py", "--sessions", "12", "--out", str(out))  # two past the ten warm-up sessions
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["sessions"] == 12 and figures["failed_sessions"] == []
    drawn = figures["frame_time"]["drawn_frames"]
    assert drawn["frames_after_warm_up"] > 20  # two citizens' screens were drawn and timed
    assert figures["tap_to_screen"]["taps"] >= 2 * 6  # home→catalog→guide→identify, materials→form→confirm …
    where = drawn["over_33ms_where_the_time_went"]
    assert where["frames"] == len(where["frames_list"]) == drawn["over_33ms_after_warm_up"]
    assert [session for session, _mb in figures["rss_mb"]] == [10, 12]


def test_the_capture_bench_reaches_the_capture_screen_and_makes_pages(tmp_path) -> None:
    out = tmp_path / "capture_ui.json"
    run_benchmark("capture_ui_bench.py", "--rounds", "1", "--slice", "3", "--shoot-every", "1", "--out", str(out))
    figures = json.loads(out.read_text(encoding="utf-8"))
    for phase in ("idle", "redrawing", "previewing", "capturing", "previewing_nice0", "capturing_nice0"):
        assert figures[phase]["ui_frames"] > 30, phase  # the window kept drawing through every phase
        assert len(figures[phase]["over_33ms_where_the_time_went"]) == figures[phase]["ui_frames_over_33ms"]
    assert figures["previewing"]["frames_analysed_per_s"] > 3  # the camera's frames reached the worker
    assert figures["capturing"]["pages_per_minute"] > 0  # and pages were made while capturing
