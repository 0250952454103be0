"""Heartbeats to the platform: every few minutes, and promptly whenever a device changes state.

A village kiosk has nobody from IT nearby; the platform must learn that the paper is nearly used up before
it runs out, not from a citizen's complaint. So the reporter looks at the kiosk's state often (cheaply, from
the statuses the app already keeps) and sends a heartbeat as soon as a device's state differs from what the
platform last acknowledged, plus one every ``interval_s`` as a sign of life.

Offline, only the newest heartbeat is kept, in memory, and sent when the platform answers again. Heartbeats
deliberately bypass the outbox (which would also keep only the newest): the outbox is strictly first in,
first out, so a "printer in fault" heartbeat would wait behind a backlog of material images exactly when
it matters; and after a restart the state is read afresh anyway, so durability buys nothing.

Heartbeats carry no personal data: device states and technician reasons (redacted once more), queue
counts, versions, free disk, uptime.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import kiosk
from devices.status import DeviceState, DeviceStatus
from kiosk import sysinfo
from kiosk.availability import assess
from kiosk.diagnostics import iso
from kiosk.logging_setup import redact

log = logging.getLogger(__name__)

HEARTBEAT_SCHEMA = 1
DEFAULT_INTERVAL_S = 300.0  # sign of life: every 5 minutes
DEFAULT_CHECK_S = 10.0  # how often the (cheap, local) state is looked at for changes
DEFAULT_RETRY_S = 30.0  # offline: how often to try the newest heartbeat again
DEFAULT_MIN_GAP_S = 2.0  # a flapping device must not flood the platform


class HeartbeatClient(Protocol):
    def heartbeat(self, body: dict) -> None: ...


# -- the body -----------------------------------------------------------------------------------------------


def heartbeat_body(
    devices: Mapping[str, DeviceStatus | None],
    *,
    required: tuple[str, ...] = (),
    outbox_status: Any | None = None,
    state_dir: Path | None = None,
    started_at: float | None = None,
    catalog: Any | None = None,
    clock: Callable[[], float] = time.time,
    consumables: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The heartbeat for these device statuses (None = disabled) and this outbox status (OutboxStatus)."""
    device_part = {}
    for name, status in devices.items():
        state = "disabled" if status is None else DeviceState(status.state).value
        reason = "" if status is None else redact(status.reason)
        device_part[name] = {"state": state, "reason": reason, "required": name in required}
    body: dict[str, Any] = {
        "schema": HEARTBEAT_SCHEMA,
        "versions": {"kiosk": kiosk.__version__, "python": sys.version.split()[0]},
        "devices": device_part,
        "availability": assess(devices, required, catalog).level.value,
        "outbox": None,
        "alerts": [],  # what a technician must act on (the platform's fleet view raises them)
        "disk_free_bytes": None,
        "uptime_s": None if started_at is None else round(max(0.0, clock() - started_at)),
    }
    if outbox_status is not None:
        age = outbox_status.oldest_pending_age
        body["outbox"] = {
            "pending": outbox_status.depth + outbox_status.sending,
            "dead": outbox_status.dead,
            "oldest_pending_age_s": None if age is None else round(age),
            "last_success_at": iso(outbox_status.last_success_at),
        }
        if outbox_status.dead:
            # Work the platform refused for good (e.g. a 4xx for an application the citizen was told was
            # saved): kept in the outbox, never silent. The reason has no personal data (offline/sync scrubs it).
            body["alerts"].append({
                "kind": "outbox_dead", "count": outbox_status.dead,
                "detail": redact(f"{outbox_status.dead} queued entr{'y' if outbox_status.dead == 1 else 'ies'} "
                                 f"refused by the platform; last error: {outbox_status.last_error or 'none'}; "
                                 "run 'kiosk queue list --state dead'")[:300],
            })
    if state_dir is not None:
        disk = sysinfo.disk_space(state_dir)
        body["disk_free_bytes"] = disk.free_bytes if disk else None
    if consumables is not None:  # paper printed since the last 换纸 (kiosk.consumables.heartbeat_part)
        body["consumables"] = dict(consumables)
    return body


def make_snapshot(
    devices: Callable[[], Mapping[str, DeviceStatus | None]],
    *,
    required: tuple[str, ...] = (),
    outbox: Any | None = None,
    state_dir: Path | None = None,
    started_at: float | None = None,
    catalog: Callable[[], Any] | None = None,
    consumables: Callable[[], Mapping[str, Any]] | None = None,
) -> Callable[[], dict[str, Any]]:
    """A snapshot function for the reporter, from what the app keeps: e.g.
    ``make_snapshot(lambda: dict(runtime.device_status), required=config.devices.required, outbox=outbox,
    state_dir=config.kiosk.state_dir, started_at=app_start, catalog=lambda: app.catalog)``."""

    def snapshot() -> dict[str, Any]:
        status = None
        if outbox is not None:
            try:
                status = outbox.status()
            except Exception as exc:  # an unreadable outbox is itself worth reporting, not a reason to go silent
                log.error("heartbeat: outbox status unavailable: %s", exc)
        return heartbeat_body(devices(), required=required, outbox_status=status, state_dir=state_dir,
                              started_at=started_at, catalog=catalog() if catalog else None,
                              consumables=consumables() if consumables else None)

    return snapshot


