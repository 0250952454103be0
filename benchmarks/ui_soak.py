"""UI thread stalls, tap-to-screen latency and memory across many citizen sessions, with the camera decoding
(on the screens that take a code, as the kiosk does; ``--decode-everywhere``: on all), the printer printing and
the outbox syncing at the same time.

Budgets (DESIGN.md, issue #16): the UI thread never stalls longer than 33 ms while scanning, printing and
syncing at once (no frame over 33 ms outside the first 10 sessions, which build screens and warm caches);
from a tap to the next screen's first complete frame p95 under 100 ms; RSS growth under 5 MB from session 100
to 1,000. Each session is what a citizen does at the kiosk — browse, open a guide, identify with the provincial
app's e-ID code, tick materials, fill the form, submit, print, rate, leave — driven by real touches through the
real window (Xvfb), against the sandbox platform in a process of its own (as a kiosk's platform is another
machine; ``--embedded-sandbox`` runs it inside the kiosk's process, as ``kiosk demo`` does), printing on a
network printer simulator in a process of its own (a printer has its own processor: the simulator's work of
reading the slip's bytes is not the kiosk's; ``--in-process-printer`` prints on ``sim://`` as the demo does).

What is measured (the pilot steps the Kivy event loop itself, one ``EventLoop.idle()`` per frame):
- frame time: how long one frame's UI-thread work takes (clock callbacks, input, layout, drawing). A frame
  over 33 ms is a stall a citizen sees. A tap's touches go through the event loop's input queue, so the
  button's work (building the next screen) is in the frame that draws it, as on a kiosk. The pilot's own
  searching between frames is not counted.
- tap to screen: from the finger lifting (the button fires on release) to the end of the first frame that
  drew the next screen. Screens that wait for the platform (submit → result) are reported apart.
- RSS every 10 sessions, with glibc's own account beside it (mallinfo2: bytes in use, and bytes freed but still
  held by its arenas, which ``malloc_trim`` would give back); at the end the RSS after ``malloc_trim(0)`` too.
  With ``--tracemalloc`` the Python allocations that grew between sessions 100 and 300.
- where each drawn frame over 33 ms went, from the kernel's scheduler accounting (benchmarks/sched_probe.py):
  the UI thread's CPU, runnable-but-waiting and blocked time, the rasteriser's, the workers', the X server's,
  the platform's and the printer's CPU, and the CPU time the hypervisor stole from this VM during the frame.
- ``--profile-frames``: a sampler thread reads the UI thread's stack (sys._current_frames) every millisecond
  while a frame runs; each frame over 33 ms is logged with its most frequent stacks (the call that stalled).

Driving (issue #16: 1,000 sessions in under 30 minutes on this 2-core box): the pilot does not wait for
animations or the frame-rate cap. Kivy's maxfps is off (KCFG_GRAPHICS_MAXFPS=0: a frame is its own work, not
work plus the cap's sleep), a tap is the finger down and up followed by the one frame that draws its effect,
the digits of the phone number are keyed in one go and drawn by one frame, and a wait steps frames only until
the next screen (or the awaited result) is there. Between frames of a wait the pilot yields 2 ms, as vsync
would, so the in-process sandbox and the devices' threads get the CPU they need.

Figures go to benchmarks/results/ui_soak.json (+ ui_stalls.txt when profiling); benchmarks/report.py charts them.

    .venv/bin/python benchmarks/ui_soak.py [--sessions 1000] [--profile-frames] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sched_probe import SchedProbe  # benchmarks/ (this script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
STALL_MS = 33.0
HOME_BETWEEN_CITIZENS_S = 0.5  # the home screen idles this long between two citizens (at least)
TAP_BUDGET_MS = 100.0
WARM_UP_SESSIONS = 10
# Transitions that wait for the platform or the printer on a worker thread: the UI answers at once with a
# "please wait", and the next screen comes when the answer does. Not a UI-thread latency.
WAITS_FOR_PLATFORM = {("confirm", "result"), ("identify", "materials")}


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: the figures are left out
        return None


LIBC = _libc()


def rss_parts_mb() -> dict[str, float]:
    """The RSS split as the kernel counts it: anonymous memory (heaps) and mapped files (libraries, fonts)."""
    parts: dict[str, float] = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(("RssAnon:", "RssFile:")):
                parts[line.split(":")[0].lower()] = round(int(line.split()[1]) / 1024, 2)
    return parts


def malloc_figures() -> dict[str, float]:
    """glibc's heap over all arenas: MB in use by malloc's callers, and MB freed but still held (trimmable)."""
    if LIBC is None or not hasattr(LIBC, "mallinfo2"):
        return {}
    LIBC.mallinfo2.restype = _MallInfo2
    info = LIBC.mallinfo2()
    return {"in_use_mb": round((info.uordblks + info.hblkhd) / 2**20, 2), "free_held_mb": round(info.fordblks / 2**20, 2)}


def kivy_cache_sizes() -> dict[str, int]:
    """Entries in each of Kivy's caches (label textures, images, kv rules...): a cache that only grows shows here."""
    from kivy.cache import Cache

    return {name: len(Cache._objects.get(name, {})) for name in sorted(Cache._categories)}


