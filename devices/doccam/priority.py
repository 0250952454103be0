"""The document camera's threads yield the CPU to the UI.

On a two-core kiosk the capture work (grabbing, finding the page 15 times a second, straightening and
encoding a page) competes with the UI thread and, without a GPU, the software GL rasteriser. The
capture screen stuttered while previewing (benchmarks/capture_ui_bench.py) though the UI thread's own
capture work took about a millisecond a frame: the worker simply took the cores when a frame was due. On
Linux the nice value is per thread, so the camera and capture threads lower their own priority: the UI
gets the CPU first and capture takes what is left, which is plenty (a page lies still for seconds).
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10  # 0 is normal; each step is ~10% less CPU share under contention (CFS weights)


def run_in_background() -> None:
    """Lower the calling thread's CPU priority to ``BACKGROUND_NICE`` (never raises it; no-op elsewhere)."""
    setpriority = getattr(os, "setpriority", None)
    if setpriority is None or BACKGROUND_NICE <= 0:
        return
    try:
        thread_id = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, thread_id) < BACKGROUND_NICE:
            setpriority(os.PRIO_PROCESS, thread_id, BACKGROUND_NICE)
    except OSError as error:  # a sandbox that forbids it: capture still works, only less politely
        log.debug("document camera: could not lower the thread priority: %s", error)
