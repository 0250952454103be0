"""The voice in the real App (issue #13): time from a screen change to the start of its spoken prompt, and
what the voice costs the UI thread.

The real KioskApp (demo config, Xvfb when there is no display) is driven through screen changes the way the
navigator makes them (``manager.current = name`` → ``_on_screen_changed`` → ``app.access``):
- uncached: the WAV cache emptied before the round (the first citizen after an install);
- cached: the same screens again;
- frames: for ``--seconds`` each, voice off then on, a screen change every 250 ms; the UI thread's time per
  frame (one ``EventLoop.idle()``) is recorded, in one run, alternating off/on in 4 slices.
The player is aplay on ALSA's "null" device (a real process and a real data write, nothing heard), or the
silent player when aplay is missing. Writes benchmarks/results/access.json.

    .venv/bin/python benchmarks/access_bench.py [--rounds 3] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results" / "access.json"
WINDOW = (540, 960)
SCREENS = ("catalog", "ticket", "progress", "identify", "rating", "home")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2),
            "max_ms": round(max(values), 2) if values else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = Path(tempfile.mkdtemp(prefix="access-bench-"))
    prepare_kivy_environment(state, WINDOW)
    prepare_window(WINDOW, False)
    from kivy.base import EventLoop

    from kiosk.config import demo_config
    from kiosk.runtime import KioskRuntime
    from kiosk.voice.player import CommandPlayer, SilentPlayer

    runtime = KioskRuntime(demo_config(state, WINDOW)).start()
    from screens.app import KioskApp
    from screens.pilot import Pilot

    app = KioskApp(runtime)
    aplay = shutil.which("aplay")
    app.access.voice.player = CommandPlayer("aplay-null", [aplay, "-q", "-D", "null", "-"]) if aplay else SilentPlayer()
    pilot = Pilot(app).start()
    voice = app.access.voice
    try:
        pilot.wait_until(lambda: app.catalog_state is not None, "the catalog", 60)
        for name in SCREENS:
            app.screen(name)  # built now, not one per frame later

        def change_screens(rounds: int) -> list[float]:
            latencies: list[float] = []
            for _round in range(rounds):
                for name in SCREENS:
                    voice.utterances.clear()
                    app.manager.current = name
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline:
                        pilot.frames(1)
                        said = voice.utterances.last("screen")
                        if said is not None and said.started_at is not None:
                            latencies.append((said.started_at - said.requested_at) * 1000)
                            break
                    voice.wait_idle(10)
            return latencies

        app.access.set_voice(True)
        voice.wait_idle(30)
        shutil.rmtree(voice.cache.directory, ignore_errors=True)
        voice.cache.directory.mkdir(parents=True, exist_ok=True)
        uncached = change_screens(1)
        cached = change_screens(args.rounds)

        frames: dict[str, list[float]] = {"off": [], "on": []}
        for slice_index in range(4):
            mode = "off" if slice_index % 2 == 0 else "on"
            app.access.set_voice(mode == "on")
            end = time.monotonic() + args.seconds / 2
            next_change, index = 0.0, 0
            while time.monotonic() < end:
                now = time.monotonic()
                if now >= next_change:
                    app.manager.current = SCREENS[index % len(SCREENS)]
                    index += 1
                    next_change = now + 0.25
                started = time.perf_counter()
                EventLoop.idle()
                frames[mode].append((time.perf_counter() - started) * 1000)
        app.access.set_voice(False)
        result = {
            "what": "screen change -> start of its spoken prompt in the real KioskApp; UI-thread time per frame",
            "player": voice.player.name,
            "prompt_latency_uncached": summary(uncached),
            "prompt_latency_cached": summary(cached),
            "frame_ms_voice_off": summary(frames["off"]),
            "frame_ms_voice_on": summary(frames["on"]),
            "frame_ms_mean": {mode: round(statistics.fmean(values), 2) for mode, values in frames.items()},
        }
    finally:
        pilot.stop()
        runtime.stop()
        display.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
