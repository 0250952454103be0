"""Cold start: from process start to an interactive home screen, beside a bare Kivy window on the same machine.

Budget (DESIGN.md): no more than 1.5x a bare Kivy window. Both are measured the same way, in the same run,
alternating: the time from spawning the process until it sends READY=1 over a NOTIFY_SOCKET we listen on.
The kiosk sends READY=1 after the first frame of its home screen (sd_notify, as under systemd); the bare
window sends it from its first frame too.

Beside the wall time, the CPU time (user + system, every thread) each process spent up to READY=1 is
recorded: on a shared machine it varies far less than the wall time, which waits for whatever else runs.

The project's modules are byte-compiled first, as ``pip install`` does on a kiosk box: with
PYTHONDONTWRITEBYTECODE set (as in this development sandbox) a source edited since its .pyc was written would
otherwise be compiled again at every start, which no installed kiosk does. The figures go to
benchmarks/results/cold_start.json (``benchmarks/report.py`` draws them).

    .venv/bin/python benchmarks/cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PACKAGES = ("cli", "kiosk", "screens", "devices", "offline")

BARE = """
import os, socket
os.environ.setdefault("KIVY_NO_ARGS", "1")
from kivy.app import App
from kivy.clock import Clock
from kivy.uix.label import Label
def ready(_dt):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1", os.environ["NOTIFY_SOCKET"])
class Bare(App):
    def build(self):
        Clock.schedule_once(ready, 0)
        return Label(text="hello")
Bare().run()
"""


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system, all its threads), from /proc: unlike the wall time, it
    hardly depends on what else the machine runs, so it is the steadier figure on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(command: list[str], env: dict[str, str], timeout: float = 120.0) -> tuple[float, float]:
    """(wall seconds, CPU seconds) from spawning the process to its READY=1."""
    with tempfile.TemporaryDirectory() as folder, open(Path(folder) / "stderr.log", "wb") as log:
        path = Path(folder) / "notify.sock"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(str(path))
        sock.settimeout(timeout)
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**env, "NOTIFY_SOCKET": str(path)},
                                   stdout=subprocess.DEVNULL, stderr=log)
        try:
            try:
                while b"READY=1" not in sock.recv(4096):
                    pass
                wall, cpu = time.perf_counter() - started, cpu_seconds(process.pid)
            except TimeoutError:
                log.flush()
                tail = (Path(folder) / "stderr.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"{command[-3:]}: no READY=1 within {timeout:.0f} s; its stderr ends:\n{tail}") from None
            return wall, cpu
        finally:
            process.kill()
            process.wait()
            sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS / "cold_start.json")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from kiosk.xvfb import ensure_display

    for package in PACKAGES:  # as an installed kiosk has them (see the module docstring)
        compileall.compile_dir(str(ROOT / package), quiet=1)

    display = ensure_display()
    # The same graphics settings for both: the kiosk turns multisampling off (kiosk/app_env.py), which makes its
    # first frame ~100 ms cheaper here; the bare window gets the same, so the ratio is the kiosk's own cost.
    env = {**os.environ, "KIVY_NO_ARGS": "1", "KCFG_GRAPHICS_WIDTH": "540", "KCFG_GRAPHICS_HEIGHT": "960",
           "KCFG_GRAPHICS_MULTISAMPLES": os.environ.get("KCFG_GRAPHICS_MULTISAMPLES", "0")}
    state = Path(tempfile.mkdtemp(prefix="cold-start-"))
    kiosk_cmd = [sys.executable, "-m", "cli.main", "demo", "--state-dir", str(state)]
    bare_script = state / "bare_window.py"  # Kivy's App needs a source file (it looks for a .kv beside it)
    bare_script.write_text(BARE, encoding="utf-8")
    bare_cmd = [sys.executable, str(bare_script)]
    measure(kiosk_cmd, env)  # first run extracts the font and creates the state: not a cold start of interest
    bare, kiosk, bare_cpu, kiosk_cpu = [], [], [], []
    for _ in range(args.runs):
        for times, cpus, command in ((bare, bare_cpu, bare_cmd), (kiosk, kiosk_cpu, kiosk_cmd)):
            wall, cpu = measure(command, env)
            times.append(wall)
            cpus.append(cpu)
    display.stop()
    b, k = statistics.median(bare), statistics.median(kiosk)
    bc, kc = statistics.median(bare_cpu), statistics.median(kiosk_cpu)
    print(f"bare Kivy window : median {b * 1000:.0f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in bare)})")
    print(f"kiosk home screen: median {k * 1000:.0f} ms  (runs: {', '.join(f'{x * 1000:.0f}' for x in kiosk)})")
    print(f"ratio {k / b:.2f}x (budget 1.5x): {'PASS' if k / b <= 1.5 else 'OVER BUDGET'}")
    print(f"CPU time to READY=1: bare {bc * 1000:.0f} ms, kiosk {kc * 1000:.0f} ms, ratio {kc / bc:.2f}x "
          f"(load average now {os.getloadavg()[0]:.2f})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "command": f"benchmarks/cold_start.py --runs {args.runs}",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "multisamples": env["KCFG_GRAPHICS_MULTISAMPLES"],
        "bare_ms": [round(x * 1000, 1) for x in bare],
        "kiosk_ms": [round(x * 1000, 1) for x in kiosk],
        "bare_median_ms": round(b * 1000, 1),
        "kiosk_median_ms": round(k * 1000, 1),
        "ratio": round(k / b, 3),
        # CPU time (user + system) of the process up to READY=1: steadier than wall time on a busy machine
        "bare_cpu_ms": [round(x * 1000, 1) for x in bare_cpu],
        "kiosk_cpu_ms": [round(x * 1000, 1) for x in kiosk_cpu],
        "cpu_ratio": round(kc / bc, 3),
        "budget_ratio": 1.5,
        "pass": k / b <= 1.5,
    }, indent=2) + "\n", encoding="utf-8")
    print(f"figures: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