def object_census() -> collections.Counter[str]:
    """Live objects the garbage collector tracks (frozen ones too), by module and type: what grows session after
    session."""
    gc.collect()  # the unfrozen garbage; frozen objects that became garbage are counted (they are what leaks)
    frozen = gc.get_freeze_count()
    gc.unfreeze()  # gc.get_objects() does not see the permanent generation
    def name(o: object) -> str:
        if type(o).__name__ == "method":  # a bound method kept alive: which one says who forgot to unbind
            return f"method {o.__func__.__module__}.{o.__func__.__qualname__}"  # type: ignore[attr-defined]
        return f"{type(o).__module__}.{type(o).__qualname__}"

    census = collections.Counter(name(o) for o in gc.get_objects())
    if frozen:
        gc.freeze()
    return census


def malloc_trim() -> None:
    if LIBC is not None:
        LIBC.malloc_trim(0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


class StackSampler:
    """Samples the UI thread's Python stack every ``interval`` s while a frame is in progress."""

    def __init__(self, main_thread_id: int, interval: float = 0.001) -> None:
        self.main = main_thread_id
        self.interval = interval
        self.in_frame = False
        self.samples: list[tuple[str, ...]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="frame-sampler", daemon=True)

    def start(self) -> StackSampler:
        sys.setswitchinterval(0.0005)  # let the sampler in while the UI thread holds the GIL
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.in_frame:
                continue
            frame = sys._current_frames().get(self.main)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)[-14:]
            self.samples.append(tuple(f"{Path(s.filename).name}:{s.lineno} {s.name}" for s in stack))

    def begin(self) -> None:
        self.samples = []
        self.in_frame = True

    def end(self) -> list[tuple[str, ...]]:
        self.in_frame = False
        return self.samples


