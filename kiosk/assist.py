"""呼叫工作人员 that reaches a person: send an assist request, follow it, and tell the citizen the truth.

The request holds the screen name and why help was asked (``button`` / ``stuck_errors`` / ``stuck_idle``),
nothing about the person. It is written to the outbox first (durable: a network cut loses nothing) and sent at
once with the entry's own idempotency key, so a later resend by the sync worker is answered, not doubled. The
outbox is first-in first-out and may hold a backlog of material images; a call for help must not wait behind
them, hence the immediate send.

What the citizen is told (``AssistView.message``):
    platform answered, staffed   已通知工作人员，请稍候（已等 …）  →  工作人员已接单 … once accepted
    platform answered, unstaffed 现在无人值守：请拨打 12345 或 <值班电话>   (the platform's hours decide)
    platform unreachable         网络暂时中断，呼叫已保存 … 急需帮助请拨打 …  (nobody was told: no false promise)

Every method that talks to the platform blocks: call it from a worker thread (the App's ``background``) and
hand the view to the UI thread with ``Clock.schedule_once``. ``view()`` does no I/O (for the waiting-time tick).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from kiosk.i18n import translate
from kiosk.outbox_adapter import OutboxAdapter
from kiosk.platform_client import PlatformError
from kiosk.staffed_hours import HelpSettings
from kiosk.urgent import deliver_now
from offline.errors import UnknownEntry
from offline.model import Kind
from offline.outbox import Outbox

log = logging.getLogger(__name__)

REASONS = ("button", "stuck_errors", "stuck_idle")
POLL_INTERVAL_S = 5.0


class AssistState(enum.StrEnum):
    IDLE = "idle"
    WAITING = "waiting"  # the platform has it and staff are on duty
    ACCEPTED = "accepted"  # a staff member took it
    CLOSED = "closed"  # staff marked it dealt with
    UNSTAFFED = "unstaffed"  # recorded, but nobody is on duty: call the phone numbers
    QUEUED = "queued"  # platform unreachable: saved in the outbox, sent when the network is back
    REFUSED = "refused"  # the platform refused it (a kiosk bug or config); the phones are shown


@dataclass(frozen=True, slots=True)
class AssistView:
    """What the help panel shows. ``message`` is ready to display (and to speak)."""

    state: AssistState
    number: str = ""  # HJ…, once the platform answered
    started_at: float = 0.0  # unix seconds, for the waited time
    phones: str = ""  # "12345 或 0371-…"
    duty_phone: str = ""
    service_point_name: str = ""
    message: str = ""
    printable: bool = False  # offer "打印求助电话" (unstaffed, queued or refused)


def waited_words(seconds: float, language: str | None = None) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return translate("help.assist.seconds", language, seconds=seconds)
    return translate("help.assist.minutes", language, minutes=seconds // 60, seconds=seconds % 60)


class AssistService:
    """One kiosk's calls for help; one request at a time (a second press while one is open shows it again).

    ``settings()`` gives the service point's hours and duty phone as the kiosk knows them (config, or the
    platform's /help-settings cached by ``fetch_settings``); used when the platform cannot be asked.
    """

    def __init__(self, outbox: Outbox, adapter: OutboxAdapter, settings: Callable[[], HelpSettings],
                 clock: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self.adapter = adapter
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._view = AssistView(AssistState.IDLE)
        self._entry_id: int | None = None

    # ------------------------------------------------------------------ the citizen's side

    def request(self, screen: str, reason: str = "button") -> AssistView:
        """Ask for a person (blocking). A request still open is not sent twice."""
        if reason not in REASONS:
            raise ValueError(f"assist reason {reason!r}: expected one of {', '.join(REASONS)}")
        with self._lock:
            if self._view.state in (AssistState.WAITING, AssistState.ACCEPTED, AssistState.QUEUED):
                return self._refreshed(self._view)
            started = self.clock()
            entry = self.outbox.enqueue(Kind.ASSIST, {"screen": screen, "reason": reason},
                                        meta={"screen": screen, "reason": reason})
            self._entry_id = entry.id
            view = self._send_now(entry.id, started)
            log.info("assist request from screen %s (%s): %s %s", screen, reason, view.state, view.number)
            self._view = view
            return self._refreshed(view)

    def poll(self) -> AssistView:
        """Ask the platform how the request stands (blocking); a queued one is looked up in the outbox."""
        with self._lock:
            view = self._view
        if view.state is AssistState.QUEUED and self._entry_id is not None:
            view = self._from_outbox(view)
        if view.number and view.state in (AssistState.WAITING, AssistState.ACCEPTED):
            try:
                answer = self.adapter.client._request("GET", f"/assist/{view.number}").json()
            except PlatformError as error:
                log.warning("assist %s: status not available: %s", view.number, error)
            else:
                state = {"accepted": AssistState.ACCEPTED, "closed": AssistState.CLOSED}.get(
                    answer.get("status"), view.state)
                view = replace(view, state=state)
        with self._lock:
            if self._view.started_at == view.started_at:  # not reset meanwhile
                self._view = view
            return self._refreshed(self._view)

    def view(self) -> AssistView:
        """The current state with the waited time brought up to date (no I/O: for a once-a-second tick)."""
        with self._lock:
            return self._refreshed(self._view)

    def reset(self) -> None:
        """The session ended: the next citizen starts without the last one's call on screen. The request
        itself stays with the staff (they still come and close it)."""
        with self._lock:
            self._view = AssistView(AssistState.IDLE)
            self._entry_id = None

    # ------------------------------------------------------------------ internals

    def _send_now(self, entry_id: int, started: float) -> AssistView:
        local = self.settings()
        sent = deliver_now(self.outbox, self.adapter, entry_id, self.clock)
        if sent.ack is not None:
            return self._answered(sent.ack, local, started)
        if sent.queued:
            return self._queued(local, started)
        phones = local.phone_line()
        return AssistView(AssistState.REFUSED, started_at=started, phones=phones, duty_phone=local.duty_phone,
                          service_point_name=local.service_point_name, printable=True,
                          message=translate("help.assist.refused", reason=sent.error, phones=phones))

    def _answered(self, ack: dict[str, Any], local: HelpSettings, started: float) -> AssistView:
        duty = str(ack.get("duty_phone") or local.duty_phone)
        settings = HelpSettings(duty_phone=duty, service_point_name=str(ack.get("service_point_name") or ""))
        phones = settings.phone_line()
        status = ack.get("status")
        if not ack.get("staffed", False):
            state = AssistState.UNSTAFFED
        elif status == "accepted":
            state = AssistState.ACCEPTED
        elif status == "closed":
            state = AssistState.CLOSED
        else:
            state = AssistState.WAITING
        return AssistView(state, number=str(ack.get("number", "")), started_at=started, phones=phones,
                          duty_phone=duty, service_point_name=settings.service_point_name,
                          printable=state is AssistState.UNSTAFFED)

    def _queued(self, local: HelpSettings, started: float) -> AssistView:
        return AssistView(AssistState.QUEUED, started_at=started, phones=local.phone_line(),
                          duty_phone=local.duty_phone, service_point_name=local.service_point_name, printable=True)

    def _from_outbox(self, view: AssistView) -> AssistView:
        """The sync worker sent the queued request: take the platform's answer from the done-record."""
        try:
            entry = self.outbox.get(self._entry_id or 0)
        except UnknownEntry:
            return view
        if entry.ack:
            return self._answered(entry.ack, self.settings(), view.started_at)
        return view

    def _refreshed(self, view: AssistView) -> AssistView:
        waited = waited_words(self.clock() - view.started_at) if view.started_at else ""
        key = {AssistState.WAITING: "waiting", AssistState.ACCEPTED: "accepted", AssistState.CLOSED: "closed",
               AssistState.UNSTAFFED: "unstaffed", AssistState.QUEUED: "queued"}.get(view.state)
        if key is None:
            return view
        return replace(view, message=translate(f"help.assist.{key}", waited=waited, phones=view.phones))


