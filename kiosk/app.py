"""The Kivy App: holds only view state, is handed a started ``KioskRuntime``, and wires screens to it.

Rules of the house (after Electrum's Kivy GUI): worker threads never touch widgets; their results reach the
UI thread through ``Clock.schedule_once``. An exception in a callback is logged and the kiosk goes back to
the home screen with the session wiped, instead of dying in front of a citizen.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.clock import Clock
from kivy.core.text import LabelBase
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import Metrics
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from devices.fonts import cjk_font_file
from devices.scanner.burst import KeystrokeBurstDetector
from kiosk.catalog import CatalogItem
from kiosk.flow import ServiceFlow
from kiosk.i18n import translate
from kiosk.idnumber import IdNumberError
from kiosk.platform_client import MemberReceipt, PlatformError, Submission
from kiosk.qrpayload import QrKind, QrPayload, QrPayloadError, classify_qr
from kiosk.runtime import KioskRuntime
from kiosk.sdnotify import Notifier, watchdog_interval
from kiosk.session import Session
from screens.base import KioskScreen
from screens.catalog import CatalogScreen
from screens.confirm import ConfirmScreen
from screens.guide import GuideScreen
from screens.home import HomeScreen
from screens.i18n import tr
from screens.identify import IdentifyScreen
from screens.journey import JOURNEY_KV, ApplicationJourneyMixin, _journey_screens
from screens.maintenance import MaintenanceScreen, PinScreen
from screens.rating import RatingScreen
from screens.result import ResultScreen
from screens.service_desk import SERVICE_DESK_KV, SERVICE_DESK_SCREENS, ServiceDeskMixin
from screens.widgets import CountdownView, TopBar

log = logging.getLogger(__name__)

SCREENS_DIR = Path(__file__).resolve().parent.parent / "screens"
KV_FILES = ("widgets", "home", "identify", "catalog", "guide", "confirm", "result", "rating", "maintenance",
            *JOURNEY_KV, *SERVICE_DESK_KV)
SCREEN_CLASSES: tuple[type[KioskScreen], ...] = (
    HomeScreen, IdentifyScreen, CatalogScreen, GuideScreen, ConfirmScreen, ResultScreen, RatingScreen,
    PinScreen, MaintenanceScreen, *_journey_screens(), *SERVICE_DESK_SCREENS,
)
LARGE_TEXT_SCALE = 1.3
KEY_ESCAPE, KEY_F1 = 27, 282
KEYS_ENTER = (13, 271)  # Return and keypad Enter
_loaded_kv: set[str] = set()


def register_fonts() -> None:
    """Make the Simplified Chinese face the default font of every label (face 0 of the .ttc is Japanese)."""
    regular = str(cjk_font_file("Regular"))
    try:
        bold = str(cjk_font_file("Bold"))
    except Exception:  # no bold collection installed: Kivy synthesises bold from the regular face
        bold = regular
    LabelBase.register("Roboto", fn_regular=regular, fn_bold=bold)


def load_kv_files() -> None:
    # Loading a kv file twice doubles its rules; load each once per process.
    for name in KV_FILES:
        path = str(SCREENS_DIR / f"{name}.kv")
        if path not in _loaded_kv:
            Builder.load_file(path)
            _loaded_kv.add(path)


class _ResetOnError(ExceptionHandler):
    def __init__(self, app: KioskApp) -> None:
        self.app = app

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, KeyboardInterrupt | SystemExit):
            return ExceptionManager.RAISE
        log.exception("unexpected error in the UI; returning to the home screen", exc_info=inst)
        Clock.schedule_once(lambda _dt: self.app.end_session(), 0)
        return ExceptionManager.PASS


class KioskApp(ApplicationJourneyMixin, ServiceDeskMixin, App):
    centre_name = StringProperty("")
    large_text = BooleanProperty(False)
    idle_seconds_left = NumericProperty(0)
    catalog_state = ObjectProperty(None, allownone=True)
    availability = ObjectProperty(None, allownone=True)
    use_kivy_settings = False

    def __init__(self, runtime: KioskRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.config_kiosk = runtime.config
        self.session = Session()
        self.flow = ServiceFlow(self.session)
        self.centre_name = runtime.config.kiosk.centre_name
        self.title = translate("app.title")
        self._last_activity = time.monotonic()
        self._countdown: CountdownView | None = None
        self._handler = _ResetOnError(self)
        self.pin_gate = self._make_pin_gate()
        self.notifier = Notifier()  # systemd: READY=1 when the home screen is up, WATCHDOG=1 from the UI clock
        # A keyboard-wedge scanner "types" a code in a burst ended by Enter; people type far slower.
        self._wedge = KeystrokeBurstDetector()
        self._after_identify: Callable[[], None] | None = None

    # -- building -----------------------------------------------------------------------------------------
    def build(self) -> BoxLayout:
        tr.switch(self.config_kiosk.kiosk.language)
        register_fonts()
        load_kv_files()
        Window.clearcolor = (0.96, 0.97, 0.98, 1)
        root = BoxLayout(orientation="vertical")
        self.top_bar = TopBar(title=translate("home.bar"))
        self.manager = ScreenManager(transition=NoTransition())
        # Only the home screen before the first frame; the others are built one per frame right after, so
        # the kiosk shows its home screen as early as a bare window would.
        self.manager.add_widget(HomeScreen())
        self._screens_to_build = [cls for cls in SCREEN_CLASSES if cls is not HomeScreen]
        self.manager.bind(current=self._on_screen_changed)
        root.add_widget(self.top_bar)
        root.add_widget(self.manager)
        tr.fbind("_", self._retitle)
        if self.config_kiosk.kiosk.large_text:
            self.toggle_large_text()
        return root

    def on_start(self) -> None:
        ExceptionManager.add_handler(self._handler)
        Window.bind(on_keyboard=self._on_keyboard, on_request_close=self._on_request_close)
        Window.bind(on_touch_down=self._note_activity, on_key_down=self._on_key_down)
        self.runtime.on_card(self._card_from_reader)
        self.runtime.on_code(self._code_from_device)
        self.runtime.on_device_states(lambda _states: Clock.schedule_once(lambda _dt: self.update_availability(), 0))
        self.runtime.on_outbox_change(lambda _status: Clock.schedule_once(lambda _dt: self._outbox_progress(), 0))
        self.update_availability()
        Clock.schedule_interval(self._tick_idle, 1.0)
        if self.runtime.started:
            self._runtime_ready()
        timeout = watchdog_interval()
        if timeout:
            # Pinged from the UI thread's clock, not a helper thread: a frozen UI stops the pings and
            # systemd restarts the kiosk.
            Clock.schedule_interval(self._watchdog_ping, timeout / 2)
        # READY=1 after the first frame is drawn, i.e. once the home screen is really on the glass.
        Clock.schedule_once(self._announce_ready, 0)

    def _runtime_started(self, future: Future) -> None:
        error = future.exception()
        if error is not None:
            log.error("the kiosk could not start its services: %s", error, exc_info=error)
            self.screen("home").availability_text = translate("availability.home.unavailable")
            return
        self._runtime_ready()

    def _runtime_ready(self) -> None:
        self.reload_catalog()
        self.update_availability()

    def _build_next_screen(self, _dt: float) -> None:
        if self._screens_to_build:
            self.manager.add_widget(self._screens_to_build.pop(0)())
            Clock.schedule_once(self._build_next_screen, 0)

    def _build_all_screens(self) -> None:
        while self._screens_to_build:
            self.manager.add_widget(self._screens_to_build.pop(0)())

    def _watchdog_ping(self, _dt: float) -> None:
        self.notifier.watchdog()

    def _announce_ready(self, _dt: float) -> None:
        self.notifier.ready(status="home screen up")
        log.info("kiosk %s ready", self.config_kiosk.kiosk.device_id)
        # Only now the rest: services on a worker thread, the other screens one per frame.
        Clock.schedule_once(self._build_next_screen, 0)
        if not self.runtime.started:
            future = self.runtime.run_in_background(self.runtime.start)
            future.add_done_callback(lambda f: Clock.schedule_once(lambda _dt: self._runtime_started(f), 0))

    def on_stop(self) -> None:
        self.notifier.stopping()
        ExceptionManager.remove_handler(self._handler)
        self.runtime.on_card(None)
        self.runtime.on_code(None)

    def open_settings(self, *largs: Any) -> bool:  # F1 and the menu key: no Kivy settings on a kiosk
        return False

    def _on_keyboard(self, _window: Any, key: int, *_args: Any) -> bool:
        # Escape would close the app and F1 would open Kivy's settings: both are swallowed.
        return key in (KEY_ESCAPE, KEY_F1)

    def _on_key_down(self, _window: Any, key: int, _scancode: int, codepoint: str | None, _modifiers: Any) -> bool:
        self._note_activity()
        if self.runtime.config.devices.scanner != "keyboard":
            return False
        char = "\r" if key in KEYS_ENTER else codepoint
        if char:
            code = self._wedge.feed(char, time.monotonic())
            if code is not None:
                self.handle_code(code, "scanner")
        return False

    def _on_request_close(self, *_args: Any, source: str | None = None, **_kwargs: Any) -> bool:
        # Closing needs the maintenance path; a key (Escape, Alt+F4) never closes the kiosk.
        return source == "keyboard" or self.config_kiosk.kiosk.fullscreen

    # -- navigation ---------------------------------------------------------------------------------------
    def go(self, name: str) -> None:
        self.screen(name)  # built on demand if a citizen is faster than the background build
        self.manager.current = name

    def screen(self, name: str) -> Any:
        if not self.manager.has_screen(name):
            self._build_all_screens()
        return self.manager.get_screen(name)

    def _on_screen_changed(self, _manager: Any, name: str) -> None:
        screen = self.manager.get_screen(name)
        self.top_bar.title = translate(screen.title_key)
        self.top_bar.show_home = screen.show_home_button
        self._note_activity()

    def _retitle(self, *_args: Any) -> None:
        self.top_bar.title = translate(self.manager.current_screen.title_key)
        self.title = translate("app.title")

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text
        Metrics.fontscale = LARGE_TEXT_SCALE if self.large_text else 1.0

    def call_staff(self) -> None:
        from screens.popups import show_message

        show_message(translate("help.title"), translate("help.body"))

    # -- background work ----------------------------------------------------------------------------------
    def background(self, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
                   on_error: Callable[[BaseException], None], **kwargs: Any) -> None:
        """Run ``fn`` on a worker thread; its result or error comes back on the UI thread, but only if the
        session that asked is still the current one (a late answer never reaches the next citizen)."""
        session_id = self.session.id
        future: Future = self.runtime.run_in_background(functools.partial(fn, *args, **kwargs))

        def deliver(_dt: float) -> None:
            if self.session.id != session_id:
                log.info("dropping a late answer for an ended session")
                return
            error = future.exception()
            if error is not None:
                on_error(error)
            else:
                on_done(future.result())

        future.add_done_callback(lambda _f: Clock.schedule_once(deliver, 0))

    def reload_catalog(self) -> None:
        future = self.runtime.run_in_background(self.runtime.refresh_catalog)
        future.add_done_callback(lambda f: Clock.schedule_once(lambda _dt: self._catalog_loaded(f), 0))

    def _catalog_loaded(self, future: Future) -> None:
        if future.exception() is not None:
            log.error("catalog refresh failed: %s", future.exception())
            return
        self.catalog_state = future.result()
        self.runtime.catalog_for_health = self.catalog_state.catalog
        self.update_availability()
        if self.manager.current == "catalog":
            self.screen("catalog").show_catalog(self.catalog_state)

    def update_availability(self) -> None:
        """Required devices that are down make some services unavailable: say which, and why, on the home
        screen; the rest keeps working."""
        from kiosk.availability import assess

        state = self.catalog_state
        catalog = state.catalog if state is not None else None
        self.availability = assess(self.runtime.device_states(), self.config_kiosk.devices.required, catalog)
        message = self.availability.message
        self.screen("home").availability_text = (
            translate(message.key, **dict(message.values)) if message is not None else "")

    def current_item(self) -> CatalogItem | None:
        """The chosen item; a bundle as its merged item (one form, one de-duplicated materials list)."""
        from kiosk.rules.bundles import effective_item

        state = self.catalog_state
        if state is None or state.catalog is None or self.session.item_code is None:
            return None
        return effective_item(state.catalog, self.session.item_code)

    # -- identify -----------------------------------------------------------------------------------------
    def reader_status_text(self) -> str:
        status = self.runtime.device_status.get("idreader")
        if self.runtime.id_reader is None or (status is not None and not status.usable):
            return translate("identify.reader_unavailable")
        return translate("identify.reader_ready")

    def identify_typed(self, text: str) -> None:
        self._identified(text, source="typed")

    def _card_from_reader(self, card: Any) -> None:
        # Called on the reader's thread: hand the card to the UI thread, touch no widget here.
        Clock.schedule_once(lambda _dt: self._card_on_ui(card), 0)

    def _card_on_ui(self, card: Any) -> None:
        if self.manager.current != "identify":
            return  # a card left on the reader does not start a session by itself
        try:
            self.flow.identify(card.id_number, name=card.name, source="id_card")
        except IdNumberError as error:
            self.screen("identify").show_error(translate("identify.card_invalid", reason=translate(error.key)))
            return
        self._continue_after_identify()

    def _code_from_device(self, text: str, source: str) -> None:
        # Called on a camera/scanner thread: hand the code to the UI thread.
        Clock.schedule_once(lambda _dt: self.handle_code(text, source), 0)

    def handle_code(self, text: str, source: str) -> None:
        """A QR code or barcode from the camera or a scanner. Only accepted kinds are acted on; a URL or
        anything unknown is refused with a message, never opened."""
        current = self.manager.current
        if current == "maintenance":  # a technician's scan test: show what arrived, shortened
            self.screen("maintenance").show_action(
                translate("maintenance.result.scanned", source=source, code=f"{text[:8]}…", length=len(text)))
            return
        if current not in ("identify", *self.RECEIPT_SCREENS):
            return
        screen = self.screen(current)
        try:
            payload = classify_qr(text)
        except QrPayloadError as error:
            log.info("refused a scanned code from the %s (%s)", source, error.key)
            screen.show_error(translate(error.key))
            return
        if current in self.RECEIPT_SCREENS:
            if payload.kind is QrKind.RECEIPT:
                self.handle_receipt_code(payload.value)
            else:
                screen.show_error(translate("progress.not_a_receipt"))
            return
        if payload.kind is QrKind.ID_NUMBER:
            self._identified(payload.value, source="qr")
        elif payload.kind is QrKind.RECEIPT:
            screen.show_error(translate("identify.receipt_qr"))
        else:
            self._verify_token(payload)

    def _verify_token(self, payload: QrPayload) -> None:
        screen = self.screen("identify")
        screen.show_status(translate("identify.verifying"))
        assert self.runtime.client is not None
        self.background(self.runtime.client.verify_identity, payload.kind.value, payload.value,
                        on_done=self._token_verified, on_error=self._token_failed)

    def _token_verified(self, person: dict) -> None:
        if self.manager.current != "identify":
            return
        self._identified(person["id_number"], name=person.get("name", ""), phone=person.get("phone", ""),
                         source="qr")

    def _token_failed(self, error: BaseException) -> None:
        screen = self.screen("identify")
        screen.show_status("")
        if isinstance(error, PlatformError) and error.kind in ("unreachable", "server"):
            screen.show_error(translate("identify.qr_offline"))
        else:
            screen.show_error(translate("identify.qr_unknown"))

    def _identified(self, id_number: str, name: str = "", phone: str = "", source: str = "typed") -> None:
        try:
            self.flow.identify(id_number, name=name, phone=phone, source=source)  # type: ignore[arg-type]
        except IdNumberError as error:
            self.screen("identify").show_error(translate(error.key))
            return
        self._continue_after_identify()

    def require_identity(self, then: Callable[[], None]) -> None:
        """Identify the citizen (if not yet) and then call ``then`` on the UI thread."""
        if self.session.citizen is not None:
            then()
            return
        self._after_identify = then
        self.go("identify")

    def _continue_after_identify(self) -> None:
        then, self._after_identify = self._after_identify, None
        if then is not None:
            then()
        else:
            self.go("catalog")

    # -- choose and submit --------------------------------------------------------------------------------
    def choose_item(self, code: str) -> None:
        state = self.catalog_state
        if state is None or state.catalog is None:
            return
        self.flow.choose(state.catalog, code)
        self.go("guide")

    def submit_application(self) -> None:
        """Through the outbox: saved durably first, then "submitted" only once the platform acknowledged;
        otherwise "saved on this kiosk" with a local reference, uploaded automatically later."""
        body, key = self.flow.prepare_submission()
        self.background(lambda: self.runtime.submitter.submit_application(body, session_key=key),
                        on_done=self._submission_outcome, on_error=self._submit_failed)

    def _submission_outcome(self, outcome: Any) -> None:
        if outcome.status == "acknowledged":
            members = tuple(MemberReceipt(code, number, 0) for code, number in outcome.members)
            self._submitted(Submission(outcome.receipt_number, outcome.accepted_at or "", 0, members))
        elif outcome.status == "saved_locally":
            self.session.receipt_number = outcome.local_reference
            self.session.local_reference = outcome.local_reference
            self.session.submitted = False
            result = self.screen("result")
            result.show(translate("result.saved_locally"), outcome.local_reference)
            result.show_slip(translate(outcome.message_key))
            self.go("result")
            self.print_receipt()
        else:  # rejected by the platform, or the kiosk cannot store it (disk full): say so, lose nothing
            self.screen("confirm").show_error(translate(outcome.message_key))

    def _outbox_progress(self) -> None:
        """An application saved on this kiosk was uploaded while its citizen is still here: tell them."""
        reference = self.session.local_reference
        if not reference:
            return
        # The kiosk's records live in SQLite: look them up on a worker thread, never on the UI thread.
        self.background(self.runtime.submitter.receipt_for, reference, on_done=self._uploaded,
                        on_error=lambda error: log.warning("local record lookup failed: %s", error))

    def _uploaded(self, receipt: str | None) -> None:
        if receipt and self.manager.current in ("result", "rating"):
            self.screen("result").show_slip(translate("result.uploaded", receipt=receipt))
            if self.manager.current == "rating":
                self.screen("rating").show_thanks(translate("result.uploaded", receipt=receipt))

    def _submitted(self, submission: Submission) -> None:
        self.flow.record_submission(submission)
        result = self.screen("result")
        result.show(translate("result.submitted"), submission.receipt_number)
        if self.session.member_receipts:
            catalog = self.catalog_state.catalog
            result.show_members([(catalog.item(m.item_code).name, m.receipt_number) for m in self.session.member_receipts])
        self.go("result")
        self.print_receipt()

    def _submit_failed(self, error: BaseException) -> None:
        if isinstance(error, PlatformError) and error.kind in ("unreachable", "server"):
            message = translate("confirm.error.unreachable")
        elif isinstance(error, PlatformError):
            message = translate("confirm.error.rejected", detail=str(error))
        else:
            log.error("submitting failed unexpectedly: %r", error)
            message = translate("confirm.error.unexpected")
        self.screen("confirm").show_error(message)

    def print_for_session(self, document: Any, on_printed: Callable[[Any], None]) -> None:
        """Print for the current session. ``on_printed(PrintResult)`` runs on the UI thread, and only while
        that session lasts: nothing about one citizen's paper ever reaches the next one."""
        session_id = self.session.id

        def deliver(result: Any) -> None:  # on the print worker thread
            Clock.schedule_once(lambda _dt: on_printed(result) if self.session.id == session_id else None, 0)

        self.runtime.print_document(session_id, document, deliver)

    def print_and_show(self, document: Any, show: Callable[[str, str, bool], None],
                       printed_key: str = "result.paper_printed") -> None:
        """Print, then ``show(text, png_path, ok)``: the printed paper, or what went wrong in words."""

        def shown(result: Any) -> None:
            image = str(result.png_path) if result.png_path else ""
            show(translate(printed_key if result.ok else result.reason_key), image, result.ok)

        self.print_for_session(document, shown)

    def print_receipt(self) -> None:
        from kiosk.receipts import acceptance_receipt_for, commitment_slip_for

        item = self.current_item()
        if item is None:
            return
        catalog = self.catalog_state.catalog if self.catalog_state else None
        result_screen = self.screen("result")
        self.print_and_show(acceptance_receipt_for(self.session, item, self.config_kiosk, catalog),
                            result_screen.show_print, "result.printed")
        slip = commitment_slip_for(self.session, item, self.config_kiosk)
        if slip is not None:  # 容缺 / 告知承诺: the written commitment goes home with the citizen too
            self.print_and_show(slip, lambda text, _image, _ok: result_screen.show_slip(text), "result.slip_printed")

    # -- rate and finish ----------------------------------------------------------------------------------
    def submit_rating(self, level: int, reasons: list[str] | None = None, callback: bool = False) -> None:
        """Ratings go through the outbox: a rating given offline still reaches the platform."""
        body = self.flow.rating_body(level, reasons, callback)
        if self.session.local_reference:
            body["receipt_number"] = None  # filled in from the kiosk's record once the platform gave one
        self.background(self.runtime.submitter.submit_rating, body,
                        local_reference=self.session.local_reference,
                        on_done=lambda _r: self._rated(), on_error=self._rating_failed)

    def _rated(self) -> None:
        self.screen("rating").show_thanks(translate("rating.thanks"))
        self._end_session_soon(2.5)

    def _rating_failed(self, error: BaseException) -> None:
        log.warning("rating not stored: %s", error)
        self.screen("rating").show_thanks(translate("rating.thanks"))
        self._end_session_soon(2.5)

    def _end_session_soon(self, seconds: float) -> None:
        """End *this* session after a moment; never a newer one that started in between."""
        session_id = self.session.id
        Clock.schedule_once(lambda _dt: self.end_session() if self.session.id == session_id else None, seconds)

    def end_session(self) -> None:
        """Wipe the session and every screen, then show the home screen."""
        ended = self.session.id
        self.runtime.end_session(ended)
        self.session.wipe()
        self._after_identify = None
        self._materials_ready_for = None
        for screen in self.manager.screens:
            screen.reset()
        self._close_countdown()
        self.go("home")
        log.info("session ended")

    # -- maintenance mode ---------------------------------------------------------------------------------
    def _make_pin_gate(self) -> Any:
        from kiosk.maintenance import PinGate

        pin_hash = self.config_kiosk.maintenance.pin_hash
        if not pin_hash:
            return None
        return PinGate(pin_hash, self.config_kiosk.kiosk.state_dir / "maintenance-lock.json")

    def open_maintenance_pin(self) -> None:
        if self.pin_gate is None:
            log.warning("maintenance gesture used, but no [maintenance] pin_hash is configured")
            from screens.popups import show_message

            show_message(translate("maintenance.pin.title"), translate("maintenance.pin.not_configured"))
            return
        self.end_session()  # a citizen's data never stays behind a technician's screen
        self.go("maintenance_pin")

    def check_maintenance_pin(self, pin: str) -> None:
        # scrypt takes tens of milliseconds: off the UI thread.
        self.background(self.pin_gate.try_pin, pin, on_done=self._pin_checked,
                        on_error=lambda error: self.screen("maintenance_pin").show_message(str(error)))

    def _pin_checked(self, result: Any) -> None:
        from kiosk.maintenance import PinOutcome

        screen = self.screen("maintenance_pin")
        if result.outcome is PinOutcome.OK:
            log.info("maintenance mode entered")
            self.go("maintenance")
        elif result.outcome is PinOutcome.WRONG:
            screen.show_message(translate("maintenance.pin.wrong", left=result.remaining_attempts))
        else:
            until = time.strftime("%H:%M", time.localtime(result.locked_until or 0))
            screen.show_message(translate("maintenance.pin.locked", until=until))

    def collect_diagnostics(self) -> None:
        from kiosk.maintenance_view import diagnostics_text

        self.background(diagnostics_text, self.runtime, on_done=self.screen("maintenance").show_report,
                        on_error=lambda error: self.screen("maintenance").show_report(f"{error}"))

    def maintenance_action(self, name: str) -> None:
        from kiosk import maintenance_view

        if self.manager.current != "maintenance":
            return
        if name == "quit":
            log.info("kiosk shut down from maintenance mode")
            self.stop()
            return
        if name == "restart":
            log.info("kiosk restart from maintenance mode")
            maintenance_view.restart_process()
            return
        if name == "reload_catalog":
            self.reload_catalog()
        screen = self.screen("maintenance")
        screen.show_action(translate("maintenance.working"))
        self.background(maintenance_view.run_action, self.runtime, name, self.session.id,
                        on_done=screen.show_action, on_error=lambda error: screen.show_action(str(error)))

    # -- idle timeout -------------------------------------------------------------------------------------
    def _note_activity(self, *_args: Any) -> bool:
        self._last_activity = time.monotonic()
        return False  # never consume the event

    def _tick_idle(self, _dt: float) -> None:
        if self.manager.current == "home":
            return
        timeout = self.config_kiosk.kiosk.idle_timeout_s
        warning = self.config_kiosk.kiosk.idle_warning_s
        idle = time.monotonic() - self._last_activity
        left = timeout - idle
        if left <= 0:
            log.info("idle timeout")
            self.end_session()
        elif left <= warning:
            self.idle_seconds_left = int(left + 0.999)
            if self._countdown is None:
                self._countdown = CountdownView(continue_callback=self.continue_session)
                self._countdown.open(animation=False)
            self._countdown.seconds_left = self.idle_seconds_left
        else:
            self._close_countdown()

    def continue_session(self) -> None:
        self._note_activity()
        self._close_countdown()

    def _close_countdown(self) -> None:
        if self._countdown is not None:
            self._countdown.dismiss(animation=False)
            self._countdown = None
