"""Everything the kiosk runs besides the window: the platform client (and the embedded sandbox in the demo),
the catalog cache, the devices and the worker threads. No Kivy here: the App is handed a started runtime,
and the same runtime serves the CLI and the tests.

Callbacks given to the runtime are called on worker threads; the App marshals them to the UI thread.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices.status import DeviceStatus

if TYPE_CHECKING:  # imported in start(), after the kiosk's first frame (issue #16): requests, sqlite_utils
    from kiosk.catalog_cache import CatalogCache, CatalogState
    from kiosk.config import KioskConfig  # pydantic; the first frame has cli/first_frame.py's plain view
    from kiosk.platform_client import PlatformClient

log = logging.getLogger(__name__)


class KioskRuntime:
    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.state_dir: Path = config.kiosk.state_dir
        self.sandbox = None
        self.client: PlatformClient | None = None
        self._catalog_cache: CatalogCache | None = None
        self._catalog_lock = threading.Lock()
        # Platform calls and device work; the UI thread never waits on either.
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiosk-worker")
        self.id_reader = None
        self.print_service = None
        self.camera = None
        self.decode_worker = None
        self.doc_camera = None  # devices.camera.Camera of the 高拍仪, started only while capturing (issue #17)
        self.scanner = None
        self._on_code: Callable[[str, str], None] | None = None
        self._codes_wanted = True  # the screen on the glass takes a code (see want_codes)
        self.started_at: float | None = None
        self.started = False
        self._start_lock = threading.Lock()
        self.outbox = None
        self.sync_worker = None
        self.submitter = None
        self.heartbeat = None
        self._state_listeners: list[Callable[[dict[str, DeviceStatus | None]], None]] = []
        self._outbox_listeners: list[Callable[[Any], None]] = []
        self._monitor_stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._last_states: dict[str, str] = {}
        self.catalog_for_health: Any = None
        self.device_status: dict[str, DeviceStatus] = {}
        self._on_card: Callable[[Any], None] | None = None
        self._card_waiter: list[Any] | None = None
        self.help: Any = None  # kiosk.help.HelpServices once started (呼叫工作人员, complaints, notices, paper)
        self.notice_poller: Any = None
        self._notice_listeners: list[Callable[[tuple[Any, ...]], None]] = []
        self.chimes_played = 0  # how often the assist chime went to the player (diagnostics and tests)

    @property
    def catalog_cache(self) -> CatalogCache:
        """Opened on first use (on a worker thread, after the first frame), not when the runtime is made."""
        with self._catalog_lock:
            if self._catalog_cache is None:
                from kiosk.catalog_cache import CatalogCache

                self._catalog_cache = CatalogCache(self.state_dir / "catalog.db")
            return self._catalog_cache

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> KioskRuntime:
        """Start the platform client, outbox and devices. Idempotent; the App calls it on a worker thread
        after the home screen is drawn, so a slow device or the embedded sandbox never delays the screen."""
        with self._start_lock:
            if self.started:
                return self
            self._start()
            self.started = True
        return self

    def _start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        url = self.config.platform.url
        if url == "embedded":
            from kiosk.sandbox.server import EmbeddedSandbox

            self.sandbox = EmbeddedSandbox(self.state_dir / "sandbox.db").start()
            # The platform's face model loads in the background now, not on the first citizen's face check.
            self.sandbox.app.state.identity.warm_up()
            url = self.sandbox.url
            log.info("embedded sandbox platform on %s", url)
        from kiosk.platform_client import PlatformClient

        # Every request is signed when it is sent (not when queued): device id, time, nonce, body digest.
        self.client = PlatformClient(
            url, self.config.kiosk.device_id, self.config.platform.connect_timeout_s, self.config.platform.read_timeout_s,
            device_secret=self.config.platform.device_secret,
        )
        self.started_at = time.time()
        self._open_outbox()
        self._start_help()
        self._open_devices()
        self._start_monitor()
        self._start_heartbeat()

    def stop(self) -> None:
        self._monitor_stop.set()
        if self.notice_poller is not None:
            self.notice_poller.stop()
        if self.sync_worker is not None:
            self.sync_worker.stop(timeout=5)
        if self.outbox is not None:
            self.outbox.close()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.id_reader is not None:
            self.id_reader.stop()
        if self.print_service is not None:
            self.print_service.close()
        if self.decode_worker is not None:
            self.decode_worker.stop()
        if self.camera is not None:
            self.camera.stop()
        if self.doc_camera is not None:
            self.doc_camera.stop()
        if self.scanner is not None:
            self.scanner.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.client is not None:
            self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()

    def _open_devices(self) -> None:
        self._open_printer()
        self._open_id_reader()
        self._open_camera()
        self._open_doc_camera()
        self._open_scanner()

    def _open_doc_camera(self) -> None:
        from devices.doccam import open_doc_camera

        url = self.config.devices.doc_camera
        if url == "none":
            return
        try:  # opened here so a wrong URL shows at start; it runs only while the capture screen is up
            self.doc_camera = open_doc_camera(url)
        except Exception as error:  # no document camera: materials are ticked only, as without one
            log.error("document camera %s: %s", url, error)
            self.device_status["doc_camera"] = DeviceStatus.fault(str(error))

    def _open_camera(self) -> None:
        from devices.camera import open_camera
        from devices.decode.worker import DecodeWorker

        url = self.config.devices.camera
        if url == "none":
            return
        try:
            self.camera = open_camera(url)
            self.camera.start()
        except Exception as error:  # no camera: the ID card and the number pad still work
            log.error("camera %s: %s", url, error)
            self.device_status["camera"] = DeviceStatus.fault(str(error))
            self.camera = None
            return
        # d.text is None when the code's charset cannot be told (devices/decode/charset.py): the desk refuses
        # it with that reason (kiosk.qrpayload: qr.error.charset), never a guessed text.
        self.decode_worker = DecodeWorker(self.camera, lambda d: self._code_seen(d.text, "camera")).start()
        self.want_codes(self._codes_wanted)  # the UI may have said so before the camera was open

    def _open_scanner(self) -> None:
        from devices.decode.charset import read_text  # one rule for a code's bytes, camera or scanner
        from devices.scanner import open_scanner

        url = self.config.devices.scanner
        if url in ("none", "keyboard"):  # "keyboard": the App feeds key events to a burst detector
            return
        try:
            self.scanner = open_scanner(url)
            self.scanner.start(lambda code: self._code_seen(
                read_text(code).text if isinstance(code, bytes) else code, "scanner"))
        except Exception as error:
            log.error("scanner %s: %s", url, error)
            self.device_status["scanner"] = DeviceStatus.fault(str(error))
            self.scanner = None

    # -- codes from the camera and the scanners -----------------------------------------------------------
    def on_code(self, callback: Callable[[str, str], None] | None) -> None:
        """Who hears about a scanned code: ``callback(text, source)``, called on a device thread."""
        self._on_code = callback

    def want_codes(self, wanted: bool) -> None:
        """Whether the camera's frames are searched for codes: only while the screen takes one (home, identify,
        progress, maintenance…). Scanners are not paused: a scanner decodes in its own hardware, at no cost here."""
        self._codes_wanted = wanted
        worker = self.decode_worker
        if worker is not None:
            if wanted:
                worker.resume()
            else:
                worker.pause()

    def _code_seen(self, text: str, source: str) -> None:
        if self._on_code is not None:
            self._on_code(text, source)

    @property
    def camera_is_simulated(self) -> bool:
        return self.camera is not None and self.camera.simulator is not None

    def show_to_camera(self, image) -> None:
        """Demo and tests: hold an image (e.g. a phone showing a QR code) up to the simulated camera."""
        if self.camera_is_simulated:
            self.camera.simulator.show(image)

    def _open_printer(self) -> None:
        from devices.printer import open_printer
        from kiosk.printing.profiles import get_profile
        from kiosk.printing.service import PrintService

        url = self.config.devices.printer
        try:
            printer = open_printer(url)
        except Exception as error:  # the kiosk still serves what needs no printer; diagnostics show why
            log.error("printer %s: %s", url, error)
            self.device_status["printer"] = DeviceStatus.fault(str(error))
            return
        self.print_service = PrintService(printer, get_profile(self.config.devices.printer_profile))
        self.device_status["printer"] = DeviceStatus.ok()

    @property
    def virtual_printer(self):
        """The simulated printer behind sim:// (demo and tests), or None for real hardware."""
        return None if self.print_service is None else self.print_service.printer.virtual

    def print_document(self, session_id: str, document: Any, on_done: Callable[[Any], None]) -> None:
        """Queue a document for the session's printer; ``on_done(PrintResult)`` runs on the print thread."""
        if self.print_service is None:
            from kiosk.printing.service import NOT_CONNECTED_KEY, PrintResult

            status = self.device_status.get("printer", DeviceStatus.fault("no printer configured"))
            on_done(PrintResult(session_id, document.name, False, NOT_CONNECTED_KEY, status, b""))
            return

        def counted(result: Any) -> None:  # the paper counter sees every job before the citizen's callback
            self._count_paper(result)
            on_done(result)

        self.print_service.submit(session_id, document, counted)

    def _open_id_reader(self) -> None:
        from devices.idreader import open_id_reader

        url = self.config.devices.idreader
        if url != "none":
            try:
                self.id_reader = open_id_reader(url)
            except Exception as error:  # a missing reader must not stop the kiosk: other methods still work
                log.error("ID card reader %s: %s", url, error)
                self.device_status["idreader"] = DeviceStatus.fault(str(error))
            else:
                self.id_reader.start(self._card_read, self._reader_status)

    # -- the outbox: applications and ratings survive a platform outage and a power cut --------------------
    def _open_outbox(self) -> None:
        from kiosk.outbox_adapter import OutboxAdapter, open_outbox
        from kiosk.submission import Submitter
        from offline.sync import SyncWorker

        self.outbox = open_outbox(self.config)
        self.submitter = Submitter(self.outbox, None, self.config.kiosk.device_id, wait_s=4.0)
        adapter = OutboxAdapter(self.client, receipt_lookup=self.submitter.receipt_for)
        self.sync_worker = SyncWorker(self.outbox, adapter.deliver, deliver_chunk=adapter.deliver_chunk,
                                      on_change=self._outbox_changed)
        self.submitter.worker = self.sync_worker
        self.sync_worker.start()

    def _outbox_changed(self, status: Any) -> None:
        # Called on the sync thread: bring the kiosk's own records up to date with what was acknowledged.
        self.submitter.reconcile()
        for listener in list(self._outbox_listeners):
            listener(status)

    def on_outbox_change(self, listener: Callable[[Any], None]) -> None:
        self._outbox_listeners.append(listener)

    def force_sync(self) -> str:
        if self.sync_worker is None:
            return "no outbox"
        self.sync_worker.wake()
        time.sleep(1.0)  # give the pass a moment, then report where the queue stands
        return self._queue_text()

    def retry_dead(self) -> str:
        if self.outbox is None:
            return "no outbox"
        moved = self.outbox.retry_dead("all")
        if self.sync_worker is not None:
            self.sync_worker.wake()
        return f"{moved} dead entries back in the queue; " + self._queue_text()

    def _queue_text(self) -> str:
        status = self.outbox.status()
        return f"pending {status.depth}, sending {status.sending}, dead {status.dead}"

    # -- device states: one coordinator polls, everyone else reads -----------------------------------------
    MONITOR_INTERVAL_S = 10.0

    def device_states(self) -> dict[str, DeviceStatus | None]:
        """The last known state of every configured device (None: configured as none). No I/O: safe on the
        UI thread."""
        devices = self.config.devices
        states: dict[str, DeviceStatus | None] = {}
        states["printer"] = self.print_service.last_status if self.print_service else self.device_status.get("printer")
        states["idreader"] = None if devices.idreader == "none" else (
            self.id_reader.status if self.id_reader else self.device_status.get("idreader"))
        states["camera"] = None if devices.camera == "none" else (
            self.camera.status if self.camera else self.device_status.get("camera"))
        if devices.scanner == "none":
            states["scanner"] = None
        elif devices.scanner == "keyboard":
            states["scanner"] = DeviceStatus.ok("keyboard wedge")
        else:
            states["scanner"] = getattr(self.scanner, "status", None) or self.device_status.get("scanner")
        states["doc_camera"] = self._doc_camera_state()
        return states

    def _doc_camera_state(self) -> DeviceStatus | None:
        """The 高拍仪 (issue #17): None when there is none; idle is ok (it runs only while capturing)."""
        if self.doc_camera is None:
            return self.device_status.get("doc_camera")  # failed to open: its fault; "none": None
        from devices.doccam import doc_camera_status

        return doc_camera_status(self.doc_camera, frame_age=False)

    def on_device_states(self, listener: Callable[[dict[str, DeviceStatus | None]], None]) -> None:
        """``listener(states)`` is called on the monitor thread whenever a device changes state."""
        self._state_listeners.append(listener)

    def _start_monitor(self) -> None:
        self._monitor = threading.Thread(target=self._monitor_loop, name="device-monitor", daemon=True)
        self._monitor.start()

    def _monitor_loop(self) -> None:
        while True:
            if self.print_service is not None:
                self.print_service.check_status()  # runs between print jobs on the print worker
            if self._monitor_stop.wait(1.0):  # give the status query a moment before reading it
                return
            self._publish_states()
            if self._monitor_stop.wait(self.MONITOR_INTERVAL_S):
                return

    def _publish_states(self) -> None:
        states = self.device_states()
        summary = {name: str(status) for name, status in states.items()}
        if summary == self._last_states:
            return
        changed = [name for name in summary if summary[name] != self._last_states.get(name)]
        if self._last_states:
            log.info("device state changed: %s", ", ".join(f"{n}={summary[n]}" for n in changed))
        self._last_states = summary
        if self.heartbeat is not None:
            self.heartbeat.notify_change()
        for listener in list(self._state_listeners):
            try:
                listener(states)
            except Exception:
                log.exception("a device state listener failed")

    def _start_heartbeat(self) -> None:
        from kiosk.health import HeartbeatReporter, make_snapshot

        assert self.client is not None
        snapshot = make_snapshot(
            self.device_states, required=self.config.devices.required, outbox=self.outbox,
            state_dir=self.state_dir, started_at=self.started_at, catalog=lambda: self.catalog_for_health,
            consumables=self.help.consumables.heartbeat_part if self.help is not None else None,
        )
        self.heartbeat = HeartbeatReporter(self.client, snapshot)
        self.heartbeat.start()

    # -- help: 呼叫工作人员, complaints, operator notices, consumables (kiosk/help.py) -------------------------
    CHIME_VOLUME = 0.8
    HELP_SETTINGS_REFRESH_S = 900.0  # a service point's hours change rarely; a holiday is known days ahead

    def _start_help(self) -> None:
        from kiosk.help import build_help
        from kiosk.notices import NoticePoller

        section = self.config.help
        self.help = build_help(self.state_dir, self.config.kiosk.device_id, self.outbox, self.client,
                               fallback=self.config.help_settings(), roll_mm=round(section.paper_roll_m * 1000),
                               items=section.consumables)
        # The platform's hours and duty phone win over the config's; asked at start and now and then after.
        threading.Thread(target=self._help_settings_loop, name="help-settings", daemon=True).start()
        self.notice_poller = NoticePoller(self.help.notices, self._notices_changed,
                                          interval_s=section.notice_poll_s).start()

    @property
    def consumables(self) -> Any:
        """The paper counter: maintenance's 换纸 (kiosk/maintenance_view.py) resets this very object, so the
        count in memory and on disk agree. None before the runtime started."""
        return self.help.consumables if self.help is not None else None

    def _help_settings_loop(self) -> None:
        while True:
            try:
                self.help.refresh_settings()
            except Exception:  # never the end of the loop: the cached or configured hours stay in use
                log.exception("help settings refresh failed")
            if self._monitor_stop.wait(self.HELP_SETTINGS_REFRESH_S):
                return

    def on_notices(self, listener: Callable[[tuple[Any, ...]], None]) -> None:
        """``listener(notices)`` is called on the notice poller's thread when the notices in force change."""
        self._notice_listeners.append(listener)

    def _notices_changed(self, notices: tuple[Any, ...]) -> None:
        for listener in list(self._notice_listeners):
            listener(notices)

    def _count_paper(self, result: Any) -> None:
        # Paper is used by a job that printed or may have (status unknown); a refused job moved none.
        from kiosk.printing.service import PrintOutcome

        if self.help is not None and result.data and result.outcome is not PrintOutcome.FAILED:
            try:
                self.help.consumables.count_job(result.data)
            except OSError as error:
                log.warning("paper counter %s not updated: %s", self.help.consumables.path, error)

    def play_chime(self) -> None:
        """The assist chime on the speaker (aplay/paplay, the voice's players), on a worker thread: staff
        nearby hear that someone needs them. Without a sound card nothing is heard."""
        self.executor.submit(self._play_chime)

    def _play_chime(self) -> None:
        from kiosk.chime import chime_path
        from kiosk.voice.player import choose_player

        try:
            player = choose_player(self.config.voice.player)  # the voice's player ([voice] player)
            player.play(chime_path(self.state_dir), self.CHIME_VOLUME, threading.Event(), lambda: None)
        except (OSError, RuntimeError, ValueError) as error:
            log.warning("assist chime not played: %s", error)
            return
        self.chimes_played += 1

    def export_logs(self, target: Path | None = None) -> str:
        """Maintenance: write the recent log, redacted, to a folder (a mounted USB stick, or the state dir)."""
        from kiosk.logexport import export_logs

        folder = target or self._usb_stick() or self.state_dir / "log-exports"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            result = export_logs(folder, source=self._log_file())
        except (OSError, ValueError) as error:
            return str(error)
        return f"{result.lines} lines ({result.redacted_lines} redacted) → {result.path}"

    @staticmethod
    def _usb_stick() -> Path | None:
        # udisks/automount put sticks under /media/<user>/<label>; take the first writable one.
        for root in (Path("/media"), Path("/run/media")):
            if root.is_dir():
                for user_dir in sorted(root.iterdir()):
                    for mount in sorted(user_dir.iterdir()) if user_dir.is_dir() else []:
                        if mount.is_dir() and os.access(mount, os.W_OK):
                            return mount
        return None

    def _log_file(self) -> Path | None:
        # Under systemd the journal is the source; the demo and tests also log to this file.
        path = self.state_dir / "kiosk.log"
        return path if path.exists() else None

    # -- background work ----------------------------------------------------------------------------------
    def run_in_background(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.executor.submit(fn, *args)

    def refresh_catalog(self) -> CatalogState:
        assert self.client is not None
        return self.catalog_cache.refresh(self.client)

    # -- sessions -----------------------------------------------------------------------------------------
    def end_session(self, session_id: str) -> None:
        """Drop whatever still belongs to the ended session (e.g. a receipt that could not print)."""
        if self.print_service is not None:
            self.print_service.end_session(session_id)
        if self.camera_is_simulated:
            self.camera.simulator.hide()  # the demo phone leaves with its citizen
        if self.decode_worker is not None:
            self.decode_worker.forget()
        self.remove_demo_card()

    # -- ID card reader -----------------------------------------------------------------------------------
    def on_card(self, callback: Callable[[Any], None] | None) -> None:
        """Who hears about a card placed on the reader (called on the reader's thread)."""
        self._on_card = callback

    def _card_read(self, card: Any) -> None:
        waiter = self._card_waiter
        if waiter is not None:  # a technician's card test takes this card; no citizen flow sees it
            waiter.append(card)
            return
        if self._on_card is not None:
            self._on_card(card)

    def wait_for_card(self, timeout: float = 10.0) -> Any:
        """Maintenance: the next card placed on the (polling) reader, or None after ``timeout``."""
        received: list[Any] = []
        self._card_waiter = received
        try:
            if self.id_reader_is_simulated:
                self.id_reader.simulator.remove()
                time.sleep(0.5)  # let the poller see the card lifted, so the next one is reported
                self.id_reader.simulator.present()
            deadline = time.monotonic() + timeout
            while not received and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            self._card_waiter = None
            self.remove_demo_card()
        return received[0] if received else None

    def _reader_status(self, status: DeviceStatus) -> None:
        self.device_status["idreader"] = status

    @property
    def id_reader_is_simulated(self) -> bool:
        return self.id_reader is not None and getattr(self.id_reader, "simulator", None) is not None

    def present_demo_card(self) -> None:
        """Demo only: put the fictitious demo citizen's card on the simulated reader."""
        if self.id_reader_is_simulated:
            self.id_reader.simulator.present()

    def remove_demo_card(self) -> None:
        if self.id_reader_is_simulated:
            self.id_reader.simulator.remove()
