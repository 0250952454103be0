"""Disk space held back for draining the queue when the disk is full.

Erasing an acknowledged entry is a write: SQLite needs room in the WAL for the zeroed pages. On a full disk
the queue could then never drain, and the kiosk would refuse applications until a technician came. So the
outbox keeps a preallocated reserve file and gives it up only to the sync worker's writes (acknowledgements
free far more than they cost); new applications are refused instead. The reserve is taken back once the disk
has room for it twice over, so the space just freed goes to applications first.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


class SpaceReserve:
    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = max(0, int(size))

    @property
    def held(self) -> bool:
        try:
            return self.size > 0 and self.path.stat().st_size >= self.size
        except FileNotFoundError:
            return False

    def ensure(self) -> bool:
        """Hold the reserve if the disk has room for it twice over; True when it is held."""
        if self.size == 0 or self.held:
            return self.held
        with suppress(OSError):
            info = os.statvfs(self.path.parent)
            if info.f_bavail * info.f_frsize < 2 * self.size:
                return False
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.size)  # real blocks, not a sparse file
            except OSError:
                os.close(fd)
                os.unlink(tmp)
                return False
            os.close(fd)
            os.replace(tmp, self.path)
            return True
        return False

    def release(self) -> bool:
        """Give the space back to the file system; True if there was a reserve to give."""
        if not self.held:
            return False
        with suppress(FileNotFoundError):
            os.unlink(self.path)
        return True
