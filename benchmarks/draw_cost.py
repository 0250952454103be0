"""What one frame of each screen of a citizen's journey costs to draw, and how much it paints over itself.

    .venv/bin/python benchmarks/draw_cost.py          # ~1 min; writes benchmarks/results/draw_cost.json

Issue #16: with software OpenGL (llvmpipe under Xvfb; a kiosk's low-power GPU is fill-bound alike) a frame's
time is mostly the pixels painted, and the UI thread waits for them in the buffer swap. For each screen of the
soak's journey (benchmarks/ui_soak.py) this redraws the window 30 times and reports:

- draw: the UI thread issuing the canvas (Kivy's on_draw), flip: the buffer swap (the rasteriser's work);
- instructions: the canvas instructions drawn;
- overdraw: the area of every rectangle, rounded rectangle and ellipse drawn, in window areas (1.0 = the window
  painted once), with the widget kinds that paint the most. Stencil masks counted here are pure cost (the
  kiosk clips with scissor rectangles: screens/clipping.py).
"""

from __future__ import annotations

import collections
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
REDRAWS = 30


def painted(window: Any) -> tuple[float, list[tuple[str, float]]]:
    """(window areas painted, the five widget kinds painting the most) for the window's widget tree."""
    from kivy.graphics import BorderImage, Ellipse, Rectangle, RoundedRectangle

    by_kind: collections.Counter[str] = collections.Counter()
    area = float(window.width * window.height)

    def visit(widget: Any) -> None:
        for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
            for instruction in getattr(canvas, "children", []):
                if isinstance(instruction, (Rectangle, RoundedRectangle, BorderImage, Ellipse)):
                    width, height = instruction.size
                    if width > 0 and height > 0:
                        by_kind[f"{type(widget).__name__} {type(instruction).__name__}"] += width * height / area
        for child in widget.children:
            visit(child)

    for child in window.children:
        visit(child)
    return sum(by_kind.values()), [(kind, round(share, 2)) for kind, share in by_kind.most_common(5)]


def instructions(canvas: Any) -> int:
    return sum(1 + instructions(child) for child in getattr(canvas, "children", []))


def measure(name: str) -> dict[str, Any]:
    from kivy.core.window import Window

    draw, flip = [], []
    for _ in range(REDRAWS):
        started = time.perf_counter()
        Window.dispatch("on_draw")
        drawn = time.perf_counter()
        Window.dispatch("on_flip")
        draw.append((drawn - started) * 1000)
        flip.append((time.perf_counter() - drawn) * 1000)
    overdraw, top = painted(Window)
    row = {"screen": name, "instructions": instructions(Window.canvas), "overdraw": round(overdraw, 2),
           "painted_most": top, "draw_ms_median": round(statistics.median(draw), 2),
           "flip_ms_median": round(statistics.median(flip), 2)}
    print(f"{name:10s} {row['instructions']:4d} instructions, overdraw {row['overdraw']:.2f}, draw "
          f"{row['draw_ms_median']:5.2f} ms, flip {row['flip_ms_median']:5.2f} ms   {top[:3]}", flush=True)
    return row


def main() -> int:
    import ui_soak

    from kiosk.app_env import prepare_kivy_environment, prepare_window
    from kiosk.xvfb import ensure_display

    display = ensure_display()
    state = Path(tempfile.mkdtemp(prefix="draw-cost-"))
    prepare_kivy_environment(state, (540, 960))
    prepare_window((540, 960), False)
    os.environ["KCFG_GRAPHICS_MAXFPS"] = "0"
    from kiosk.config import demo_config
    from kiosk.i18n import translate as _
    from kiosk.runtime import KioskRuntime
    from screens.app import KioskApp

    config = demo_config(state)
    config = config.model_copy(update={"devices": config.devices.model_copy(update={"doc_camera": "none"})})
    platform, url = ui_soak.start_platform_process(state)
    try:
        config = config.model_copy(update={"platform": config.platform.model_copy(update={"url": url})})
        runtime = KioskRuntime(config).start()
        app = KioskApp(runtime)
        pilot = ui_soak.make_pilot_class()(app, None).start()
        pilot.wait_until(lambda: app.catalog_state is not None and app.catalog_state.catalog is not None,
                         "catalog", 60)
        rows = [measure("home")]
        arrive = pilot.wait_for_screen

        def wait_and_measure(name: str, timeout: float = 15.0) -> None:
            arrive(name, timeout)
            if name not in {row["screen"] for row in rows}:
                pilot.frames(3)  # laid out and its textures made, as a citizen sees it
                rows.append(measure(name))

        pilot.wait_for_screen = wait_and_measure
        ui_soak.one_session(pilot, app, runtime, _)
        runtime.stop()
    finally:
        platform.terminate()
        platform.wait(10)
        display.stop()
    out = ROOT / "benchmarks" / "results" / "draw_cost.json"
    out.write_text(json.dumps({"command": "benchmarks/draw_cost.py", "window": [540, 960],
                               "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "redraws_per_screen": REDRAWS, "screens": rows}, indent=1, ensure_ascii=False))
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