def fingerprint(body: Mapping[str, Any]) -> str:
    """What counts as a state change: device states, availability, dead entries appearing. Not reasons (a
    stalled camera's reason counts seconds) and not counters (the queue depth moves all the time)."""
    outbox = body.get("outbox") or {}
    return json.dumps(
        {
            "devices": {n: d.get("state") for n, d in sorted((body.get("devices") or {}).items())},
            "availability": body.get("availability"),
            "dead": bool(outbox.get("dead")),
        },
        sort_keys=True,
    )


# -- the reporter -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sent:
    body: dict[str, Any]
    at: float  # the reporter's clock


class HeartbeatReporter:
    """Sends heartbeats on a daemon thread; ``notify_change()`` from any thread sends one promptly.

    ``snapshot()`` returns the body (see ``heartbeat_body``/``make_snapshot``); it is called on the
    reporter's thread and must be cheap (statuses the app already has, no device I/O). ``clock`` is a
    monotonic clock and ``wall_clock`` unix time, both injectable for tests; ``tick()`` runs one step
    without the thread. ``on_sent(body)`` is called after the platform accepted a heartbeat.
    """

    def __init__(
        self,
        client: HeartbeatClient,
        snapshot: Callable[[], dict[str, Any]],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        check_s: float = DEFAULT_CHECK_S,
        retry_s: float = DEFAULT_RETRY_S,
        min_gap_s: float = DEFAULT_MIN_GAP_S,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_sent: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        if min(interval_s, check_s, retry_s) <= 0 or min_gap_s < 0:
            raise ValueError("heartbeat intervals must be positive")
        self._client = client
        self._snapshot = snapshot
        self.interval_s, self.check_s, self.retry_s, self.min_gap_s = interval_s, check_s, retry_s, min_gap_s
        self._clock, self._wall_clock = clock, wall_clock
        self._on_sent = on_sent
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._poked = True  # the first tick sends: the platform learns the kiosk (re)started
        self._sent_fp: str | None = None
        self._pending: dict[str, Any] | None = None
        self._pending_fp: str | None = None
        self._next_due = float("-inf")
        self._retry_at = float("-inf")
        self._last_attempt = float("-inf")
        self.sent_count = 0
        self.failed_count = 0
        self.last_sent: Sent | None = None
        self.last_error = ""

    # -- control ------------------------------------------------------------------------------------------

    def start(self) -> HeartbeatReporter:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def notify_change(self) -> None:
        """A device (or anything in the heartbeat) changed: send soon. Safe from any thread, e.g. a device's
        status callback; cheap, never blocks."""
        with self._lock:
            self._poked = True
        self._wake.set()

    @property
    def pending(self) -> dict[str, Any] | None:
        """The newest heartbeat the platform has not accepted yet (offline), or None."""
        with self._lock:
            return self._pending

    # -- one step -----------------------------------------------------------------------------------------

    def tick(self) -> bool:
        """Look at the state and send a heartbeat if one is due; True if one was accepted."""
        now = self._clock()
        body = self._snapshot()
        fp = fingerprint(body)
        with self._lock:
            poked = self._poked
            waiting = self._pending is not None
            changed = fp != self._sent_fp and (not waiting or fp != self._pending_fp)
        if waiting:
            # Offline: retry on schedule, or at once when the state changed again since the failed attempt.
            due, reason = changed or now >= self._retry_at, "change" if changed else "retry"
        else:
            due = poked or changed or now >= self._next_due
            reason = "change" if (changed or poked) else "interval"
        if not due:
            return False
        if now - self._last_attempt < self.min_gap_s:
            with self._lock:
                self._poked = True  # the loop comes back when the gap is over, and sends then
            return False
        with self._lock:
            self._poked = False
        self._last_attempt = now
        body = {**body, "reason": reason, "sent_at": iso(self._wall_clock())}
        try:
            self._client.heartbeat(body)
        except Exception as exc:  # PlatformError when offline; anything else must not end heartbeats either
            with self._lock:
                self._pending, self._pending_fp = body, fp  # newest only: the older one is dropped
            self._retry_at = now + self.retry_s
            self.failed_count += 1
            self.last_error = str(exc) or type(exc).__name__
            log.info("heartbeat not delivered (kept the newest for later): %s", self.last_error)
            return False
        with self._lock:
            self._pending = self._pending_fp = None
            self._sent_fp = fp
        self._next_due = now + self.interval_s
        self.sent_count += 1
        self.last_sent = Sent(body, now)
        self.last_error = ""
        if self._on_sent is not None:
            try:
                self._on_sent(body)
            except Exception as exc:
                log.error("heartbeat on_sent callback raised %s", type(exc).__name__)
        return True

    # -- the thread ---------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception as exc:  # a broken snapshot must not end heartbeats on an unattended box
                log.error("heartbeat step failed: %s", type(exc).__name__)
            self._wake.wait(self._wait_s())
            self._wake.clear()

    def _wait_s(self) -> float:
        now = self._clock()
        wait = self.check_s
        with self._lock:
            poked = self._poked
        if poked:  # a change arrived during the minimum gap: come back when the gap is over
            wait = min(wait, max(0.01, self._last_attempt + self.min_gap_s - now))
        return wait
