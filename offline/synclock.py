"""One syncer per outbox: an advisory ``flock`` on ``<outbox>.sync-lock``.

The app's worker and ``kiosk sync --once`` may run at the same time. Only the lock holder may send entries
and reset ``sending`` ones left by a crash (for the holder, any ``sending`` entry is an interrupted one). The
kernel releases the lock when the holder dies, even by SIGKILL, so a crash never leaves the queue locked.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from pathlib import Path

from offline.errors import SyncBusy


class SyncLock:
    def __init__(self, outbox_path: Path) -> None:
        self.path = outbox_path.with_name(outbox_path.name + ".sync-lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SyncBusy(
                f"outbox sync lock {self.path}: another sync is running (pid {holder}); "
                f"use 'force sync' in that process or wait for it to finish"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        # Only to name the holder in SyncBusy messages; on a full disk the lock matters, the name does not.
        with suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.close(fd)  # closing the descriptor drops the flock