def make_pilot_class() -> type:
    from screens.pilot import Pilot

    class TimedPilot(Pilot):
        """The test pilot, timing every frame and every tap that changes the screen."""

        def __init__(self, app: Any, sampler: StackSampler | None) -> None:
            super().__init__(app)
            # Arrays, not lists: a list keeps a float object per frame, ~4 KB a session, which the soak's RSS
            # would count as the kiosk's growth (~3.5 MB over 1,000 sessions).
            self.frame_ms = array("d")  # wall time of each frame
            self.frame_cpu_ms = array("d")  # the UI thread's own CPU time in it (not the GL rasteriser's)
            self.frame_session = array("i")
            self.frame_drew = array("b")  # whether the frame drew the window (1) or had nothing to draw (0)
            self.frame_screen = array("h")  # the screen on the glass at the frame's end (index in screen_names)
            # From the window's on_flip (the drawing handed to OpenGL) to the frame's end: the buffer swap, in
            # which the UI thread waits for the GL rasteriser (llvmpipe's threads under Xvfb) to finish.
            self.frame_flip_ms = array("d")
            self._flip_started: float | None = None
            self._flips = 0
            self.session = 0
            self.sampler = sampler
            self.profile_over_ms = STALL_MS  # --profile-over: log frames whose wall or UI-thread CPU time exceeds it
            self.frame_period = 0.0  # seconds; 0 = frames back to back (--pace-hz)
            self.stalls: list[dict[str, Any]] = []
            self.sched: SchedProbe | None = None  # set after the window exists (its GL threads)
            self.slow_frames: list[dict[str, Any]] = []  # every drawn frame over 33 ms, with where its time went
            # Taps as arrays too (a tuple a tap was ~20 Python objects a session, counted as the kiosk's growth):
            # the screens as indices into ``screen_names``.
            self.screen_names: list[str] = []
            self.tap_from, self.tap_to = array("h"), array("h")
            self.tap_ms, self.tap_session = array("d"), array("i")
            self._tap: tuple[str, float] | None = None  # (screen when the finger lifted, when)

        def start(self) -> Any:
            from kivy.core.window import Window

            Window.bind(on_flip=self._flipped)
            return super().start()

        def _flipped(self, *_args: Any) -> None:
            # Bound handlers run before the window's own on_flip, which swaps the buffers.
            self._flips += 1
            self._flip_started = time.perf_counter()

        def _idle(self) -> None:  # type: ignore[override]
            if self.sampler is not None:
                self.sampler.begin()
            flips_before = self._flips
            self._flip_started = None
            sched_before = self.sched.snapshot() if self.sched is not None else None
            started, cpu_started = time.perf_counter(), time.thread_time()
            Pilot._idle()
            ended = time.perf_counter()
            took, cpu = (ended - started) * 1000, (time.thread_time() - cpu_started) * 1000
            self.frame_ms.append(took)
            self.frame_cpu_ms.append(cpu)
            self.frame_session.append(self.session)
            drew = self._flips != flips_before
            self.frame_drew.append(drew)
            self.frame_screen.append(self._screen_index(self.app.manager.current))
            self.frame_flip_ms.append((ended - self._flip_started) * 1000 if self._flip_started else 0.0)
            if sched_before is not None and took > STALL_MS and drew:
                self.slow_frames.append({
                    "session": self.session, "screen": self.app.manager.current, "ms": round(took, 1),
                    "swap_ms": round(self.frame_flip_ms[-1], 1),
                    **SchedProbe.delta_ms(sched_before, self.sched.snapshot())})
            if self.sampler is not None:
                samples = self.sampler.end()
                if took > self.profile_over_ms or cpu > self.profile_over_ms:
                    self._log_stall(took, cpu, samples)
            if self.frame_period:  # vsync pacing: the rest of the frame's period is idle, as at a kiosk
                rest = self.frame_period - (time.perf_counter() - started)
                if rest > 0:
                    time.sleep(rest)
            if self._tap is not None and self.app.manager.current != self._tap[0]:
                self.tap_from.append(self._screen_index(self._tap[0]))
                self.tap_to.append(self._screen_index(self.app.manager.current))
                self.tap_ms.append((ended - self._tap[1]) * 1000)
                self.tap_session.append(self.session)
                self._tap = None

        def measuring_mb(self) -> float:
            """The soak's own per-frame and per-tap arrays (in this process: their growth is not the kiosk's)."""
            return sum(value.__sizeof__() for value in vars(self).values() if isinstance(value, array)) / 2**20

        def _screen_index(self, name: str) -> int:
            if name not in self.screen_names:
                self.screen_names.append(name)
            return self.screen_names.index(name)

        @property
        def taps(self) -> list[tuple[str, str, float, int]]:
            """(from, to, ms, session) for each tap that changed the screen."""
            names = self.screen_names
            return [(names[a], names[b], ms, session) for a, b, ms, session in
                    zip(self.tap_from, self.tap_to, self.tap_ms, self.tap_session, strict=True)]

        def _log_stall(self, took: float, cpu: float, samples: list[tuple[str, ...]]) -> None:
            common = collections.Counter(samples).most_common(3)
            self.stalls.append({
                "session": self.session, "ms": round(took, 1), "cpu_ms": round(cpu, 1),
                "screen": self.app.manager.current,
                "samples": len(samples),
                "stacks": [{"count": count, "stack": list(stack)} for stack, count in common],
            })

        def tap(self, widget: Any) -> None:
            from kivy.tests.common import UnitTestTouch

            self.scroll_into_view(widget)
            x, y = widget.to_window(*widget.center)
            self._tap = (self.app.manager.current, time.perf_counter())  # the finger lands and lifts now
            self._touch(UnitTestTouch(x, y))
            self.frames(1)  # the frame that draws it; a screen that waits for the platform is counted when it comes

        @staticmethod
        def _touch(touch: Any) -> None:
            """Down and up (no frame needed between them: nothing waits), queued as the window's input provider
            queues a finger's events: the event loop dispatches them inside the next frame, after the clock's
            callbacks and before the drawing, so the button's work on release (building the next screen) is
            counted in the frame that draws it, as on a kiosk. (``touch_down()``/``touch_up()`` dispatch at once,
            between frames: the soak counted that work in no frame.)"""
            from kivy.base import EventLoop

            EventLoop._dispatch_input("begin", touch)
            EventLoop._dispatch_input("end", touch)

        def type_keys(self, keys: str) -> None:
            """Key the digits in one go (each a real touch on the on-screen key), then one frame draws them."""
            from kivy.tests.common import UnitTestTouch

            for key in keys:
                widget = self.find(key, exact=True)
                self.scroll_into_view(widget)
                self._touch(UnitTestTouch(*widget.to_window(*widget.center)))
            self.frames(1)

        def wait_until(self, predicate: Any, what: str, timeout: float = 15.0) -> None:
            """Frames until ``predicate()``; the frame that made it true has drawn it (the clock ticks before the
            drawing in each frame), so none is added after it."""
            from screens.pilot import PilotError

            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise PilotError(f"timed out after {timeout:.0f} s waiting for {what} (screen: {self.current})")
                self._idle()
                if not predicate() and not self.frame_period:
                    time.sleep(0.002)  # a yield, as vsync would: the platform's and devices' threads run

        def wait_for_screen(self, name: str, timeout: float = 15.0) -> None:
            # No animations to wait for (NoTransition): the frame that drew it is enough.
            self.wait_until(lambda: self.current == name, f"screen {name!r}", timeout)

        def forget_tap(self) -> None:
            self._tap = None

    return TimedPilot


PLATFORM_NICE = 10  # the sandbox platform's and the printer's processes (see start_platform_process)


