"""Facts about the machine the kiosk runs on: free disk, memory, uptime. Linux only (/proc), like the kiosk.

Every function returns None instead of raising when a fact cannot be read (a container without /proc/meminfo,
a state folder on a stick that was pulled): diagnostics must report what it can, never crash on what it cannot.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class DiskSpace:
    path: str  # the folder that was measured (the nearest existing one)
    free_bytes: int  # available to an unprivileged user, i.e. to the kiosk user
    total_bytes: int


def disk_space(path: Path) -> DiskSpace | None:
    """Free space of the file system holding ``path``; measured on the nearest existing parent folder,
    because on a fresh box the state folder may not exist yet."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        usage = shutil.disk_usage(probe)
    except OSError:
        return None
    return DiskSpace(str(probe), usage.free, usage.total)


def _kib_field(path: Path, name: str) -> int | None:
    """``Name:   1234 kB`` lines of /proc files, in bytes."""
    try:
        with path.open(encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_rss_bytes(pid: int | None = None) -> int | None:
    """Resident memory of a process (default: this one)."""
    return _kib_field(PROC / str(pid or os.getpid()) / "status", "VmRSS")


def mem_available_bytes() -> int | None:
    """MemAvailable: what the kernel can give without swapping (not MemFree, which ignores reclaimable cache)."""
    return _kib_field(PROC / "meminfo", "MemAvailable")


def system_uptime_s() -> float | None:
    try:
        return float((PROC / "uptime").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None
