"""The capture thread shared by real and simulated cameras: newest frame wins, faults are named, and a lost
camera is reopened by itself.

A grabber (V4L2 or simulated) only knows how to open, read one frame and close. This class runs it on a
thread, keeps exactly one frame (the newest: a decoder that falls behind skips frames instead of working
through a backlog of stale ones), and turns what goes wrong into a ``DeviceStatus`` a technician can act on.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

import numpy as np

from devices.priority import yield_cpu_to_the_ui
from devices.status import DeviceStatus

log = logging.getLogger(__name__)


class Grabber(Protocol):
    location: str

    def open(self) -> None: ...  # raises OSError with a readable message when the camera is not there

    def read(self) -> np.ndarray | None: ...  # None: the camera stopped delivering (unplugged, driver error)

    def close(self) -> None: ...


# Mean and spread under which a frame counts as black (covered lens, lights off, dead sensor).
BLACK_MEAN = 10.0
BLACK_STD = 4.0


class Camera:
    def __init__(
        self,
        grabber: Grabber,
        *,
        stall_timeout: float = 2.0,
        reconnect_delay: float = 1.0,
        black_frames: int = 30,
    ) -> None:
        self.grabber = grabber
        self.location = grabber.location
        self.simulator = None  # the SceneGrabber behind sim:// (demo and tests), else None
        self._stall_timeout = stall_timeout
        self._reconnect_delay = reconnect_delay
        self._black_limit = black_frames
        self._black_run = 0
        self._frame: np.ndarray | None = None
        self._frame_id = 0
        self._frame_at = 0.0
        self._cond = threading.Condition()
        self._status = DeviceStatus.degraded(f"camera {self.location}: not started")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- public API -----------------------------------------------------------------------------------------

    def start(self) -> Camera:
        if self._thread is None:
            self._stop.clear()
            with self._cond:  # a restart (the document camera, per citizen) is judged afresh, not by last time
                self._frame_at = 0.0
                self._black_run = 0
                self._status = DeviceStatus.degraded(f"camera {self.location}: not started")
            self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.grabber.close()
        with self._cond:
            self._frame = None
            self._cond.notify_all()

    def latest(self) -> tuple[int, np.ndarray] | None:
        """The newest frame and its number (numbers only grow), or None before the first frame."""
        with self._cond:
            if self._frame is None:
                return None
            return self._frame_id, self._frame

    def wait_newer(self, frame_id: int, timeout: float) -> tuple[int, np.ndarray] | None:
        """Block until a frame newer than ``frame_id`` arrives (or timeout / stop): for the decode worker."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._frame is None or self._frame_id <= frame_id:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(remaining)
            return self._frame_id, self._frame

    @property
    def running(self) -> bool:
        """Started and not stopped (a document camera runs only while materials are photographed)."""
        return self._thread is not None

    @property
    def frame_age_s(self) -> float | None:
        """Seconds since the newest frame arrived; None before the first (diagnostics show it)."""
        with self._cond:
            frame_at = self._frame_at
        return None if not frame_at else time.monotonic() - frame_at

    @property
    def status(self) -> DeviceStatus:
        with self._cond:
            status, frame_at, running = self._status, self._frame_at, self._thread is not None
        # A capture call that hangs cannot report itself; the age of the newest frame can.
        if running and status.usable and frame_at and time.monotonic() - frame_at > self._stall_timeout:
            return DeviceStatus.fault(
                f"camera {self.location}: no frame for {time.monotonic() - frame_at:.1f} s (stalled; "
                "check the USB cable, or another program holding the camera)"
            )
        return status

    # --- capture thread -------------------------------------------------------------------------------------

    def _run(self) -> None:
        yield_cpu_to_the_ui()  # grabbing yields to the UI thread and the GL rasteriser (devices/priority.py)
        opened = False
        while not self._stop.is_set():
            if not opened:
                try:
                    self.grabber.open()
                    opened = True
                except OSError as exc:
                    self._set_status(DeviceStatus.fault(f"camera {self.location}: {exc}"))
                    self._stop.wait(self._reconnect_delay)
                    continue
            frame = self.grabber.read()
            if frame is None:
                if self._stop.is_set():
                    break
                self._set_status(
                    DeviceStatus.fault(
                        f"camera {self.location}: stopped delivering frames (unplugged?); reconnecting"
                    )
                )
                self.grabber.close()
                opened = False
                self._stop.wait(self._reconnect_delay)
                continue
            self._publish(frame)
        self.grabber.close()

    def _publish(self, frame: np.ndarray) -> None:
        # Sample every 8th pixel: enough to tell black from a scene, cheap at 1080p.
        sample = frame[::8, ::8]
        black = float(sample.mean()) < BLACK_MEAN and float(sample.std()) < BLACK_STD
        self._black_run = self._black_run + 1 if black else 0
        with self._cond:
            self._frame = frame
            self._frame_id += 1
            self._frame_at = time.monotonic()
            self._cond.notify_all()
        if self._black_run >= self._black_limit:
            self._set_status(
                DeviceStatus.degraded(
                    f"camera {self.location}: frames are black (lens covered, cap on, or lighting off)"
                )
            )
        elif self._black_run == 0:
            self._set_status(DeviceStatus.ok())

    def _set_status(self, status: DeviceStatus) -> None:
        with self._cond:
            if status == self._status:
                return
            self._status = status
        log.info("camera status: %s", status)
