"""No UI stall during material capture (issue #17, DESIGN.md: the UI thread never stalls longer than 33 ms).

    .venv/bin/python benchmarks/capture_ui_bench.py              # ~2 min; writes benchmarks/results/capture_ui.json
    .venv/bin/python benchmarks/capture_ui_bench.py --rounds 1   # shorter

The real capture screen in a real Kivy window (Xvfb when there is no display) with the simulated document
camera (demo papers, 15 fps, 1280x720), measured side by side in one run, each phase on the same screen:

1. idle: the capture screen up, the camera stopped (what the window costs by itself: it is not redrawn);
2. redrawing (control): the camera still stopped, the last preview re-shown 10 times a second: what the
   window's redraws cost without any capture work;
3. previewing: the camera, the capture worker and the 10 Hz preview blit running, the citizen laying papers
   down, but no page made (the stillness gate held shut): outline finding and preview only;
4. capturing: the same, and pages made: automatically when a paper lies still, and by 拍照 every
   ``--shoot-every`` seconds (a page is straightened, cleaned and JPEG-encoded on the worker, its thumbnail
   made into a texture on the UI thread);
5. previewing_nice0 and capturing_nice0: 3 and 4 with the capture threads at normal priority, as before
   devices/priority.py lowered it.

The phases take turns in 5 s slices (``--rounds``), so a load elsewhere on the machine weighs on each alike.
For each phase: the UI frame intervals (p50 / p95 / max, and how many over 33 ms), measured by a callback on
every Kivy frame; the window's draw and buffer swap (flip) times; the process's CPU share. The UI thread's
own capture work (preview blit, a page's arrival) is timed apart, and each frame over 33 ms is attributed to
what the UI thread did for capture in it, if anything. Under Xvfb the GL is software (llvmpipe): it
rasterises at the swap, so a redraw's cost shows in the flip, on the same two cores as the capture worker.
Each frame over 33 ms also says where its time went, as the kernel accounts it (benchmarks/sched_probe.py):
the UI thread's CPU, the rasteriser's, the capture threads', the X server's, and time the hypervisor stole.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sched_probe import SchedProbe  # noqa: E402 - benchmarks/ (this script's folder is on sys.path)

BUDGET_MS = 33.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def summary(gaps_ms: list[float]) -> dict:
    return {"ui_frames": len(gaps_ms), "ui_frame_ms_p50": round(statistics.median(gaps_ms), 1),
            "ui_frame_ms_p95": round(pct(gaps_ms, 0.95), 1), "ui_frame_ms_max": round(max(gaps_ms), 1),
            "ui_frames_over_33ms": sum(1 for g in gaps_ms if g > BUDGET_MS)}


class HeldShut:
    """A stillness gate that never says "capture": the previewing phase shows papers but makes no page."""

    def __init__(self, gate) -> None:  # noqa: ANN001 - devices.doccam.StillnessGate
        self.gate = gate

    def update(self, outline, grey_small):  # noqa: ANN001, ANN201
        state = self.gate.update(outline, grey_small)
        return type(state)(**{**{f: getattr(state, f) for f in state.__slots__}, "capture": False})

    def rearm(self) -> None:
        self.gate.rearm()


class ThreadSampler:
    """Every thread's stack every millisecond, kept for the last second: a frame over 33 ms is logged with what
    the UI thread and the others were doing during it (``--profile``)."""

    def __init__(self) -> None:
        import collections
        import threading

        self.samples: collections.deque = collections.deque(maxlen=3000)
        self.main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def start(self) -> ThreadSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        import threading
        import traceback

        idle = ("wait", "get", "_worker", "select", "accept", "recv_into", "sleep")
        while not self._stop.wait(0.001):
            now = time.perf_counter()
            names = {t.ident: t.name for t in threading.enumerate()}
            busy = []
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                stack = traceback.extract_stack(frame)[-6:]
                if stack and stack[-1].name in idle:
                    continue  # a thread waiting for work holds no GIL and does nothing
                busy.append((names.get(ident, str(ident)),
                             " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack))))
            self.samples.append((now, busy))

    def during(self, start: float, end: float) -> dict:
        """The busy threads' most frequent stacks in [start, end], and the longest time the sampler itself could
        not run (it needs the GIL: a gap here is a thread holding it), with what was busy just before it."""
        import collections

        inside = [(at, busy) for at, busy in list(self.samples) if start <= at <= end]
        counts = collections.Counter(entry for _at, busy in inside for entry in busy)
        longest, before = 0.0, []
        for (at, busy), (next_at, _next) in zip(inside, inside[1:], strict=False):
            if next_at - at > longest:
                longest, before = next_at - at, busy
        return {"samples": len(inside), "longest_sampler_gap_ms": round(longest * 1000, 1),
                "busy_before_that_gap": before,
                "busy": [(name, stack, count) for (name, stack), count in counts.most_common(8)]}


PHASES = ("idle", "redrawing", "previewing", "capturing", "previewing_nice0", "capturing_nice0")


def run(rounds: int, slice_seconds: float, shoot_every: float, nice: int, profile: bool = False) -> dict:
    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = Path(tempfile.mkdtemp(prefix="capture-ui-bench-"))
    prepare_kivy_environment(state, (540, 960))
    prepare_window((540, 960), False)
    from kivy.clock import Clock

    from devices import priority
    from devices.doccam import open_doc_camera
    from kiosk.config import demo_config
    from kiosk.desk.outcomes import ShowConfirm
    from kiosk.runtime import KioskRuntime
    from screens.app import KioskApp
    from screens.pilot import Pilot

    config = demo_config(state)
    config = config.model_copy(update={"devices": config.devices.model_copy(update={"doc_camera": "none"})})
    runtime = KioskRuntime(config).start()
    runtime.doc_camera = open_doc_camera("sim://?fps=15")
    app = KioskApp(runtime)
    pilot = Pilot(app).start()
    routes = app.capture
    busy: list[str] = []  # what the UI thread did for capture in the current frame
    own = {"preview_blit_ms": [], "page_arrival_ms": []}

    def timed(name: str, function):  # noqa: ANN001, ANN202
        def wrapper(*args):  # noqa: ANN002, ANN202
            t0 = time.perf_counter()
            try:
                return function(*args)
            finally:
                own[name].append((time.perf_counter() - t0) * 1000)
                busy.append(name.removesuffix("_ms"))
        return wrapper

    routes._blit = timed("preview_blit_ms", routes._blit)
    routes._page = timed("page_arrival_ms", routes._page)
    # The window's redraw (software GL under Xvfb), timed per frame in which it happens.
    from kivy.base import EventLoop

    window = EventLoop.window
    draw_ms: list[float] = []
    original_draw = window.on_draw

    def timed_draw(*args):  # noqa: ANN002, ANN202
        t0 = time.perf_counter()
        try:
            return original_draw(*args)
        finally:
            draw_ms.append((time.perf_counter() - t0) * 1000)

    window.on_draw = timed_draw
    flip_ms: list[float] = []
    original_flip = window.on_flip

    def timed_flip(*args):  # noqa: ANN002, ANN202 - the buffer swap: under Xvfb, a round trip to the X server
        t0 = time.perf_counter()
        try:
            return original_flip(*args)
        finally:
            flip_ms.append((time.perf_counter() - t0) * 1000)

    window.on_flip = timed_flip
    sampler = ThreadSampler().start() if profile else None
    collections_ms: list[tuple[float, int, float]] = []  # (when it ended, generation, ms): the GC holds the GIL
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            collections_ms.append((time.perf_counter(), info["generation"], (time.perf_counter() - gc_started[0]) * 1000))

    import gc

    gc.callbacks.append(on_gc)
    stalls: list[dict] = []
    probe = SchedProbe({"xserver": display.process.pid if display.process is not None else None})
    where_of: dict[str, list[dict]] = {phase: [] for phase in PHASES}  # each frame over 33 ms: where its time went
    current_phase = [PHASES[0]]
    redraws = [None, None]  # the last preview, and the clock event re-showing it (the "redrawing" control)

    def measure(phase_seconds: float, during=None) -> tuple[list[float], dict[str, int]]:  # noqa: ANN001
        gaps: list[float] = []
        blamed: dict[str, int] = {}
        last = [time.perf_counter()]
        last_sched = [probe.snapshot()]

        def frame(_dt: float) -> None:
            now = time.perf_counter()
            gap = (now - last[0]) * 1000
            sched = probe.snapshot()
            slow = gap > BUDGET_MS and bool(gaps)  # the slice's first gap spans the phase switch: not counted
            if slow:
                where_of[current_phase[0]].append({"gap_ms": round(gap, 1), "busy": sorted(set(busy)),
                                                  **SchedProbe.delta_ms(last_sched[0], sched)})
            last_sched[0] = sched
            if sampler is not None and gap > BUDGET_MS:
                stalls.append({"gap_ms": round(gap, 1), "busy": sorted(set(busy)),
                               "garbage_collections": [(generation, round(ms, 1)) for at, generation, ms
                                                       in collections_ms if last[0] <= at <= now],
                               "threads": sampler.during(last[0], now)})
            last[0] = now
            if slow:
                for name in set(busy) or {"other (drawing, GIL, the other core's load)"}:
                    blamed[name] = blamed.get(name, 0) + 1
            gaps.append(gap)
            busy.clear()

        pilot.frames(2)
        busy.clear()
        event = Clock.schedule_interval(frame, 0)
        started = time.perf_counter()
        while time.perf_counter() - started < phase_seconds:
            pilot.frames(1)
            if during is not None:
                during()
        event.cancel()
        return gaps[1:], blamed

    gaps_of: dict[str, list[float]] = {phase: [] for phase in PHASES}
    blamed_of: dict[str, dict[str, int]] = {phase: {} for phase in PHASES}
    cpu_of: dict[str, float] = dict.fromkeys(PHASES, 0.0)
    extra: dict[str, dict] = {phase: {"frames_analysed": 0, "pages_made": 0, "seconds": 0.0} for phase in PHASES}
    next_shot = [0.0]

    def citizen() -> None:  # 拍照 every few seconds; delete the oldest page to stay under the page limit
        if time.perf_counter() >= next_shot[0]:
            next_shot[0] = time.perf_counter() + shoot_every
            routes.shoot()
        desk = routes.desk
        if sum(1 for m, _p in app.session.pages if m == desk._materials[desk._current]) >= 8:
            routes.delete(0)

    try:
        pilot.wait_until(lambda: app.catalog_state is not None and app.catalog_state.catalog is not None,
                         "catalog", 60)
        app.desk.apply.choose("GJJ-002")  # 住房公积金租房提取: three materials on paper
        app.session.materials_present = {"居民身份证", "本人名下银行借记卡", "房屋租赁合同"}
        app.presenter.show(routes.desk.begin(ShowConfirm()))
        pilot.wait_for_screen("capture")
        pilot.wait_until(lambda: routes._shown is not None, "the first preview", 30)
        # The phases take turns in short slices, so that a load elsewhere on the machine weighs on each alike.
        for _round in range(rounds):
            for phase in PHASES:
                worker = routes._worker
                if redraws[1] is not None:
                    redraws[1].cancel()
                    redraws[1] = None
                if phase == "idle":  # the same screen, the camera off
                    redraws[0] = routes._shown or redraws[0]
                    routes.stop()
                    pilot.wait_until(lambda: not runtime.doc_camera.running, "the camera to stop", 20)
                elif phase == "redrawing":  # camera off; the last preview re-shown 10 times a second
                    if redraws[0] is not None:
                        redraws[1] = Clock.schedule_interval(
                            lambda _dt: app.screen("capture").show_preview(redraws[0]), 0.1)
                elif phase.startswith("previewing"):  # papers shown, outline found, no page made
                    # The capture threads at background priority (the fix), or, "_nice0", as before it.
                    priority.BACKGROUND_NICE = 0 if phase.endswith("_nice0") else nice
                    routes.stop()
                    pilot.wait_until(lambda: not runtime.doc_camera.running, "the camera to stop", 20)
                    routes.start()
                    pilot.wait_until(lambda: routes._worker is not None and routes._shown is not None,
                                     "the first preview", 30)
                    worker = routes._worker
                    worker.gate = HeldShut(worker.gate)
                else:  # capturing: automatic pages, and 拍照 by hand
                    worker.gate = worker.gate.gate
                    next_shot[0] = time.perf_counter() + shoot_every
                current_phase[0] = phase
                analysed = worker.frames_analysed if worker else 0
                made_before = worker.pages_made if worker else 0
                cpu, started, draws_before, flips_before = (time.process_time(), time.perf_counter(), len(draw_ms),
                                                            len(flip_ms))
                gaps, blamed = measure(slice_seconds, citizen if phase.startswith("capturing") else None)
                elapsed = time.perf_counter() - started
                cpu_of[phase] += time.process_time() - cpu
                gaps_of[phase] += gaps
                for name, count in blamed.items():
                    blamed_of[phase][name] = blamed_of[phase].get(name, 0) + count
                worker = routes._worker
                extra[phase]["frames_analysed"] += (worker.frames_analysed - analysed) if worker else 0
                extra[phase]["pages_made"] += (worker.pages_made - made_before) if worker else 0
                extra[phase]["seconds"] += elapsed
                extra[phase].setdefault("draw_ms", []).extend(draw_ms[draws_before:])
                extra[phase].setdefault("flip_ms", []).extend(flip_ms[flips_before:])
    finally:
        app.end_session()
        pilot.frames(3)
        pilot.stop()
        runtime.doc_camera.stop()
        runtime.stop()
        display.stop()
    results: dict = {}
    for phase in PHASES:
        seconds = extra[phase]["seconds"]
        results[phase] = {**summary(gaps_of[phase]), "over_33ms_during": blamed_of[phase],
                          "process_cpu_percent": round(100 * cpu_of[phase] / seconds),
                          "frames_analysed_per_s": round(extra[phase]["frames_analysed"] / seconds, 1),
                          "pages_per_minute": round(extra[phase]["pages_made"] * 60 / seconds, 1)}
        results[phase]["over_33ms_with_stolen_time"] = sum(1 for f in where_of[phase] if f["stolen_ms"])
        results[phase]["over_33ms_where_the_time_went"] = where_of[phase]
        for key in ("draw_ms", "flip_ms"):
            values = extra[phase].get(key) or [0.0]
            results[phase][f"window_{key.removesuffix('_ms')}_ms"] = {
                "count": len(values), "p50": round(statistics.median(values), 1),
                "p95": round(pct(values, 0.95), 1), "max": round(max(values), 1)}
    gc.callbacks.remove(on_gc)
    results["garbage_collections"] = {f"generation_{g}": {
        "count": sum(1 for _at, gen, _ms in collections_ms if gen == g),
        "max_ms": round(max([ms for _at, gen, ms in collections_ms if gen == g] or [0.0]), 1)} for g in (0, 1, 2)}
    if sampler is not None:
        sampler.stop()
        results["stalls"] = stalls
    for name, values in own.items():
        if values:
            results[f"ui_thread_{name}_p50"] = round(statistics.median(values), 2)
            results[f"ui_thread_{name}_max"] = round(max(values), 1)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three phases, taking turns")
    parser.add_argument("--slice", type=float, default=5.0, help="seconds of one phase in one round")
    parser.add_argument("--shoot-every", type=float, default=2.0, help="拍照 by hand every this many seconds")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "capture_ui.json")
    parser.add_argument("--nice", type=int, default=10, help="the capture threads' nice value (the fix)")
    parser.add_argument("--cv-threads", type=int, default=None, help="experiment: cv2.setNumThreads(N) first")
    parser.add_argument("--profile", action="store_true",
                        help="log every thread's stacks during each frame over 33 ms (results' \"stalls\")")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="experiment: sys.setswitchinterval(S) first (how long a thread keeps the GIL)")
    args = parser.parse_args()
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    if args.cv_threads is not None:
        import cv2

        cv2.setNumThreads(args.cv_threads)
    load_before = os.getloadavg()[0]
    measured = run(args.rounds, args.slice, args.shoot_every, args.nice, args.profile)
    results = {"machine": {"cpus": os.cpu_count(), "load_average_1min": [round(load_before, 1),
                                                                        round(os.getloadavg()[0], 1)]},
               "camera": "sim://?fps=15 (1280x720 demo papers)", "window": [540, 960],
               "seconds_per_phase": round(args.rounds * args.slice, 1), "shoot_every_s": args.shoot_every,
               **measured}
    for phase in PHASES:
        print(f"{phase:<16}", results[phase], flush=True)
    print({k: v for k, v in results.items() if k.startswith("ui_thread_")})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
