"""Operator notices on the home screen (紧急通知, holiday hours, a service down), fetched every few minutes.

The platform's GET /v1/notices gives the notices in force for this kiosk; the poller keeps the newest
answer, drops a notice the moment it expires even when the network is down, and keeps a copy in
``<state_dir>/notices.json`` so a kiosk restarted offline still shows a notice that is in force. ``on_change``
is called (on the poller's thread) when the list shown changes: the App schedules the home screen update
and, with voice on, speaks ``spoken_text``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiosk.i18n import translate
from kiosk.platform_client import PlatformError

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 120.0
CACHE_FILE = "notices.json"


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    level: str  # "emergency" | "info"
    title: str
    body: str
    expires_at: float  # unix seconds

    @property
    def emergency(self) -> bool:
        return self.level == "emergency"


def spoken_text(notice: Notice, language: str | None = None) -> str:
    return f"{translate(f'help.notice.{notice.level}', language)}：{notice.title}。{notice.body}"


class NoticeBoard:
    """The notices to show now. ``refresh()`` asks the platform (blocking); ``current()`` does no I/O."""

    def __init__(self, client: Any, state_dir: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.clock = clock
        self.cache = Path(state_dir) / CACHE_FILE if state_dir else None
        self._lock = threading.Lock()
        self._notices: tuple[Notice, ...] = self._load()

    def current(self) -> tuple[Notice, ...]:
        now = self.clock()
        with self._lock:
            return tuple(n for n in self._notices if n.expires_at > now)

    def refresh(self) -> bool:
        """Fetch the notices in force; True if the platform answered (False keeps the last list)."""
        try:
            raw = self.client._request("GET", "/notices").json()
            notices = tuple(Notice(int(n["id"]), str(n["level"]), str(n["title"]), str(n.get("body", "")),
                                   float(n["expires_at"])) for n in raw["notices"])
        except (PlatformError, KeyError, TypeError, ValueError) as error:
            log.info("notices not refreshed: %s", error)
            return False
        with self._lock:
            self._notices = notices
        self._save(notices)
        return True

    def _load(self) -> tuple[Notice, ...]:
        if self.cache is None:
            return ()
        try:
            return tuple(Notice(**n) for n in json.loads(self.cache.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return ()
        except (ValueError, TypeError) as error:
            log.warning("notice cache %s unreadable (%s); waiting for the platform", self.cache, error)
            return ()

    def _save(self, notices: tuple[Notice, ...]) -> None:
        if self.cache is None:
            return
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.cache.with_suffix(".tmp")
            temporary.write_text(json.dumps([asdict(n) for n in notices], ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.cache)
        except OSError as error:
            log.warning("notice cache %s not written: %s", self.cache, error)


class NoticePoller:
    """Refreshes a NoticeBoard every ``interval_s`` (and checks expiry every ``tick_s``) on a daemon thread."""

    def __init__(self, board: NoticeBoard, on_change: Callable[[tuple[Notice, ...]], None],
                 interval_s: float = POLL_INTERVAL_S, tick_s: float = 5.0) -> None:
        self.board = board
        self.on_change = on_change
        self.interval_s = interval_s
        self.tick_s = min(tick_s, interval_s)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> NoticePoller:
        self._thread = threading.Thread(target=self._run, name="notices", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        shown: tuple[Notice, ...] | None = None
        next_fetch = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_fetch:
                self.board.refresh()
                next_fetch = time.monotonic() + self.interval_s
            current = self.board.current()
            if current != shown:
                shown = current
                try:
                    self.on_change(current)
                except Exception:
                    log.exception("notice change handler failed")
            self._stop.wait(self.tick_s)
