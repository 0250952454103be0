"""Everything 呼叫工作人员 / 诉求反映 / notices / consumables need, built once for the App (Kivy-free).

    services = build_help(config.kiosk.state_dir, config.kiosk.device_id, outbox, client,
                          fallback=office_hours(duty_phone=...), roll_mm=50_000)
    # worker thread, at start and now and then: services.refresh_settings()
    # button:   background(services.assist.request, screen_name)     -> AssistView (show .message)
    #           AssistPoller(services.assist, on_change=lambda v: Clock.schedule_once(...)).start()
    # complaint: background(services.complaints.submit, ComplaintDraft(...)) -> ComplaintOutcome
    # notices:  NoticePoller(services.notices, on_change=...).start()
    # printing: services.consumables.count_job(escpos_bytes) after each job is sent
    # heartbeat: body["consumables"] = services.consumables.heartbeat_part()
    # stuck:    services.stuck.entered(screen, mid_journey) / .error() / .progress() / .touched() / .check()

The service point's hours and duty phone come from the platform (GET /v1/devices/{id}/help-settings) and
are kept in ``<state_dir>/help_settings.json``, so a kiosk that starts offline still knows them; the
``fallback`` (from the config) is used until the platform has answered once.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.assist import AssistService, fetch_settings
from kiosk.complaints import ComplaintDesk
from kiosk.consumables import DEFAULT_ROLL_MM, Consumables, ConsumableSpec
from kiosk.notices import NoticeBoard
from kiosk.outbox_adapter import OutboxAdapter
from kiosk.staffed_hours import HelpSettings
from kiosk.stuck import StuckDetector
from offline.outbox import Outbox

log = logging.getLogger(__name__)
SETTINGS_FILE = "help_settings.json"


@dataclass
class HelpServices:
    assist: AssistService
    complaints: ComplaintDesk
    notices: NoticeBoard
    consumables: Consumables
    stuck: StuckDetector
    settings_path: Path
    fallback: HelpSettings
    _settings: HelpSettings = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._settings = self._load() or self.fallback

    def settings(self) -> HelpSettings:
        with self._lock:
            return self._settings

    def refresh_settings(self) -> HelpSettings:
        """Ask the platform for this kiosk's hours and duty phone (blocking) and keep them on disk."""
        fetched = fetch_settings(self.assist.adapter.client, self.settings())
        with self._lock:
            changed = fetched != self._settings
            self._settings = fetched
        if changed:
            try:
                temporary = self.settings_path.with_suffix(".tmp")
                temporary.write_text(fetched.model_dump_json(), encoding="utf-8")
                os.replace(temporary, self.settings_path)
            except OSError as error:
                log.warning("help settings not cached in %s: %s", self.settings_path, error)
        return fetched

    def _load(self) -> HelpSettings | None:
        try:
            return HelpSettings.model_validate(json.loads(self.settings_path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except ValueError as error:
            log.warning("help settings cache %s unreadable (%s); using the configured ones", self.settings_path, error)
            return None


def build_help(state_dir: Path, device_id: str, outbox: Outbox, client: Any, *, fallback: HelpSettings,
               roll_mm: int = DEFAULT_ROLL_MM, items: tuple[ConsumableSpec, ...] = ()) -> HelpServices:
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    adapter = OutboxAdapter(client)
    holder: list[HelpServices] = []
    assist = AssistService(outbox, adapter, lambda: holder[0].settings() if holder else fallback)
    services = HelpServices(
        assist=assist, complaints=ComplaintDesk(outbox, adapter, device_id),
        notices=NoticeBoard(client, state_dir), consumables=Consumables(state_dir, roll_mm, items),
        stuck=StuckDetector(), settings_path=state_dir / SETTINGS_FILE, fallback=fallback,
    )
    holder.append(services)
    return services
