"""Where a slow frame's time went, as the kernel accounts it (used by ui_soak.py and capture_ui_bench.py).

A frame's wall time is the UI thread running, the UI thread runnable but without a CPU (the machine was busy),
or the UI thread blocked (waiting for the GIL, for the GL rasteriser at the buffer swap, for the X server).
/proc/<pid>/task/<tid>/schedstat gives each thread's CPU time and its time runnable-but-waiting, in ns; the
first line of /proc/stat the machine's stolen time (the hypervisor running another guest on our CPUs).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class SchedProbe:
    """Where a slow frame's wall time went, from the kernel's scheduler accounting (/proc/.../schedstat: CPU time
    and time spent runnable but waiting for a CPU, in ns): the UI thread's, the GL rasteriser's threads (llvmpipe),
    the kiosk's other threads (those at a lowered priority apart from the rest), the X server's, the sandbox
    platform's and the printer's processes, and the machine's stolen time (the hypervisor running another guest).
    Read between frames (outside the timed region) with pread on files kept open."""

    # kiosk_background: the kiosk's threads at a lowered priority (devices/priority.py: camera, QR decoder, capture);
    # kiosk_workers: the rest (platform calls, outbox, printer: Python work at the UI's priority).
    GROUPS = ("ui", "rasteriser", "kiosk_background", "kiosk_workers", "xserver", "platform", "printer")

    def __init__(self, others: dict[str, int | None]) -> None:
        self.ui_tid = threading.get_native_id()
        self.fds: dict[str, list[int]] = {name: [] for name in self.GROUPS}
        self.known_tasks: set[int] = set()
        self.frames = 0
        self.refresh_tasks()
        for name, pid in others.items():
            if pid:
                self.fds[name] = [os.open(f"/proc/{pid}/task/{tid}/schedstat", os.O_RDONLY)
                                  for tid in os.listdir(f"/proc/{pid}/task")]
        self.stat = os.open("/proc/stat", os.O_RDONLY)

    def refresh_tasks(self) -> None:
        """Threads come and go (the sync worker's, requests'): new ones are picked up every few hundred frames."""
        for task in Path("/proc/self/task").iterdir():
            tid = int(task.name)
            if tid in self.known_tasks:
                continue
            try:
                comm = (task / "comm").read_text()
                fd = os.open(task / "schedstat", os.O_RDONLY)
            except OSError:
                continue
            try:  # a thread lowers its priority as it starts, long before it is found here
                lowered = os.getpriority(os.PRIO_PROCESS, tid) > os.getpriority(os.PRIO_PROCESS, self.ui_tid)
            except OSError:
                lowered = False
            self.known_tasks.add(tid)
            group = ("ui" if tid == self.ui_tid else "rasteriser" if comm.startswith("llvmpipe")
                     else "kiosk_background" if lowered else "kiosk_workers")
            self.fds[group].append(fd)

    @staticmethod
    def _read(fd: int) -> tuple[int, int]:
        try:
            cpu, wait, _slices = os.pread(fd, 128, 0).split()
        except OSError:  # the thread has ended
            return 0, 0
        return int(cpu), int(wait)

    def snapshot(self) -> tuple[int, ...]:
        self.frames += 1
        if self.frames % 500 == 0:
            self.refresh_tasks()
        values: list[int] = []
        for name in self.GROUPS:
            reads = [self._read(fd) for fd in self.fds[name]]
            values += [sum(r[0] for r in reads), sum(r[1] for r in reads)]
        values.append(int(os.pread(self.stat, 256, 0).split(b"\n", 1)[0].split()[8]))  # stolen, USER_HZ ticks
        return tuple(values)

    @classmethod
    def delta_ms(cls, before: tuple[int, ...], after: tuple[int, ...]) -> dict[str, float]:
        d = [b - a for a, b in zip(before, after, strict=True)]
        out: dict[str, float] = {}
        for index, name in enumerate(cls.GROUPS):
            out[f"{name}_cpu_ms"] = round(d[2 * index] / 1e6, 1)
            out[f"{name}_waiting_for_cpu_ms"] = round(d[2 * index + 1] / 1e6, 1)
        out["stolen_ms"] = d[-1] * 1000 / os.sysconf("SC_CLK_TCK")
        return out
