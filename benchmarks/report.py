"""The performance report a person can read: a PNG chart and the README's Performance table, from the JSON the
benchmarks wrote under benchmarks/results/.

    .venv/bin/python benchmarks/report.py run-others   # rerun decode, receipt, enqueue, drain; keep their output
    .venv/bin/python benchmarks/report.py              # draw results/performance.png, write README-performance.md

``run-others`` runs the other benchmarks with the README's commands, in this session (so "nothing else got
slower" is compared on the same machine load), keeps each one's output in results/<name>.txt and its headline
figures in results/others.json. The chart has three panels: the UI frame-time histogram (ui_soak.json), RSS over
the soak's sessions, and the cold-start runs beside the bare Kivy window (cold_start.json). Drawn with Pillow,
which the kiosk already depends on.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable

# name -> the command after the interpreter (the README's commands)
OTHERS: dict[str, list[str]] = {
    "decode": ["benchmarks/decode_bench.py", "--frames", "312", "--idle", "90"],
    "receipt": ["benchmarks/receipt_size.py"],
    "enqueue": ["benchmarks/outbox_enqueue.py", "--n", "5000"],
    "drain": ["benchmarks/sync_drain_sandbox.py", "--n", "10000"],
}

# the lines of each one's output that carry its headline figures (by how they start)
HEADLINES: dict[str, tuple[str, ...]] = {
    "decode": ("pipeline/zxing ", "bare zxing-cpp "),
    "receipt": ("80mm ESC/POS", "budget"),
    "enqueue": ("p50",),
    "drain": ("drained", "RSS:"),
}


def headline(name: str, output: list[str]) -> str:
    picked = [line.strip() for line in output if line.strip().startswith(HEADLINES[name])]
    picked = [line.split("; peak")[0].split(" plain=")[0] for line in picked[:len(HEADLINES[name])]]
    text = "; ".join(" ".join(line.split()) for line in picked).replace("|", "/")
    return ("ms p50 p95 max 1st-p95, frames, codes, ttfd p50 p95: " + text) if name == "decode" else text


def run_others(names: list[str]) -> int:
    summary_path = RESULTS / "others.json"
    summary: dict[str, Any] = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for name in names:
        command = OTHERS[name]
        started = time.perf_counter()
        done = subprocess.run([PYTHON, *command], cwd=ROOT, capture_output=True, text=True, timeout=900)
        elapsed = time.perf_counter() - started
        output = done.stdout + (f"\n[stderr]\n{done.stderr[-3000:]}" if done.returncode else "")
        (RESULTS / f"{name}.txt").write_text(output, encoding="utf-8")
        summary[name] = {
            "command": " ".join([".venv/bin/python", *command]),
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "exit_status": done.returncode,
            "seconds": round(elapsed, 1),
            "output": done.stdout.strip().splitlines()[-16:],
        }
        print(f"{name}: exit {done.returncode} in {elapsed:.0f} s -> results/{name}.txt", flush=True)
    summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


# -- the chart ------------------------------------------------------------------------------------------------
WIDTH, PANEL_H, MARGIN = 1200, 380, 70
INK, GRID, ACCENT, BAD, MUTED = (30, 30, 30), (225, 225, 225), (40, 100, 190), (200, 60, 40), (130, 130, 130)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


class Panel:
    """One chart: a plot area inside the image, with data-to-pixel mapping."""

    def __init__(self, draw: ImageDraw.ImageDraw, top: int, title: str) -> None:
        self.draw = draw
        self.left, self.right = MARGIN + 20, WIDTH - 30
        self.top, self.bottom = top + 40, top + PANEL_H - 50
        draw.text((MARGIN - 40, top + 8), title, fill=INK, font=_font(18))
        draw.rectangle((self.left, self.top, self.right, self.bottom), outline=MUTED)

    def y_axis(self, low: float, high: float, label: str, log: bool = False) -> None:
        self.low, self.high, self.log = low, high, log
        small = _font(12)
        ticks = [10**k for k in range(int(math.log10(max(low, 1))), int(math.log10(high)) + 1)] if log else \
            [low + (high - low) * i / 5 for i in range(6)]
        for value in ticks:
            y = self.y(value)
            self.draw.line((self.left, y, self.right, y), fill=GRID)
            text = f"{value:,.0f}" if high - low > 20 else f"{value:.1f}"
            self.draw.text((self.left - 8, y), text, fill=MUTED, font=small, anchor="rm")
        self.draw.text((self.left, self.top - 4), label, fill=MUTED, font=small, anchor="lb")

    def y(self, value: float) -> float:
        if self.log:
            value, low, high = math.log10(max(value, 1)), math.log10(max(self.low, 1)), math.log10(self.high)
        else:
            low, high = self.low, self.high
        return self.bottom - (value - low) / (high - low or 1) * (self.bottom - self.top)


def frame_panel(draw: ImageDraw.ImageDraw, top: int, soak: dict[str, Any]) -> None:
    frames = soak["frame_time"]
    counts, edges = frames["histogram_counts"], frames["histogram_edges_ms"]
    panel = Panel(draw, top, f"UI frame time, sessions {11}-{soak['sessions']} ({frames['frames_after_warm_up']:,} frames): "
                             f"median {frames['median_ms']} ms, p99 {frames['p99_ms']} ms, max {frames['max_ms']} ms, "
                             f"{frames['over_33ms_after_warm_up']} over 33 ms")
    panel.y_axis(1, max(10, max(counts) * 2), "frames (log)", log=True)
    width = (panel.right - panel.left) / len(counts)
    small = _font(12)
    for i, count in enumerate(counts):
        x0 = panel.left + i * width + 3
        colour = BAD if edges[i] >= 33 else ACCENT
        if count:
            draw.rectangle((x0, panel.y(count), x0 + width - 6, panel.bottom), fill=colour)
            draw.text((x0 + width / 2 - 3, panel.y(count) - 4), f"{count:,}", fill=INK, font=small, anchor="mb")
        upper = edges[i + 1] if i + 1 < len(edges) else None
        label = f"{edges[i]:g}-{upper:g}" if upper else f"{edges[i]:g}+"
        draw.text((x0 + width / 2 - 3, panel.bottom + 6), label, fill=MUTED, font=small, anchor="mt")
    draw.text((panel.right, panel.bottom + 24), "ms per frame (red: over the 33 ms budget)", fill=MUTED, font=small,
              anchor="rt")


def rss_panel(draw: ImageDraw.ImageDraw, top: int, soak: dict[str, Any]) -> None:
    points = soak["rss_mb"]
    growth = soak["rss_growth_mb"]
    arrays = dict(soak.get("soak_arrays_mb", []))
    whose = ""
    if arrays:  # the kiosk's RSS: the soak's own frame arrays (same process) taken off, as in the growth
        first = arrays[points[0][0]]
        points = [(n, mb - (arrays[n] - first)) for n, mb in points]
        whose = ", less the soak's own frame arrays"
    panel = Panel(draw, top, f"RSS over {soak['sessions']} sessions{whose}: {growth['growth']:+.2f} MB from session "
                             f"{growth['from_session']} to {growth['to_session']} (budget < 5 MB)")
    values = [mb for _, mb in points]
    start = next((mb for n, mb in points if n == growth["from_session"]), values[0])
    low, high = math.floor(min(values) - 2), math.ceil(max(max(values), start + 5) + 2)  # the budget line inside
    panel.y_axis(low, high, "MB")
    last = max(n for n, _ in points)
    small = _font(12)

    def x(session: float) -> float:
        return panel.left + session / last * (panel.right - panel.left)

    draw.line((x(growth["from_session"]), panel.y(start + 5), panel.right, panel.y(start + 5)), fill=BAD, width=1)
    draw.text((panel.right - 4, panel.y(start + 5) - 4), "budget: +5 MB", fill=BAD, font=small, anchor="rb")
    draw.line([(x(n), panel.y(mb)) for n, mb in points], fill=ACCENT, width=2)
    for session in range(0, last + 1, max(1, last // 10)):
        draw.text((x(session), panel.bottom + 6), str(session), fill=MUTED, font=small, anchor="mt")
    draw.text((panel.right, panel.bottom + 24), "session", fill=MUTED, font=small, anchor="rt")


def cold_panel(draw: ImageDraw.ImageDraw, top: int, cold: dict[str, Any]) -> None:
    cpu = f"; CPU time {cold['cpu_ratio']:.2f}x" if "cpu_ratio" in cold else ""
    panel = Panel(draw, top, f"Cold start to READY=1: kiosk median {cold['kiosk_median_ms']:.0f} ms, bare Kivy window "
                             f"{cold['bare_median_ms']:.0f} ms = {cold['ratio']:.2f}x (budget 1.5x){cpu}")
    runs = list(zip(cold["bare_ms"], cold["kiosk_ms"], strict=True))
    high = max(max(cold["kiosk_ms"]), max(cold["bare_ms"]), cold["bare_median_ms"] * 1.5) * 1.15
    panel.y_axis(0, high, "ms")
    small = _font(12)
    group = (panel.right - panel.left) / (len(runs) + 1)
    for i, (bare, kiosk) in enumerate([*runs, (cold["bare_median_ms"], cold["kiosk_median_ms"])]):
        x0 = panel.left + i * group + group * 0.15
        bar = group * 0.33
        for j, (value, colour) in enumerate(((bare, MUTED), (kiosk, ACCENT))):
            left = x0 + j * (bar + 4)
            draw.rectangle((left, panel.y(value), left + bar, panel.bottom), fill=colour)
            draw.text((left + bar / 2, panel.y(value) - 4), f"{value:.0f}", fill=INK, font=small, anchor="mb")
        label = f"run {i + 1}" if i < len(runs) else "median"
        draw.text((x0 + bar, panel.bottom + 6), label, fill=INK, font=small, anchor="mt")
    budget = panel.y(cold["bare_median_ms"] * 1.5)
    draw.line((panel.left, budget, panel.right, budget), fill=BAD)
    draw.text((panel.right - 4, budget - 4), "1.5x the bare window's median", fill=BAD, font=small, anchor="rb")
    draw.text((panel.right, panel.bottom + 24), "grey: bare Kivy window, blue: kiosk home screen", fill=MUTED,
              font=small, anchor="rt")


def draw_chart(soak: dict[str, Any] | None, cold: dict[str, Any] | None, out: Path) -> Path:
    panels = [p for p in ((frame_panel, soak), (rss_panel, soak), (cold_panel, cold)) if p[1] is not None]
    image = Image.new("RGB", (WIDTH, PANEL_H * max(1, len(panels))), "white")
    draw = ImageDraw.Draw(image)
    for index, (paint, data) in enumerate(panels):
        paint(draw, index * PANEL_H, data)
    image.save(out)
    return out


# -- the README table -----------------------------------------------------------------------------------------
def table(soak: dict[str, Any] | None, cold: dict[str, Any] | None, others: dict[str, Any]) -> str:
    rows = ["| what | figure | budget | command |", "|---|---|---|---|"]
    for name, what, budget in (("decode", "QR decode, 1920x1080 frame (hard set)", "p95 < 8 ms, detection ≥ bare zxing-cpp"),
                               ("receipt", "standard acceptance receipt", "≤ 2 KB, < 3 s at 9600"),
                               ("enqueue", "durable enqueue (fsync'd, encrypted)", "p99 < 5 ms"),
                               ("drain", "drain 10,000 entries to the signed sandbox", "memory flat")):
        entry = others.get(name)
        if entry:
            figure = headline(name, entry["output"])
            rows.append(f"| {what} | {figure} (rerun {entry['measured_at'][:16]}) | {budget} | `{entry['command']}` |")
    if cold:
        verdict = "**met**" if cold["pass"] else "**missed**"
        cpu_note = (f"; CPU time to READY=1 (steadier on a busy machine): kiosk {_median(cold['kiosk_cpu_ms']):.0f} ms vs "
                    f"bare {_median(cold['bare_cpu_ms']):.0f} ms = {cold['cpu_ratio']:.2f}x" if "cpu_ratio" in cold else "")
        rows.append(f"| cold start to the home screen (READY=1) | {cold['kiosk_median_ms']:.0f} ms vs bare Kivy window "
                    f"{cold['bare_median_ms']:.0f} ms: **{cold['ratio']:.2f}x** (runs: kiosk "
                    f"{', '.join(f'{x:.0f}' for x in cold['kiosk_ms'])}; bare {', '.join(f'{x:.0f}' for x in cold['bare_ms'])})"
                    f"{cpu_note}; load average {cold['machine']['load_average_1m_at_end']} "
                    f"| ≤ 1.5x: {verdict} | `.venv/bin/python {cold['command']}` |")
    if soak:
        frames, cpu, taps, growth = soak["frame_time"], soak["frame_time"].get("ui_thread_cpu", {}), \
            soak["tap_to_screen"], soak["rss_growth_mb"]
        stalls = frames["over_33ms_after_warm_up"]
        drawn = frames.get("drawn_frames")
        drawn_note = (f"; the {drawn['frames_after_warm_up']:,} frames that drew the window: median {drawn['median_ms']} ms, "
                      f"p99 {drawn['p99_ms']} ms, their UI-thread CPU median {drawn['ui_thread_cpu']['median_ms']} ms, "
                      f"max {drawn['ui_thread_cpu']['max_ms']} ms" if drawn else "")
        swap = (drawn or {}).get("swap")
        if swap and swap["over_33ms"]["frames"]:
            over = swap["over_33ms"]
            drawn_note += (f"; a drawn frame is median {swap['median_before_swap_ms']} ms of work then "
                           f"{swap['median_swap_ms']} ms in the buffer swap (waiting for the GL rasteriser); the frames "
                           f"over 33 ms: {over['median_before_swap_ms']} + {over['median_swap_ms']} ms, "
                           f"{over['before_swap_alone_over_33ms']} of them over 33 ms before the swap")
        where = (drawn or {}).get("over_33ms_where_the_time_went")
        if where and where["frames"]:
            stolen = where["with_stolen_time"]
            drawn_note += (f"; of the {where['frames']} drawn frames over 33 ms, **{stolen} came while the hypervisor "
                           f"ran another guest on this VM's CPUs** (stolen time in /proc/stat during the frame) and "
                           f"{where['frames'] - stolen} without")
        cpu_stalls = cpu.get("over_33ms_after_warm_up")
        rows.append(f"| UI thread while scanning, printing and syncing ({soak['sessions']} citizen sessions through the real "
                    f"window, {soak['elapsed_s'] / 60:.0f} min) | frame time after session 10: median {frames['median_ms']} ms, "
                    f"p99 {frames['p99_ms']} ms, max {frames['max_ms']} ms, **{stalls} frames over 33 ms** "
                    f"({frames['over_33ms_in_warm_up']} in the first 10 sessions); UI-thread CPU per frame max "
                    f"{cpu.get('max_ms')} ms, {cpu_stalls} frames over 33 ms{drawn_note}; load average at the end "
                    f"{soak['machine']['load_average_1m_at_end']} "
                    f"| never > 33 ms: {'**met**' if stalls == 0 else '**missed** (wall time; UI-thread CPU: ' + ('met' if cpu_stalls == 0 else 'missed') + ')'} "
                    f"| `.venv/bin/python {soak['command']}` |")
        after = f" after session {taps['after_session']}" if "after_session" in taps else ""
        rows.append(f"| tap → next screen's first complete frame (same run) | p50 {taps['p50_ms']} ms, "
                    f"**p95 {taps['p95_ms']} ms**, max {taps['max_ms']} ms over {taps['taps']} taps{after} | p95 < 100 ms: "
                    f"{'**met**' if taps['p95_ms'] < 100 else '**missed**'} | same |")
        trimmed = soak.get("rss_at_end_after_malloc_trim_mb")
        heap = dict((n, h) for n, h in soak.get("malloc_mb", []))
        first, last = heap.get(growth["from_session"]), heap.get(growth["to_session"])
        heap_note = (f"; glibc heap in use {first['in_use_mb']:.1f} → {last['in_use_mb']:.1f} MB, freed but held "
                     f"{first['free_held_mb']:.1f} → {last['free_held_mb']:.1f} MB" if first and last and "in_use_mb" in first
                     else "")
        trim_note = f"; RSS at the end {soak['rss_mb'][-1][1]:.1f} MB, after malloc_trim(0) {trimmed:.1f} MB" if trimmed else ""
        own = (f" (the process {growth['process_rss_growth']:+.2f} MB less the soak's own frame arrays "
               f"{growth['soak_arrays_growth']:+.2f} MB)" if "soak_arrays_growth" in growth else "")
        rows.append(f"| memory across sessions (same run) | RSS {growth['growth']:+.2f} MB from session "
                    f"{growth['from_session']} to {growth['to_session']}{own}{trim_note}{heap_note} | < 5 MB over 1,000: "
                    f"{'**met**' if growth['growth'] < 5 and growth['to_session'] >= 1000 else ('within budget so far' if growth['growth'] < 5 else '**missed**')} "
                    f"| same |")
    return "\n".join(rows) + "\n"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _load(name: str, folder: Path = RESULTS) -> dict[str, Any] | None:
    path = folder / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", choices=("chart", "run-others"), default="chart")
    parser.add_argument("--only", nargs="*", choices=sorted(OTHERS), help="with run-others: just these")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder of the JSON (and of the chart)")
    args = parser.parse_args()
    if args.action == "run-others":
        return run_others(args.only or list(OTHERS))
    folder = args.results
    soak, cold = _load("ui_soak.json", folder), _load("cold_start.json", folder)
    others = _load("others.json", folder) or {}
    if soak is None and cold is None:
        raise SystemExit("benchmarks/results has no ui_soak.json or cold_start.json yet; run benchmarks/ui_soak.py and "
                         "benchmarks/cold_start.py first")
    chart = draw_chart(soak, cold, folder / "performance.png")
    markdown = folder / "README-performance.md"
    markdown.write_text(
        "Figures from `benchmarks/results/*.json` (written by the benchmarks; chart: "
        "`benchmarks/results/performance.png`, drawn by `benchmarks/report.py`).\n\n" + table(soak, cold, others),
        encoding="utf-8")
    print(f"chart: {chart}\ntable: {markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