def start_platform_process(state: Path) -> tuple[subprocess.Popen, str]:
    """`kiosk sandbox` on a free loopback port with its own SQLite file; returns the process and its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # At background priority: the platform stands in for another machine, so it takes what the kiosk leaves of
    # these two cores rather than competing with the UI thread and the GL rasteriser for them, as it never
    # would at a service centre (it still answers every call; the waits for it are measured apart).
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "sandbox", "--port", str(port),
                                "--db", str(state / "platform.db")], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=lambda: os.nice(PLATFORM_NICE))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("ui_soak: the sandbox platform did not start within 60 s")


def start_printer_process() -> tuple[subprocess.Popen, str]:
    """The virtual printer behind a TCP port in a process of its own (devices.printer.network_sim): a printer is
    a device with its own processor, so drawing the slip into a PNG is not the kiosk's work. The kiosk drives it
    through python-escpos's real network connection, as a LAN printer."""
    process = subprocess.Popen([sys.executable, "-m", "devices.printer.network_sim", "--port", "0",
                                "--no-render"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, preexec_fn=lambda: os.nice(PLATFORM_NICE))
    url = process.stdout.readline().strip() if process.stdout else ""
    if not url.startswith("tcp://"):
        process.kill()
        raise SystemExit("ui_soak: the network printer simulator did not start")
    return process, url


def one_session(pilot: Any, app: Any, runtime: Any, _: Any) -> None:
    pilot.tap_text(_("home.start"))
    pilot.wait_for_screen("catalog")
    pilot.tap_text("户籍证明开具")
    pilot.wait_for_screen("guide")
    pilot.tap(app.screen("guide").ids.apply_button)
    pilot.wait_for_screen("identify")
    pilot.forget_tap()  # the next screen comes from a scan, not a tap
    app.demo.identity_qr("province_app")  # 张建国's provincial-app code: verified by the platform
    pilot.wait_for_screen("materials", 30)
    runtime.camera.simulator.hide()
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
    pilot.forget_tap()
    # The session ends as the kiosk ends it (the thanks' end_session_soon, 返回首页, the idle timeout): in a
    # clock callback inside a frame, which is measured. (Called between frames, as this soak did before, the
    # end's own work — wiping every screen, a garbage collection — was in no frame at all.)
    from kivy.clock import Clock

    Clock.schedule_once(lambda _dt: app.end_session(), 0)
    pilot.wait_for_screen("home")
    pilot.frames(1)  # the home screen laid out (its labels' new sizes) before the next citizen's finger lands
    # The kiosk tidies up after a session once home has been shown a moment (garbage, freed memory): the next
    # citizen walks up later than that, so the pilot waits for it on the home screen, its frames measured.
    walks_up = time.monotonic() + HOME_BETWEEN_CITIZENS_S
    paced, pilot.frame_period = pilot.frame_period, 1 / 60  # idle frames at the display's rate, as at a kiosk
    try:
        pilot.wait_until(lambda: time.monotonic() >= walks_up and getattr(app, "housekeeping_done", True),
                         "the housekeeping after the session", 10)
    finally:
        pilot.frame_period = paced


def summarise_frames(frame_ms: Sequence[float], frame_session: Sequence[int]) -> dict[str, Any]:
    after = [ms for ms, session in zip(frame_ms, frame_session, strict=True) if session >= WARM_UP_SESSIONS]
    edges = [0, 2, 4, 6, 8, 10, 12, 16, 20, 25, 33, 50, 100, 200, 500, 10**9]
    histogram = [sum(1 for ms in after if lo <= ms < hi) for lo, hi in zip(edges, edges[1:], strict=False)]
    return {
        "frames": len(frame_ms),
        "frames_after_warm_up": len(after),
        "median_ms": round(statistics.median(after), 2) if after else None,
        "p99_ms": round(percentile(after, 0.99), 2),
        "max_ms": round(max(after), 1) if after else None,
        "over_33ms_after_warm_up": sum(1 for ms in after if ms > STALL_MS),
        "over_33ms_in_warm_up": sum(1 for ms, s in zip(frame_ms, frame_session, strict=True)
                                    if s < WARM_UP_SESSIONS and ms > STALL_MS),
        "histogram_edges_ms": edges[:-1],
        "histogram_counts": histogram,
    }


def summarise_swaps(pilot: Any) -> dict[str, Any]:
    """Where the drawn frames' time went: the buffer swap (waiting for the GL rasteriser) against the rest (clock,
    input, layout, issuing the drawing), for all of them and for those over 33 ms, after the warm-up."""
    rows = [(ms, flip) for ms, flip, session, drew in zip(pilot.frame_ms, pilot.frame_flip_ms, pilot.frame_session,
                                                           pilot.frame_drew, strict=True)
            if drew and session >= WARM_UP_SESSIONS]
    over = [(ms, flip) for ms, flip in rows if ms > STALL_MS]
    def median(values: list[float]) -> float | None:
        return round(statistics.median(values), 2) if values else None
    return {
        "median_swap_ms": median([flip for _ms, flip in rows]),
        "median_before_swap_ms": median([ms - flip for ms, flip in rows]),
        "over_33ms": {
            "frames": len(over),
            "median_swap_ms": median([flip for _ms, flip in over]),
            "median_before_swap_ms": median([ms - flip for ms, flip in over]),
            "before_swap_alone_over_33ms": sum(1 for ms, flip in over if ms - flip > STALL_MS),
            "swap_over_half": sum(1 for ms, flip in over if flip > ms / 2),
        },
    }


def summarise_slow_frames(slow: list[dict[str, Any]]) -> dict[str, Any]:
    """The drawn frames over 33 ms after the warm-up, by what the kernel says the UI thread was doing: running
    (its own CPU), runnable but without a CPU (the machine was busy: other threads, processes, stolen time), or
    blocked (waiting for the GIL, the rasteriser or the X server)."""
    after = [f for f in slow if f["session"] >= WARM_UP_SESSIONS]
    def median(key: str) -> float | None:
        return round(statistics.median(f[key] for f in after), 1) if after else None
    for frame in after:
        frame["ui_blocked_ms"] = round(frame["ms"] - frame["ui_cpu_ms"] - frame["ui_waiting_for_cpu_ms"], 1)
    return {
        "frames": len(after),
        "median": {key: median(key) for key, value in after[0].items() if isinstance(value, float)} if after else {},
        "with_stolen_time": sum(1 for f in after if f["stolen_ms"] > 0),
        "without_stolen_time_by_screen": dict(collections.Counter(f["screen"] for f in after if not f["stolen_ms"])),
        "ui_waited_for_a_cpu_over_10ms": sum(1 for f in after if f["ui_waiting_for_cpu_ms"] > 10),
        "frames_list": after[:200],
    }


def summarise_taps(all_taps: list[tuple[str, str, float, int]]) -> dict[str, Any]:
    """After the warm-up, as the frame budget: the first sessions build screens and fill caches."""
    taps = [(before, after, ms) for before, after, ms, session in all_taps if session >= WARM_UP_SESSIONS]
    by_transition: dict[str, list[float]] = collections.defaultdict(list)
    for before, after, ms in taps:
        by_transition[f"{before}->{after}"].append(ms)
    ui = [ms for before, after, ms in taps if (before, after) not in WAITS_FOR_PLATFORM]
    warm_up = [ms for before, after, ms, session in all_taps
               if session < WARM_UP_SESSIONS and (before, after) not in WAITS_FOR_PLATFORM]
    return {
        "after_session": WARM_UP_SESSIONS,
        "warm_up_max_ms": round(max(warm_up), 1) if warm_up else None,
        "taps": len(ui),
        "p50_ms": round(percentile(ui, 0.5), 1),
        "p95_ms": round(percentile(ui, 0.95), 1),
        "max_ms": round(max(ui), 1) if ui else None,
        "budget_p95_ms": TAP_BUDGET_MS,
        "waits_for_platform": sorted(f"{a}->{b}" for a, b in WAITS_FOR_PLATFORM),
        "by_transition": {name: {"n": len(v), "p50_ms": round(percentile(v, 0.5), 1),
                                 "p95_ms": round(percentile(v, 0.95), 1)} for name, v in sorted(by_transition.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--profile-frames", action="store_true", help="log the UI-thread stack of every frame over 33 ms")
    parser.add_argument("--profile-over", type=float, default=STALL_MS, metavar="MS",
                        help="with --profile-frames: log frames whose wall or UI-thread CPU time is over MS (the "
                             "heaviest frames, before they become stalls)")
    parser.add_argument("--pace-hz", type=float, default=0.0,
                        help="step frames at most this often (60: as vsync paces a kiosk); 0: back to back")
    parser.add_argument("--embedded-sandbox", action="store_true",
                        help="run the sandbox inside the kiosk's process, as `kiosk demo` does (default: its own "
                             "process, as a real kiosk's platform is)")
    parser.add_argument("--in-process-printer", action="store_true",
                        help="the virtual printer inside the kiosk's process (sim://, as `kiosk demo` has it; "
                             "default: a network printer in a process of its own, as a printer is a device)")
    parser.add_argument("--tracemalloc", nargs="?", const="100,300", metavar="FROM,TO",
                        help="Python allocations grown between two sessions (default 100,300)")
    parser.add_argument("--object-census", metavar="FROM,TO", default=None,
                        help="count live objects by type at two sessions and report the types that grew (a diagnostic run: counting unfreezes the kiosk's frozen objects and freezes everything alive again, so the RSS after it is not the budget's figure)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="stop after this many minutes (at a multiple of 10 sessions), as on a shared machine")
    parser.add_argument("--decode-everywhere", action="store_true",
                        help="keep the camera's decoder working on every screen (before issue #16's pause: the kiosk "
                             "decodes only on the screens that take a code), for a before/after in one run")
    parser.add_argument("--out", type=Path, default=RESULTS / "ui_soak.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = Path(tempfile.mkdtemp(prefix="ui-soak-"))
    prepare_kivy_environment(state, (540, 960))
    prepare_window((540, 960), False)
    os.environ["KCFG_GRAPHICS_MAXFPS"] = "0"  # no frame-rate cap: the pilot steps frames itself (module docstring)

    from kiosk.config import demo_config
    from kiosk.demo_codes import qr_image
    from kiosk.i18n import translate as _
    from kiosk.runtime import KioskRuntime
    from screens.app import KioskApp
    from screens.i18n import tr
    from screens.pilot import PilotError

    config = demo_config(state)
    # The soak's citizen ticks paper materials and goes on: no 高拍仪 step (benchmarks/capture_bench.py has it).
    config = config.model_copy(update={"devices": config.devices.model_copy(update={"doc_camera": "none"})})
    platform = None
    if not args.embedded_sandbox:
        # A real kiosk's platform is another machine: the sandbox in a process of its own, so the kiosk's RSS
        # is the kiosk's (the embedded sandbox's request caches are the demo's, bounded, and not on a kiosk).
        platform, url = start_platform_process(state)
        config = config.model_copy(update={"platform": config.platform.model_copy(update={"url": url})})
    printer = None
    if not args.in_process_printer:
        printer, printer_url = start_printer_process()
        config = config.model_copy(update={"devices": config.devices.model_copy(update={"printer": printer_url})})
    runtime = KioskRuntime(config).start()
    app = KioskApp(runtime)
    if args.decode_everywhere:
        app._decode_codes_on = lambda _name: None  # the screens never pause the decoder
    sampler = StackSampler(threading.get_ident()).start() if args.profile_frames else None
    pilot = make_pilot_class()(app, sampler).start()
    pilot.frame_period = 1 / args.pace_hz if args.pace_hz else 0.0
    pilot.profile_over_ms = args.profile_over
    pilot.sched = SchedProbe({"xserver": display.process.pid if display.process is not None else None,
                              "platform": platform.pid if platform is not None else None,
                              "printer": printer.pid if printer is not None else None})
    pilot.wait_until(lambda: app.catalog_state is not None and app.catalog_state.catalog is not None, "catalog", 60)
    # A code in front of the camera from the start (the identify step shows the citizen's own, then the camera
    # sees an empty scene): the decoder searches every frame on the screens that take a code (home, identify),
    # and with --decode-everywhere on every screen, as the kiosk did before it paused the decoder elsewhere.
    runtime.show_to_camera(qr_image("GOVKIOSK:R:ZW20261101000002"))

    rss: list[tuple[int, float]] = []
    measuring: list[tuple[int, float]] = []  # the soak's own arrays, MB, at each RSS point
    heap: list[tuple[int, dict[str, float]]] = []
    snapshots: dict[int, Any] = {}
    trace_from, trace_to = (int(n) for n in args.tracemalloc.split(",")) if args.tracemalloc else (-1, -1)
    census_at = [int(n) for n in args.object_census.split(",")] if args.object_census else []
    censuses: dict[int, collections.Counter[str]] = {}
    started = time.perf_counter()
    failures: list[dict[str, Any]] = []
    for number in range(1, args.sessions + 1):
        pilot.session = number - 1
        try:
            one_session(pilot, app, runtime, _)
        except PilotError as error:  # a session that got stuck is a finding, not the end of the soak
            failures.append({"session": number, "screen": app.manager.current, "error": str(error)})
            print(f"session {number} failed: {error}", flush=True)
            runtime.camera.simulator.hide()
            app.end_session()
            pilot.frames(3)
            if len(failures) > 5:
                print("more than 5 sessions failed: stopping", flush=True)
                break
        if number % 10 == 0 or number == args.sessions:
            # No gc.collect() here: a forced collection between sessions would hide the ones that land inside a
            # frame (a full one walked ~900,000 objects for ~190 ms before the kiosk froze them; issue #16).
            rss.append((number, round(rss_mb(), 2)))
            measuring.append((number, round(pilot.measuring_mb(), 2)))
            heap.append((number, {**malloc_figures(), **rss_parts_mb(), "python_blocks": sys.getallocatedblocks(),
                                  "kivy_cache": kivy_cache_sizes()}))
            print(f"session {number}: RSS {rss[-1][1]:.1f} MB, glibc {heap[-1][1]}, "
                  f"{time.perf_counter() - started:.0f} s, tr bindings {tr.bindings}", flush=True)
            if args.minutes is not None and time.perf_counter() - started > args.minutes * 60:
                print(f"--minutes {args.minutes:g} reached: stopping after session {number}", flush=True)
                break
        if census_at and number in census_at:
            censuses[number] = object_census()
        if number in (trace_from - 5, trace_from, trace_to):
            import tracemalloc

            if number == trace_from - 5:  # started a few sessions early, so its own first allocations settle
                tracemalloc.start(8)
            else:
                gc.collect()
                snapshots[number] = tracemalloc.take_snapshot()
    elapsed = time.perf_counter() - started
    args.sessions = number
    gc.collect()
    malloc_trim()  # what glibc gives back when asked: the RSS a session-end malloc_trim would leave
    rss_end_trimmed = round(rss_mb(), 2)
    if sampler is not None:
        sampler.stop()
    pilot.stop()
    runtime.stop()
    for process in (platform, printer):
        if process is None:
            continue
        process.terminate()
        process.wait(10)
    display.stop()

    frames = summarise_frames(pilot.frame_ms, pilot.frame_session)
    drawn = [(ms, cpu, session) for ms, cpu, session, drew in
             zip(pilot.frame_ms, pilot.frame_cpu_ms, pilot.frame_session, pilot.frame_drew, strict=True) if drew]
    # Only the frames that drew the window (a wait's frames that draw nothing take ~0.2 ms and fill the median).
    frames["drawn_frames"] = {key: value for key, value in summarise_frames(
        [d[0] for d in drawn], [d[2] for d in drawn]).items() if key not in ("histogram_edges_ms", "histogram_counts")}
    frames["drawn_frames"]["ui_thread_cpu"] = {key: value for key, value in summarise_frames(
        [d[1] for d in drawn], [d[2] for d in drawn]).items() if key in ("median_ms", "p99_ms", "max_ms",
                                                                        "over_33ms_after_warm_up")}
    frames["drawn_frames"]["swap"] = summarise_swaps(pilot)
    # Which screen each slow drawn frame ended on (home: mostly the frame that ends a session).
    slow_on = collections.Counter(
        pilot.screen_names[screen] for ms, session, drew, screen in
        zip(pilot.frame_ms, pilot.frame_session, pilot.frame_drew, pilot.frame_screen, strict=True)
        if drew and session >= WARM_UP_SESSIONS and ms > STALL_MS)
    frames["drawn_frames"]["over_33ms_by_screen"] = dict(slow_on.most_common())
    frames["drawn_frames"]["over_33ms_where_the_time_went"] = summarise_slow_frames(pilot.slow_frames)
    frames["ui_thread_cpu"] = {key: value for key, value in summarise_frames(pilot.frame_cpu_ms, pilot.frame_session).items()
                               if key not in ("frames", "frames_after_warm_up")}
    taps = summarise_taps(pilot.taps)
    rss_at, measuring_at = dict(rss), dict(measuring)
    base_session = 100 if 100 in rss_at else rss[0][0]
    base = rss_at[base_session]
    # The soak's frame and tap arrays live in this process and grow with every frame (~31 bytes a frame):
    # their growth is taken off the RSS growth, which is the kiosk's.
    measuring_growth = measuring[-1][1] - measuring_at[base_session]
    raw_growth = rss[-1][1] - base
    growth = raw_growth - measuring_growth
    result: dict[str, Any] = {
        "command": "benchmarks/ui_soak.py " + " ".join(sys.argv[1:]),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "sessions": number,
        "failed_sessions": failures,
        "elapsed_s": round(elapsed, 1),
        "seconds_per_session": round(elapsed / args.sessions, 2),
        "frame_time": frames,
        "tap_to_screen": taps,
        # how much the camera's decoder worked: on the screens that take a code, or on every one
        "camera_decoder": {"decodes_on": "every screen" if args.decode_everywhere else "the screens that take a code",
                           "frames_decoded": runtime.decode_worker.frames_decoded},
        "rss_mb": rss,
        "rss_growth_mb": {"from_session": base_session, "to_session": rss[-1][0],
                          "growth": round(growth, 2), "budget": 5.0,
                          "process_rss_growth": round(raw_growth, 2),
                          "soak_arrays_growth": round(measuring_growth, 2)},
        "soak_arrays_mb": measuring,
        "rss_at_end_after_malloc_trim_mb": rss_end_trimmed,
        # glibc's heap at each RSS point (mallinfo2): in use by callers, and freed but held by the arenas
        "malloc_mb": heap,
        # the 150 worst after the warm-up (by the UI thread's own CPU time), then the 50 worst of the warm-up
        "stalls": sorted((x for x in pilot.stalls if x["session"] >= WARM_UP_SESSIONS), key=lambda x: -x["cpu_ms"])[:150]
        + sorted((x for x in pilot.stalls if x["session"] < WARM_UP_SESSIONS), key=lambda x: -x["cpu_ms"])[:50],
    }
    if len(censuses) == 2:
        first, last = (censuses[n] for n in census_at)
        grew = sorted(((name, last[name] - first.get(name, 0)) for name in last), key=lambda x: -x[1])[:30]
        result["object_census"] = {"from_session": census_at[0], "to_session": census_at[1],
                                   "grew": [{"type": name, "count_diff": diff} for name, diff in grew if diff > 0]}
        print(f"live objects that grew from session {census_at[0]} to {census_at[1]}:")
        for name, diff in grew[:20]:
            print(f"  {diff:+d}  {name}")
    if len(snapshots) == 2:
        diff = snapshots[trace_to].compare_to(snapshots[trace_from], "traceback")
        result["tracemalloc"] = {"from_session": trace_from, "to_session": trace_to, "grew": [
            {"size_diff_kb": round(stat.size_diff / 1024, 1), "count_diff": stat.count_diff,
             "traceback": [str(frame) for frame in stat.traceback][-8:]}
            for stat in diff[:25]
        ]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if pilot.stalls:
        with open(args.out.with_name("ui_stalls.txt"), "w", encoding="utf-8") as log:
            for stall in result["stalls"]:
                log.write(f"session {stall['session']} screen {stall['screen']}: {stall['ms']} ms "
                          f"(UI thread CPU {stall['cpu_ms']} ms), "
                          f"{stall['samples']} samples\n")
                for entry in stall["stacks"]:
                    log.write(f"  {entry['count']}x\n" + "".join(f"      {line}\n" for line in entry["stack"]))

    print(f"{args.sessions} sessions in {elapsed:.0f} s ({elapsed / args.sessions:.2f} s each), {frames['frames']} frames")
    print(f"frame time after session {WARM_UP_SESSIONS}: median {frames['median_ms']} ms, p99 {frames['p99_ms']} ms, "
          f"max {frames['max_ms']} ms, over 33 ms: {frames['over_33ms_after_warm_up']} "
          f"(in the first {WARM_UP_SESSIONS} sessions: {frames['over_33ms_in_warm_up']})")
    drawn_frames = frames["drawn_frames"]
    print(f"frames that drew the window, after session {WARM_UP_SESSIONS}: {drawn_frames['frames_after_warm_up']}, "
          f"median {drawn_frames['median_ms']} ms, p99 {drawn_frames['p99_ms']} ms, over 33 ms: "
          f"{drawn_frames['over_33ms_after_warm_up']}; their UI-thread CPU: median "
          f"{drawn_frames['ui_thread_cpu']['median_ms']} ms, max {drawn_frames['ui_thread_cpu']['max_ms']} ms")
    where = drawn_frames["over_33ms_where_the_time_went"]
    if where["frames"]:
        print(f"of the {where['frames']} drawn frames over 33 ms: {where['with_stolen_time']} while the hypervisor stole "
              f"CPU time from this VM, {where['frames'] - where['with_stolen_time']} without; medians: {where['median']}")
    cpu = frames["ui_thread_cpu"]
    print(f"UI thread CPU per frame: median {cpu['median_ms']} ms, p99 {cpu['p99_ms']} ms, max {cpu['max_ms']} ms, "
          f"over 33 ms: {cpu['over_33ms_after_warm_up']} (first {WARM_UP_SESSIONS}: {cpu['over_33ms_in_warm_up']})")
    print(f"tap to next screen after session {WARM_UP_SESSIONS}: p50 {taps['p50_ms']} ms, p95 {taps['p95_ms']} ms, max {taps['max_ms']} ms "
          f"(budget p95 < {TAP_BUDGET_MS:.0f} ms): {'PASS' if taps['p95_ms'] < TAP_BUDGET_MS else 'OVER'}")
    print(f"RSS at session {result['rss_growth_mb']['from_session']}: {base:.1f} MB, at the end: {rss[-1][1]:.1f} MB, "
          f"growth {raw_growth:+.2f} MB, of which the soak's own frame arrays {measuring_growth:+.2f} MB: the "
          f"kiosk's {growth:+.2f} MB (budget < 5 MB): {'PASS' if growth < 5 else 'OVER'}; "
          f"after malloc_trim(0) at the end: {rss_end_trimmed:.1f} MB")
    heap_at = dict(heap)
    if heap_at.get(result["rss_growth_mb"]["from_session"]) and heap[-1][1]:
        first, last = heap_at[result["rss_growth_mb"]["from_session"]], heap[-1][1]
        print(f"glibc heap: in use {first['in_use_mb']:.1f} -> {last['in_use_mb']:.1f} MB, freed but held "
              f"{first['free_held_mb']:.1f} -> {last['free_held_mb']:.1f} MB")
    if "tracemalloc" in result:
        print(f"Python allocations that grew most from session {trace_from} to {trace_to}:")
        for entry in result["tracemalloc"]["grew"][:12]:
            print(f"  {entry['size_diff_kb']:+.1f} KB  {entry['count_diff']:+d}  {' <- '.join(reversed(entry['traceback'][-3:]))}")
    print(f"figures: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
