"""The threads whose heavy work runs in native code yield the CPU to the UI.

On a two-core kiosk the camera work (grabbing, decoding QR codes in every frame, finding a page 15 times a
second, straightening and encoding it) competes with the UI thread and, without a GPU, the software GL
rasteriser. The capture screen stuttered while previewing (benchmarks/capture_ui_bench.py) though the UI
thread's own capture work took about a millisecond a frame: the worker simply took the cores when a frame was
due. On Linux the nice value is per thread, so these threads lower their own priority when they start: the UI
thread (and the rasteriser's threads, which it creates) get the CPU first and the camera work takes what is
left, which is plenty (a code is read in tens of milliseconds; a page lies still for seconds).

Only threads whose work is mostly in OpenCV, zxing and the JPEG encoder, which release the GIL. A thread whose
work is Python holds the GIL most of the time: at a lower priority it can be descheduled while holding it
(the rasteriser's threads and the X server win the cores) and the UI thread then waits for it, a priority
inversion. So the platform calls, the outbox and the printer keep the UI's priority. Measured (issue #16,
ui_soak.py, 300 sessions side by side): every background thread lowered vs only these, 7 and 7 frames over
33 ms; the earlier 100-session pairs (none lowered vs all) were within the machine's noise.
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10  # 0 is normal; each step is ~10% less CPU share under contention (CFS weights)


def yield_cpu_to_the_ui() -> None:
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
