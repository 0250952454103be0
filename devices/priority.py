"""Background threads yield the CPU to the UI.

On a two-core kiosk the background work (decoding QR codes in camera frames, finding a page 15 times a
second, rendering and sending a receipt, encrypting and uploading the outbox, the platform's calls)
competes with the UI thread and, without a GPU, the software GL rasteriser. The capture screen stuttered
while previewing (benchmarks/capture_ui_bench.py) though the UI thread's own capture work took about a
millisecond a frame: the worker simply took the cores when a frame was due; the 1,000-session soak showed
the same on screen arrivals, their work before the buffer swap taking twice its CPU time in wall time. On
Linux the nice value is per thread, so each background thread lowers its own priority when it starts: the UI
thread (and the rasteriser's threads, which it creates) get the CPU first and the background takes what is
left, which is plenty: a kiosk's screen is idle most of the time, and none of this work is waited for
within a frame. Threads whose lateness a citizen hears or feels (the voice, the card reader) stay as they are.
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
    except OSError as error:  # a sandbox that forbids it: the work still runs, only less politely
        log.debug("could not lower the priority of thread %s: %s", threading.current_thread().name, error)
