"""A virtual X display for headless runs (tests, ``kiosk screenshots``), started only when none is set."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

APT_HINT = "apt-get install xvfb xauth"


class DisplayError(RuntimeError):
    pass


@dataclass
class VirtualDisplay:
    process: subprocess.Popen | None
    display: str

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def ensure_display(size: str = "1280x2000x24") -> VirtualDisplay:
    """Use $DISPLAY if set; otherwise start Xvfb on a free display number and set $DISPLAY."""
    if os.environ.get("DISPLAY"):
        return VirtualDisplay(None, os.environ["DISPLAY"])
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise DisplayError(f"no display ($DISPLAY is not set) and Xvfb is not installed; {APT_HINT}")
    read_fd, write_fd = os.pipe()
    # -displayfd: Xvfb picks a free display number and writes it to the pipe once it is ready to serve.
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "+extension", "GLX"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise DisplayError("Xvfb did not start; run 'Xvfb :99' by hand to see why")
    os.environ["DISPLAY"] = f":{number}"
    return VirtualDisplay(process, os.environ["DISPLAY"])