class AssistPoller:
    """Polls an open request every ``interval_s`` on a daemon thread; ``on_change(view)`` is called (on that
    thread) when the state changes. The App passes a function that schedules the UI update on its clock."""

    def __init__(self, service: AssistService, on_change: Callable[[AssistView], None],
                 interval_s: float = POLL_INTERVAL_S) -> None:
        self.service = service
        self.on_change = on_change
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> AssistPoller:
        self._thread = threading.Thread(target=self._run, name="assist-poll", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        last = self.service.view().state
        while not self._stop.wait(self.interval_s):
            try:
                view = self.service.poll()
            except Exception:  # a poll must never kill the thread; the next one tries again
                log.exception("assist poll failed")
                continue
            if view.state is not last:
                last = view.state
                self.on_change(view)
            if view.state in (AssistState.IDLE, AssistState.CLOSED, AssistState.REFUSED):
                return


def fetch_settings(client: Any, fallback: HelpSettings) -> HelpSettings:
    """This kiosk's service point hours and duty phone from the platform, or ``fallback`` when it cannot say
    (blocking; the App calls it at start and caches the answer with ``kiosk.notices.save_json``)."""
    try:
        raw = client._request("GET", f"/devices/{client.device_id}/help-settings").json()
        return HelpSettings.model_validate(raw)
    except (PlatformError, ValueError) as error:
        log.warning("help settings from the platform not available (%s); using the configured ones", error)
        return fallback


def staffed_locally(settings: HelpSettings, now: dt.datetime | None = None) -> bool:
    return settings.staffed_at(now or dt.datetime.now().astimezone())
